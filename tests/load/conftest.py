"""Real servers for the load tests.

`start_server(workers=4, **settings)` runs `python -m comments_service serve`
with N uvicorn workers on one SQLite file in tmp_path, in its own process
group, and waits until /healthz answers. Keyword settings become COMMENTS_*
variables (`rate_limit="20/minute"` sets COMMENTS_RATE_LIMIT). Every server
is stopped when the test ends, whatever happened.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest

from comments_service.storage import Database

REPO = Path(__file__).resolve().parents[2]
SECRET_KEY = "load-test-secret-key-" + "x" * 32
OPEN, CLOSED, MUST_READ = "open-news", "closed-news", "must-read"
ARTICLES = [
    {"slug": OPEN, "lang": "pl", "title": "Otwarte", "url": "news/open-news.html",
     "date": "2026-11-01T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "open", "translations": []},
    {"slug": CLOSED, "lang": "pl", "title": "Zamknięte", "url": "news/closed-news.html",
     "date": "2026-11-02T09:00:00+01:00", "category": "firma", "must_read": False,
     "comments": "closed", "translations": []},
    {"slug": MUST_READ, "lang": "pl", "title": "Obowiązkowe", "url": "news/must-read.html",
     "date": "2026-11-04T09:00:00+01:00", "category": "bhp", "must_read": True,
     "comments": "open", "translations": []},
]  # fmt: skip
DEFAULT_SETTINGS = {"rate_limit": "100000/minute", "secret_key": SECRET_KEY}
STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
LOG_TAIL = 4000


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _group_alive(pgid: int) -> bool:
    """Whether a process of group `pgid` still runs (zombies hold no sockets or locks)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid pgrp ..."; comm may hold spaces, so split after ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


@dataclass
class Server:
    """One `python -m comments_service serve` on a fixed port and database file."""

    directory: Path
    workers: int
    env: dict[str, str]
    port: int
    process: subprocess.Popen | None = None
    starts: int = 0
    clients: list[httpx2.Client] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db(self) -> Path:
        return self.directory / "comments.sqlite3"

    @property
    def log_path(self) -> Path:
        return self.directory / "server.log"

    def log(self) -> str:
        """The end of what the server printed, for failure messages."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return text[-LOG_TAIL:]

    def start(self, workers: int | None = None) -> None:
        """Start the server (again, on the same port and file) and wait until it answers."""
        assert self.process is None, "the server is already running"
        self.workers = workers or self.workers
        command = [sys.executable, "-m", "comments_service", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", str(self.workers)]
        command += ["--log-level", "warning"]
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(f"--- start {self.starts + 1}: {' '.join(command)}\n")
            log.flush()
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        problem = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                problem = f"the server exited with status {self.process.returncode}"
                break
            try:
                response = httpx2.get(f"{self.base_url}/healthz", timeout=1.0, trust_env=False)
                if response.status_code == 200:
                    return
                problem = f"/healthz answered {response.status_code}: {response.text}"
            except httpx2.TransportError as error:
                problem = repr(error)
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"server on {self.base_url} did not start: {problem}\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL every process of the server at once: a crash, no clean-up."""
        self._signal_group(signal.SIGKILL, wait=STOP_TIMEOUT)

    def stop(self) -> None:
        """SIGTERM the server's processes; SIGKILL what is left after a few seconds."""
        self._signal_group(signal.SIGTERM, wait=STOP_TIMEOUT)

    def _signal_group(self, signum: int, wait: float) -> None:
        if self.process is None:
            return
        pgid = self.process.pid  # start_new_session: the leader's pid is the group id
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signum)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=wait)
        self._wait_group_gone(pgid, wait)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)  # whatever outlived the polite signal
        self.process.wait()
        self._wait_group_gone(pgid, wait)
        self.process = None

    @staticmethod
    def _wait_group_gone(pgid: int, timeout: float) -> None:
        # Until every worker is gone the port and the SQLite locks may still be held.
        deadline = time.monotonic() + timeout
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.02)

    def client(self, name: str | None = None, **options: Any) -> httpx2.Client:
        """A person with their own cookies; with `name`, signed in under it (open mode).

        `options` go to httpx2.Client (e.g. `cookies=` to be someone already signed in).
        """
        client = httpx2.Client(
            base_url=f"{self.base_url}/api/v1",
            headers={"origin": self.base_url},
            timeout=30.0,
            trust_env=False,
            **options,
        )
        self.clients.append(client)
        if name is not None:
            response = client.post("/me", json={"name": name})
            assert response.status_code == 200, response.text
        return client


StartServer = Callable[..., Server]


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """Start real servers; each has its own folder, database and manifest."""
    servers: list[Server] = []
    # A SIGTERM to pytest (a CI timeout) would otherwise end it without
    # teardown and leave the servers running.
    previous = signal.signal(signal.SIGTERM, _interrupt)

    def start(workers: int = 4, **settings: str) -> Server:
        directory = tmp_path / f"server-{len(servers) + 1}"
        directory.mkdir()
        articles = directory / "articles.json"
        articles.write_text(json.dumps(ARTICLES), encoding="utf-8")
        env = {
            name: value for name, value in os.environ.items() if not name.startswith("COMMENTS_")
        }
        env["COMMENTS_DB"] = str(directory / "comments.sqlite3")
        env["COMMENTS_ARTICLES"] = str(articles)
        for name, value in {**DEFAULT_SETTINGS, **settings}.items():
            env[f"COMMENTS_{name.upper()}"] = value
        server = Server(directory=directory, workers=workers, env=env, port=free_port())
        servers.append(server)
        server.start()
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()
            for client in server.clients:
                client.close()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def all_comments(comments: Iterable[dict]) -> Iterator[dict]:
    """Every comment of a thread's tree, replies included."""
    for comment in comments:
        yield comment
        yield from all_comments(comment["replies"])


@dataclass
class Stored:
    """What the database file holds, read after the server stopped."""

    integrity: str
    threads: dict[str, dict]
    comments: dict[int, dict]


def read_database(path: Path) -> Stored:
    """Check the file read-only with SQLite, then read its documents."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = "\n".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
    finally:
        connection.close()
    with Database(path) as db:
        threads = {doc["slug"]: dict(doc) for doc in db.table("threads").all()}
        comments = {doc.doc_id: dict(doc) for doc in db.table("comments").all()}
    return Stored(integrity=integrity, threads=threads, comments=comments)
