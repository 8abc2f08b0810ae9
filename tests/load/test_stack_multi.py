"""`make stack-multi`'s launcher: two hosts on one PostgreSQL schema behind a real nginx.

deploy/stack_multi.py runs on free ports with a small site of its own; the
test posts through nginx, sees both hosts answer, kills one host and still
posts, reads live events through nginx, and stops the whole stack. Without
nginx the test is skipped with one line (under CI=true it fails); without
PostgreSQL it goes as tests/conftest.py says.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from bench.live_events import EventStream
from tests.load.conftest import ARTICLES, DEFAULT_SETTINGS, OPEN
from tests.servers import REPO, _group_alive, free_port

pytestmark = [pytest.mark.load, pytest.mark.parametrize("engine", ["postgresql"])]

LAUNCHER = REPO / "deploy" / "stack_multi.py"
STARTUP_TIMEOUT = 60.0
NO_NGINX = "stack-multi test skipped: nginx is not installed (Debian: apt-get install nginx)"


def nginx_installed() -> bool:
    return bool(shutil.which("nginx") or os.access("/usr/sbin/nginx", os.X_OK))


@pytest.fixture
def stack(tmp_path: Path, db_location: str):
    """The running stack: (nginx's base URL, its runtime folder, the launcher process)."""
    if not nginx_installed():
        if os.environ.get("CI") == "true":
            pytest.fail(NO_NGINX.replace("skipped", "failed") + "; CI must have it (.ci/run)")
        pytest.skip(NO_NGINX)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>Kurier</h1>\n", encoding="utf-8")
    (site / "articles.json").write_text(json.dumps(ARTICLES), encoding="utf-8")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTS_")}
    env.update({f"COMMENTS_{k.upper()}": v for k, v in DEFAULT_SETTINGS.items()})
    var = tmp_path / "var"
    command = [sys.executable, str(LAUNCHER), "--port", str(port), "--site", str(site),
               "--var", str(var), "--db", db_location]  # fmt: skip
    log = (tmp_path / "launcher.log").open("w", encoding="utf-8")
    launcher = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    runtime = var / "stack-multi"
    state_file = runtime / "stack.json"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not state_file.exists():
            assert launcher.poll() is None, (tmp_path / "launcher.log").read_text()
            assert time.monotonic() < deadline, "the stack did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", runtime, launcher
    finally:
        groups = []
        if state_file.exists():
            state = json.loads(state_file.read_text(encoding="utf-8"))
            groups = [host["pgid"] for host in state["hosts"]] + [state["nginx"]]
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGTERM)
            try:
                launcher.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)
                launcher.wait()
        for pgid in groups:  # whatever the launcher left behind: nothing, normally
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        log.close()


def port_answers(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def upstreams(runtime: Path) -> list[str]:
    """The host that answered each proxied request, in order, from nginx's access log."""
    lines = (runtime / "access.log").read_text(encoding="utf-8").splitlines()
    return [line.rsplit("upstream=", 1)[1] for line in lines if "upstream=127." in line]


def test_stack_multi_spreads_over_both_hosts_and_survives_one(stack) -> None:
    base_url, runtime, launcher = stack
    state = json.loads((runtime / "stack.json").read_text(encoding="utf-8"))
    host_ports = {f"127.0.0.1:{host['port']}" for host in state["hosts"]}
    assert len(host_ports) == 2
    assert httpx2.get(base_url + "/", trust_env=False).text == "<h1>Kurier</h1>\n"

    client = httpx2.Client(
        base_url=f"{base_url}/api/v1", headers={"origin": base_url}, trust_env=False, timeout=10
    )
    with client:
        assert client.post("/me", json={"name": "Ala"}).status_code == 200
        for n in range(6):
            response = client.post(f"/threads/{OPEN}/comments", json={"body": f"Przez nginx {n}"})
            assert response.status_code == 201, response.text
        assert set(upstreams(runtime)) == host_ports, "nginx did not use both hosts"

        # One host dies (its whole process group): nginx sends everything to the other.
        victim = state["hosts"][0]
        os.killpg(victim["pgid"], signal.SIGKILL)
        # SIGKILL takes a moment: a POST that reaches the dying host is in doubt,
        # and nginx rightly does not send it twice. Once the port refuses, it is gone.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and port_answers(victim["port"]):
            time.sleep(0.01)
        for n in range(6):
            response = client.post(f"/threads/{OPEN}/comments", json={"body": f"Po awarii {n}"})
            assert response.status_code == 201, response.text
        thread = client.get(f"/threads/{OPEN}").json()
        assert thread["thread"]["comment_count"] == 12

        async def live_event_through_nginx() -> None:
            stream = await EventStream(base_url, OPEN).open()
            try:
                assert stream.status == 200
                response = await asyncio.to_thread(
                    client.post, f"/threads/{OPEN}/comments", json={"body": "Na żywo"}
                )
                assert response.status_code == 201, response.text
                event = await stream.next_event(timeout=3)
                assert event.data["comment"]["body_html"] == "<p>Na żywo</p>"
            finally:
                await stream.close()

        asyncio.run(live_event_through_nginx())

    assert launcher.poll() is None, "the launcher gave up when a host died"
    launcher.send_signal(signal.SIGTERM)
    assert launcher.wait(timeout=20) == 0
    state = json.loads((runtime / "stack.json").read_text(encoding="utf-8"))
    left = [g for g in [state["nginx"], *(h["pgid"] for h in state["hosts"])] if _group_alive(g)]
    assert not left, f"process groups still running after the stop: {left}"
