"""How `serve` runs uvicorn: where it listens, who watches its workers, where metrics go.

- `--uds PATH`: the unix socket is bound here rather than by uvicorn. A stale
  socket file (its server gone) is replaced, a live server's is refused, and
  the socket is group-writable (0660): the web server's group may connect,
  nobody else.
- Several workers: uvicorn's supervisor, which here also tells the metrics
  when a worker is gone (prometheus_client's mark_process_dead), so that the
  streams it held stop counting as open.
- PROMETHEUS_MULTIPROC_DIR: the operator's folder if set, else a fresh one
  per run under the system's temporary folder (removed at the end); emptied
  at start either way, since numbers of an earlier run must not add up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess

SOCKET_MODE = 0o660
BACKLOG = 2048
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
METRICS_PREFIX = "kurier-metrics-"


class ServeError(Exception):
    """`serve` cannot start; the message says why."""


def listen_unix(path: Path) -> tuple[socket.socket, int]:
    """A listening unix socket at `path`, mode 0660, replacing a stale socket file;
    and the file's inode, which says later whether the file is still this socket's."""
    if os.path.lexists(path):
        if not stat.S_ISSOCK(os.lstat(path).st_mode):
            raise ServeError(f"--uds {path}: the file exists and is not a socket")
        if _answers(path):
            raise ServeError(f"--uds {path}: another server is listening there")
        path.unlink()  # left by a server that is gone
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o117)  # never more open than 0660, not even for an instant
    try:
        sock.bind(str(path))
        os.chmod(path, SOCKET_MODE)
        sock.listen(BACKLOG)
        inode = os.lstat(path).st_ino
    except OSError as error:
        sock.close()
        raise ServeError(f"--uds {path}: {error.strerror or error}") from None
    finally:
        os.umask(previous)
    return sock, inode


def _answers(path: Path) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(str(path))
    except OSError:  # refused: nobody listens
        return False
    finally:
        probe.close()
    return True


def remove_socket(path: Path, inode: int) -> None:
    """Remove the socket file, unless another server has put its own in its place."""
    with contextlib.suppress(OSError):
        if os.lstat(path).st_ino == inode:
            path.unlink()


@contextlib.contextmanager
def metrics_folder() -> Iterator[Path]:
    """PROMETHEUS_MULTIPROC_DIR for this run, empty; set in the environment the workers get."""
    given = os.environ.get(METRICS_DIR)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
    else:
        _remove_stale_folders()
        folder = Path(tempfile.mkdtemp(prefix=f"{METRICS_PREFIX}{os.getpid()}-"))
        os.environ[METRICS_DIR] = str(folder)
    for leftover in folder.glob("*.db"):
        leftover.unlink()
    try:
        yield folder
    finally:
        if not given:
            shutil.rmtree(folder, ignore_errors=True)
            os.environ.pop(METRICS_DIR, None)


def _remove_stale_folders() -> None:
    """Folders of earlier runs that were killed (no clean-up): their process is gone."""
    for folder in Path(tempfile.gettempdir()).glob(f"{METRICS_PREFIX}*-*"):
        pid = folder.name.removeprefix(METRICS_PREFIX).split("-", 1)[0]
        with contextlib.suppress(OSError, ValueError):
            if folder.lstat().st_uid == os.getuid() and not _alive(int(pid)):
                shutil.rmtree(folder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Supervisor(Multiprocess):
    """uvicorn's supervisor of worker processes, marking each one gone for the metrics."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], metrics: Path):
        super().__init__(config, sockets)
        self.metrics = metrics
        self._watched: set[int] = set()

    def init_processes(self) -> None:
        super().init_processes()
        self._watched = self._pids()

    def keep_subprocess_alive(self) -> None:
        super().keep_subprocess_alive()  # replaces dead workers (signals may have too)
        current = self._pids()
        for pid in self._watched - current:
            self._gone(pid)
        self._watched = current

    def join_all(self) -> None:
        super().join_all()
        for pid in self._pids():
            self._gone(pid)

    def _pids(self) -> set[int]:
        return {process.pid for process in self.processes if process.pid is not None}

    def _gone(self, pid: int) -> None:
        from prometheus_client import multiprocess  # after METRICS_DIR is set

        multiprocess.mark_process_dead(pid, str(self.metrics))  # type: ignore[no-untyped-call]


def run(config: uvicorn.Config, sock: socket.socket, metrics: Path) -> int:
    """Serve on `sock` until told to stop; uvicorn's exit status."""
    if config.workers > 1:
        Supervisor(config, [sock], metrics).run()
        return 0
    server = uvicorn.Server(config)
    # uvicorn raises a stop signal again once it has stopped: SIGTERM must then
    # end serve as SIGINT does, through clean-up, not kill it before.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0 if server.started else STARTUP_FAILURE


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
