"""Servers for the HTTP benchmarks: child processes on free 127.0.0.1 ports.

Each server runs in its own process group, logs to a file, is ready when its
health URL answers 200, and is stopped with its whole group.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

HOST = "127.0.0.1"
SECRET_KEY = "bench-" + "k" * 42
# The comments service as the benchmarks run it: open sign-in, and the limits
# that would stop a benchmark lifted, as it posts and reacts on purpose and its
# many readers come from one address.
SERVICE_SETTINGS = {
    "COMMENTS_SECRET_KEY": SECRET_KEY,
    "COMMENTS_RATE_LIMIT": "1000000/second",
    "COMMENTS_IDENTITY_RATE_LIMIT": "1000000/hour",
    "COMMENTS_EDIT_RATE_LIMIT": "1000000/second",
    "COMMENTS_REACTION_RATE_LIMIT": "1000000/second",
    "COMMENTS_MAX_STREAMS_PER_ADDRESS": "100000",
    "COMMENTS_AUTH": "open",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def service_env(db: Path, **settings: str) -> dict[str, str]:
    """The service's COMMENTS_* variables for a benchmark: SERVICE_SETTINGS, the
    database file `db`, and `settings` (COMMENTS_ARTICLES=..., COMMENTS_SITE_DIR=...)."""
    return {"COMMENTS_DB": str(db), **SERVICE_SETTINGS, **settings}


def serve_command(module: str, port: int, workers: int = 1) -> list[str]:
    """`python -m MODULE serve` on HOST: the service's own command line."""
    return [
        sys.executable, "-m", module, "serve", "--host", HOST, "--port", str(port),
        "--workers", str(workers),
    ]  # fmt: skip


def call(
    port: int,
    method: str,
    path: str,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 30,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a fresh connection: status, headers, body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


class Server:
    """`command` as a child process serving on `port`; a context manager."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        port: int,
        log: Path,
        env: Mapping[str, str] | None = None,
        health: str = "/healthz",
        cwd: Path | None = None,
    ) -> None:
        self.name, self.command, self.port, self.log = name, list(command), port, log
        self.env = {**os.environ, **(env or {})}
        self.health, self.cwd = health, cwd
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, wait: float = 60) -> Server:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,  # its own process group, stopped as one
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            try:
                if call(self.port, "GET", self.health, timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {wait:g} s:\n{self.log_tail()}")

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        """Stop the process group: `how` first, SIGKILL after 15 s."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, how)
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} is not running")
        return self.process.pid

    def serving_pid(self) -> int:
        """The process that answers requests: the server, or its one worker."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            found = children.read_text().split()
        except OSError:
            found = []
        return int(found[0]) if len(found) == 1 else self.pid

    def memory(self) -> dict[str, int]:
        """VmRSS and VmHWM (peak) of the serving process, in bytes."""
        values = {}
        for line in Path(f"/proc/{self.serving_pid()}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
        return values

    def log_tail(self, size: int = 3000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-size:]
        except OSError:
            return ""

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
