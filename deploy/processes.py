"""What the stacks share: free ports, nginx, the processes they start and stop, the secret key.

`make stack` (stack.py) and `make stack-multi` (stack_multi.py) run real
servers on loopback, each in a process group of its own, so that stopping
the stack leaves no process behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
REPO = DEPLOY.parent
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0
MIME_TYPES = Path("/etc/nginx/mime.types")
# Without Debian's mime.types: what a Pelican site is made of.
FALLBACK_TYPES = """types {
        text/html html; text/css css; application/javascript js; application/json json;
        application/atom+xml atom; application/rss+xml rss; application/xml xml;
        image/svg+xml svg; image/png png; image/jpeg jpg jpeg; image/gif gif;
        image/webp webp; image/x-icon ico; font/woff2 woff2; font/woff woff; text/plain txt;
    }"""


class StackError(Exception):
    """Why the stack cannot run; printed as one line."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def find_nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        raise StackError("nginx is not installed (Debian: apt-get install nginx)")
    return found


def port_open(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port`."""
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


class Child:
    """One process group of the stack (a host, or nginx), logging to a file."""

    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        log: Path,
        ready: str | Callable[[], bool],
    ):
        """`ready`: a URL that answers 200 once it is up, or a function that says so."""
        self.name, self.command, self.env, self.log = name, command, env, log
        self.url = ready if isinstance(ready, str) else name
        if isinstance(ready, str):
            self.ready: Callable[[], bool] = lambda: answers(ready)
        else:
            self.ready = ready
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"--- {time.strftime('%H:%M:%S')} {' '.join(self.command)}\n")
            log.flush()
            self.process = subprocess.Popen(
                self.command,
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                break
            if self.ready():
                return
            time.sleep(0.1)
        tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise StackError(f"{self.name} did not start ({self.url}); its log {self.log}:\n{tail}")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """SIGTERM the group, SIGKILL what is left after a few seconds."""
        if self.process is None:
            return
        pgid = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=STOP_TIMEOUT)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.process.wait()
        self.process = None


def secret_key(var: Path) -> str:
    """COMMENTS_SECRET_KEY, else the key kept in var/secret_key (made once, 0600)."""
    if key := os.environ.get("COMMENTS_SECRET_KEY", "").strip():
        return key
    path = var / "secret_key"
    if not path.exists():
        var.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def stop_on_signal(signum: int, frame: object) -> None:
    """SIGTERM and SIGINT end the stack's main loop (as Ctrl-C does)."""
    # Once: make passes its SIGTERM on too, and a second one must not cut the clean-up short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


@contextlib.contextmanager
def supervised(children: list[Child]) -> Iterator[None]:
    """Run the body with SIGTERM and SIGINT ending it; whatever happens, stop
    `children` (last started, first stopped) and put the handlers back."""
    previous = {sig: signal.signal(sig, stop_on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for child in reversed(children):
            child.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
