"""What an operator does with the stack: start and stop it (nothing left behind), read
its metrics and logs, and drill a restore."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from comments_service.app import METRICS_FLUSH
from tests.servers import REPO, _group_alive
from tests.stack.kit import Stack, json_lines

SLUG = "polityka-phishing"
THREAD = f"/api/v1/threads/{SLUG}"


def stack_processes(runtime: Path) -> list[str]:
    """Processes whose command line names the stack's folder (its servers all do)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue  # gone meanwhile
        if str(runtime) in command and state != "Z":  # a zombie holds nothing
            found.append(f"{proc.name}: {command}")
    return found


def test_the_stack_starts_and_stops_cleanly_three_times(start_stack: Callable[..., Stack]) -> None:
    stack = None
    for _ in range(3):
        stack = start_stack(var=stack.var if stack else None)
        groups = stack.groups()
        assert len(groups) == 4 and all(_group_alive(g) for g in groups)
        with stack.signed_in("alice") as alice:
            assert alice.get("/").status_code == 200
        stack.stop()
        assert not [g for g in groups if _group_alive(g)], "a process group outlived the stack"
        assert stack_processes(stack.runtime) == []
        assert not stack.socket.exists() or not _answers(stack)


def _answers(stack: Stack) -> bool:
    try:
        with stack.service() as service:
            service.get("/healthz")
    except Exception:  # noqa: BLE001 - nothing listens: what we want
        return False
    return True


def test_metrics_add_up_across_workers_and_logs_carry_the_request_id(
    start_stack: Callable[..., Stack],
) -> None:
    stack = start_stack()
    with stack.signed_in("alice") as alice:
        reads = 30
        for _ in range(reads):
            assert alice.get(THREAD).status_code == 200
        posts = 4
        for n in range(posts):
            response = alice.post(f"{THREAD}/comments", json={"body": f"Licznik {n}"},
                                  headers={"origin": stack.url})  # fmt: skip
            assert response.status_code == 201
        request_id = response.headers["x-request-id"]
    # Each worker writes what it counted to the shared files once a second; then each
    # scrape, whichever of the two workers answers it, adds both up.
    time.sleep(METRICS_FLUSH + 0.5)
    for _ in range(4):
        with stack.service() as service:
            text = service.get("/metrics").text
        families = {family.name: family for family in text_string_to_metric_families(text)}
        requests = [s for s in families["kurier_requests"].samples if s.name.endswith("_total")]
        by_route = {}
        for sample in requests:
            key = (sample.labels.get("route"), sample.labels.get("method"),
                   sample.labels.get("status"))  # fmt: skip
            by_route[key] = by_route.get(key, 0) + sample.value
        assert by_route[("/api/v1/threads/{slug}", "GET", "200")] == reads
        assert by_route[("/api/v1/threads/{slug}/comments", "POST", "201")] == posts
        posted = [s.value for s in families["kurier_comments_posted"].samples
                  if s.name.endswith("_total")]  # fmt: skip
        assert sum(posted) == posts
    # The service's log: one JSON line per request, with the id the front gave it.
    lines = json_lines(stack.runtime / "service.log")
    mine = [line for line in lines if line.get("request_id") == request_id]
    assert [(line["method"], line["path"], line["status"]) for line in mine] == [
        ("POST", "/api/v1/threads/{slug}/comments", 201)
    ]
    assert all("body" not in line and "@" not in str(line.get("user", "")) for line in lines)
    assert f"id={request_id}" in (stack.runtime / "apache-access.log").read_text()


def test_a_restore_drill_brings_every_comment_back(start_stack: Callable[..., Stack]) -> None:
    stack = start_stack(COMMENTS_RATE_LIMIT="100/minute")
    texts = [f"Przed awarią {n}" for n in range(12)]
    with stack.signed_in("bob") as bob:
        for text in texts:
            response = bob.post(f"{THREAD}/comments", json={"body": text},
                                headers={"origin": stack.url})  # fmt: skip
            assert response.status_code == 201
    backup = stack.var / "drill.sqlite3"
    env = dict(os.environ, COMMENTS_DB=str(stack.database), COMMENTS_SECRET_KEY=stack.secret_key)
    done = subprocess.run([sys.executable, "-m", "comments_service", "backup", str(backup)],
                          cwd=REPO, env=env, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    stack.stop()
    for leftover in stack.var.glob("stack-comments.sqlite3*"):  # the disaster
        leftover.unlink()
    backup.rename(stack.database)
    stack.start()
    with stack.signed_in("bob") as bob:
        thread = bob.get(THREAD).json()
    shown = [c["body_html"] for c in thread["comments"]]
    assert shown == [f"<p>{text}</p>" for text in texts]
