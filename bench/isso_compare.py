"""Isso, for the record: the same thread GET and comment POST against Isso.

Isso is installed with pip into a throwaway virtualenv and run with its own
`isso run` (Werkzeug's threaded server, as its documentation starts it) on a
fresh SQLite file, with its spam guard off. A thread of 100 comments is
posted through its API first. Nothing here is a budget: Isso may be
missing (no network, no wheel), and then the report says why.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import loadgen, servers
from bench.loadgen import Request

INSTALL_TIMEOUT = 300
THREAD = "/kurier/bench-thread/"
SERVER = "`isso run` (Werkzeug's threaded server; it closes the connection after each response)"

CONFIG = """\
[general]
dbpath = {db}
host = http://127.0.0.1:9/
notify = stdout
log-file = {log}

[server]
listen = http://127.0.0.1:{port}/

[moderation]
enabled = false

[guard]
enabled = false
"""


@dataclass(frozen=True)
class IssoRun:
    """Isso's version and its measured points, by scenario."""

    version: str
    server: str
    points: dict[str, loadgen.Result]


def install(folder: Path) -> tuple[Path | None, str]:
    """A virtualenv with Isso in `folder`: its `isso` command, or None and why."""
    venv = folder / "isso-venv"
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", str(venv)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        done = subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "--timeout", "20", "isso"],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except (subprocess.SubprocessError, OSError) as error:
        return None, f"could not install it: {error}"
    if done.returncode:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return None, f"`pip install isso` failed: {last[0]}"
    return venv / "bin" / "isso", ""


def _version(isso: Path) -> str:
    done = subprocess.run(
        [str(isso), "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    return (done.stdout or done.stderr).strip() or "isso"


def _post(text: str, author: str, title: str) -> bytes:
    return json.dumps({"text": text, "author": author, "title": title}).encode()


def measure(folder: Path, texts: Sequence[str], connections: int, seconds: int) -> IssoRun | str:
    """GET a 100-comment thread and POST comments at `connections`; or why not."""
    folder.mkdir(parents=True, exist_ok=True)
    isso, reason = install(folder)
    if isso is None:
        return reason
    port = servers.free_port()
    config = folder / "isso.cfg"
    config.write_text(
        CONFIG.format(db=folder / "isso.sqlite3", log=folder / "isso.log", port=port),
        encoding="utf-8",
    )
    server = servers.Server(
        "isso",
        [str(isso), "-c", str(config), "run"],
        port,
        folder / "isso-stdout.log",
        health="/config",
    )
    json_headers = {"Content-Type": "application/json"}
    try:
        with server:
            for number in range(100):
                status, _, body = servers.call(
                    port,
                    "POST",
                    f"/new?uri={THREAD}",
                    json_headers,
                    _post(texts[number % len(texts)], f"Osoba {number}", "Wątek"),
                )
                if status != 201:
                    return f"Isso refused a comment: {status} {body[:200]!r}"
            status, _, body = servers.call(port, "GET", f"/?uri={THREAD}")
            if status != 200 or json.loads(body).get("total_replies") != 100:
                return f"Isso's thread did not hold 100 comments: {status} {body[:200]!r}"
            scenarios = {
                "get": [Request("GET", f"/?uri={THREAD}")],
                "post": [
                    Request(
                        "POST",
                        f"/new?uri=/kurier/other-{number % 50}/",
                        json_headers,
                        _post(texts[number % len(texts)], f"Osoba {number}", "Inny wątek"),
                    )
                    for number in range(200)
                ],
            }
            # A few requests warm it up: wrk's warm-up would leave Isso busy
            # with abandoned slow requests when the measured run starts.
            for requests in scenarios.values():
                for request in requests[:3]:
                    servers.call(port, request.method, request.path, request.headers, request.body)
            points = {
                name: loadgen.measure(port, requests, connections, seconds)
                for name, requests in scenarios.items()
            }
    except (RuntimeError, OSError) as error:
        return f"Isso did not run: {str(error)[:300]}"
    return IssoRun(_version(isso), SERVER, points)
