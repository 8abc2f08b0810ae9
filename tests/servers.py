"""Real servers for tests: child processes on free 127.0.0.1 ports.

`Server` runs `python -m comments_service serve` with N uvicorn workers (on a
port, or with `uds=` on a unix socket);
`StaticSite` serves a built site with `python -m http.server`, with no API
behind it. Each runs in its own process group, logs to a file in its folder,
is ready once its health URL answers 200, and is stopped with its whole group
(SIGTERM, then SIGKILL for what is left). Fixtures start them through
`running_servers()`, which stops every one when the fixture ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import pytest

from comments_service.storage.postgres.address import is_postgres

REPO = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 5.0
LOG_TAIL = 4000


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service_env(
    directory: Path, settings: Mapping[str, str], location: str | Path | None = None
) -> dict[str, str]:
    """This process's environment without COMMENTS_* variables, plus a database
    (`location`, by default a file in `directory`) and `settings` as COMMENTS_*
    (`rate_limit` -> COMMENTS_RATE_LIMIT)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("COMMENTS_")}
    env["COMMENTS_DB"] = str(location if location is not None else directory / "comments.sqlite3")
    for name, value in settings.items():
        env[f"COMMENTS_{name.upper()}"] = str(value)
    return env


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
    """One `python -m comments_service serve` on a fixed port and database
    (COMMENTS_DB of `env`: an SQLite file or a PostgreSQL schema)."""

    directory: Path
    workers: int
    env: dict[str, str]
    port: int
    process: subprocess.Popen | None = None
    starts: int = 0
    clients: list[httpx2.Client] = field(default_factory=list)
    health: str = "/healthz"
    uds: Path | None = None  # serve on this unix socket instead of the port
    log_level: str = "warning"

    @property
    def base_url(self) -> str:
        return "http://kurier.test" if self.uds else f"http://127.0.0.1:{self.port}"

    def transport(self) -> httpx2.HTTPTransport | None:
        """How a client reaches the server: over its unix socket, or by default TCP."""
        return httpx2.HTTPTransport(uds=str(self.uds)) if self.uds else None

    @property
    def location(self) -> str | Path:
        """The server's database: an SQLite file, or a postgresql:// address."""
        db = self.env.get("COMMENTS_DB")
        if is_postgres(db):
            return str(db)
        return Path(db) if db else self.directory / "comments.sqlite3"

    @property
    def db(self) -> Path:
        """The server's SQLite file (an error for a server on PostgreSQL)."""
        location = self.location
        assert isinstance(location, Path), f"{self.base_url} keeps no file: {location}"
        return location

    @property
    def log_path(self) -> Path:
        return self.directory / "server.log"

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "comments_service", "serve"]
        if self.uds:
            command += ["--uds", str(self.uds)]
        else:
            command += ["--host", "127.0.0.1", "--port", str(self.port)]
        return command + ["--workers", str(self.workers), "--log-level", self.log_level]

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
        command = self.command()
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
                with httpx2.Client(transport=self.transport(), trust_env=False) as probe:
                    response = probe.get(self.base_url + self.health, timeout=1.0)
                if response.status_code == 200:
                    return
                problem = f"{self.health} answered {response.status_code}: {response.text}"
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

    def close(self) -> None:
        """Stop the server and close its clients."""
        self.stop()
        for client in self.clients:
            client.close()

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
            transport=self.transport(),
            **options,
        )
        self.clients.append(client)
        if name is not None:
            response = client.post("/me", json={"name": name})
            assert response.status_code == 200, response.text
        return client


@dataclass
class StaticSite(Server):
    """A built site served as plain files, with nothing behind /api/."""

    site: Path = REPO / "output"
    health: str = "/index.html"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                "--directory", str(self.site), str(self.port)]  # fmt: skip


class Running:
    """The servers a fixture started; `running_servers()` closes them all."""

    def __init__(self) -> None:
        self.servers: list[Server] = []

    def start(self, server: Server) -> Server:
        """Start `server` and wait until it answers; it is closed with the others."""
        self.servers.append(server)
        server.start()
        return server


@contextlib.contextmanager
def running_servers() -> Iterator[Running]:
    """Servers that are stopped (with their clients closed) when the block ends,
    whatever happened, a SIGTERM to pytest included."""
    running = Running()
    with stopped_on_sigterm():
        try:
            yield running
        finally:
            for server in running.servers:
                server.close()


@contextlib.contextmanager
def stopped_on_sigterm() -> Iterator[None]:
    """Turn a SIGTERM to pytest (a CI timeout) into KeyboardInterrupt, so teardown
    still stops the servers instead of leaving them running."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signum}")
