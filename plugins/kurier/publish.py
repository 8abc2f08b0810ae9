"""Publish the live site: check the content, build it aside, swap it into place.

    python -m kurier.publish --content DIR --output DIR --settings FILE [OPTIONS]

Options it does not know (`-D`, `--relative-urls`, `-t THEME`...) go to Pelican.

`make publish` runs this; cron may run it every few minutes. In order, it

1. takes a lock (`.<output>.publish.lock` beside the output folder), so two
   runs never overlap; a second run waits up to `--wait` seconds, then gives
   up with exit status 75 and changes nothing;
2. runs the content checks (`make check`); any error stops the publish;
3. builds the site with Pelican (`--fatal errors`, plus any extra options)
   into a fresh staging folder beside the output, on the same file system;
4. checks that the build holds `index.html` and a readable `articles.json`;
5. swaps the staging folder into the output path with one
   `renameat2(RENAME_EXCHANGE)`, so the output path always holds a complete
   site; where the system lacks it, two renames are used instead and a log
   line says so (the output path is then missing for an instant).

Whatever fails before the swap, the live site is not touched and the exit
status is 1. Staging folders are never left behind: a run removes its own,
and also those of earlier runs that crashed.

Rolling back: the site that was live before the latest publish is kept beside
the output as `.<output>.previous` (for `output/`: `.output.previous/`), one
generation only. To bring it back by hand:

    mv output .output.broken && mv .output.previous output && rm -rf .output.broken

Publishing the unchanged content again (or reverting the commit and running
`make publish`) is the better fix whenever the build itself is fine.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

NOT_CHANGED = "the live site was not changed"
EXIT_FAILED = 1
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later
DEFAULT_WAIT = 120.0
DEFAULT_BUILD_TIMEOUT = 900.0
REQUIRED_FILES = ("index.html", "articles.json")
TAIL_LINES = 40

# renameat2(2): <fcntl.h> and <linux/fs.h>.
AT_FDCWD = -100
RENAME_EXCHANGE = 2
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP}

# Pelican options that would build somewhere else, with other settings, or
# never finish; publish decides those itself.
RESERVED_SHORT = ("-o", "-s", "-r", "-l")
RESERVED_LONG = ("--output", "--settings", "--autoreload", "--listen")


class PublishError(Exception):
    """A reason to stop before the swap; the message says what went wrong."""


class LockBusy(Exception):
    """Another publish held the lock for longer than we were willing to wait."""


@dataclass(frozen=True)
class Places:
    """The output folder and the files kept beside it, on its file system."""

    output: Path

    @property
    def parent(self) -> Path:
        return self.output.parent

    @property
    def lock(self) -> Path:
        return self.parent / f".{self.output.name}.publish.lock"

    @property
    def previous(self) -> Path:
        return self.parent / f".{self.output.name}.previous"

    @property
    def staging_prefix(self) -> str:
        return f".{self.output.name}.staging-"

    def new_staging(self) -> Path:
        """A staging path no other run uses: timestamp and process id."""
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        return self.parent / f"{self.staging_prefix}{stamp}-{os.getpid()}"

    def stale_stagings(self) -> list[Path]:
        return sorted(self.parent.glob(f"{self.staging_prefix}*"))


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """Kurier's options; everything else is handed to Pelican unchanged."""
    parser = argparse.ArgumentParser(
        prog="python -m kurier.publish",
        description="Check, build and atomically publish the Kurier site.",
        allow_abbrev=False,
    )
    parser.add_argument("--content", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("--settings", required=True, type=Path)
    parser.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WAIT,
        help="seconds to wait for a running publish (default %(default)s)",
    )
    parser.add_argument(
        "--build-timeout",
        type=float,
        default=DEFAULT_BUILD_TIMEOUT,
        help="seconds the Pelican build may take (default %(default)s)",
    )
    args, extra = parser.parse_known_args(argv)
    for option in extra:
        if _reserved(option):
            parser.error(f"{option} cannot be passed to Pelican by publish")
    return args, extra


def _reserved(option: str) -> bool:
    name = option.split("=", 1)[0]
    if name in RESERVED_SHORT:
        return True
    # Pelican's own parser accepts abbreviations such as --out.
    return len(name) > 3 and any(long.startswith(name) for long in RESERVED_LONG)


def say(message: str) -> None:
    print(f"publish: {message}", flush=True)


def warn(message: str) -> None:
    print(f"publish: {message}", file=sys.stderr, flush=True)


@contextmanager
def locked(path: Path, wait: float) -> Iterator[None]:
    """Hold an exclusive flock on `path`, waiting at most `wait` seconds.

    The lock file stays in place after the run: removing it would let a
    waiting run and a new one lock two different files.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(_lock_holder(fd)) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _lock_holder(fd: int) -> str:
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return f"process {text}" if text.isdigit() else "another process"


def remove(path: Path) -> None:
    """Delete a folder tree, a file or a link, if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def remove_stale_stagings(places: Places) -> None:
    """Delete staging folders of crashed runs: we hold the lock, so none is in use."""
    for stale in places.stale_stagings():
        warn(f"removing {stale.name}, left behind by an interrupted publish")
        remove(stale)


def run_checks(settings: Path, content: Path) -> int:
    """`make check`, in this process; its problems are printed as path:line: message."""
    from kurier import check

    try:
        return check.main(["--settings", str(settings), str(content)])
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else EXIT_FAILED
    except Exception:
        traceback.print_exc()
        return EXIT_FAILED


def build(content: Path, staging: Path, settings: Path, extra: list[str], timeout: float) -> None:
    """Build the site into `staging` with Pelican in a process of its own."""
    command = [
        sys.executable, "-m", "pelican", str(content),
        "-o", str(staging), "-s", str(settings), "--fatal", "errors", *extra,
    ]  # fmt: skip
    # Wide lines keep Pelican's messages (with their levels) whole in the tail.
    env = {**os.environ, "COLUMNS": "200"}
    try:
        result = subprocess.run(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as expired:
        output = expired.output or ""
        if isinstance(output, bytes):
            output = output.decode(errors="replace")
        raise PublishError(
            f"the Pelican build took longer than {timeout:g} s and was stopped\n" + tail(output)
        ) from None
    if result.returncode != 0:
        raise PublishError(
            f"the Pelican build failed (exit status {result.returncode}):\n" + tail(result.stdout)
        )


def tail(output: str, count: int = TAIL_LINES) -> str:
    """The last lines of Pelican's output, and its first error if that is earlier."""
    lines = [line.rstrip() for line in output.rstrip().splitlines()]
    errors = [line for line in lines[:-count] if "CRITICAL" in line or "ERROR" in line]
    shown = [*errors[:5], "..."] if errors else []
    return "\n".join([*shown, *lines[-count:]])


def verify(staging: Path) -> list[dict[str, object]]:
    """Refuse a build without a front page or a readable manifest; return it."""
    for name in REQUIRED_FILES:
        if not (staging / name).is_file():
            raise PublishError(f"the build has no {name}")
    try:
        manifest = json.loads((staging / "articles.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise PublishError(f"the build's articles.json is unreadable: {error}") from None
    if not isinstance(manifest, list):
        raise PublishError("the build's articles.json is not a list of articles")
    return manifest


def exchange(first: Path, second: Path) -> None:
    """Swap two paths in one step: renameat2(RENAME_EXCHANGE), Linux only.

    Raises OSError with ENOSYS where the system or C library lacks it.
    """
    if not sys.platform.startswith("linux"):
        raise OSError(errno.ENOSYS, f"renameat2 is Linux-only, not on {sys.platform}")
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        renameat2 = libc.renameat2
    except AttributeError:
        raise OSError(errno.ENOSYS, "the C library has no renameat2") from None
    renameat2.argtypes = [
        ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint,
    ]  # fmt: skip
    renameat2.restype = ctypes.c_int
    status = renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    if status != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(first), None, str(second))


def swap(staging: Path, places: Places, *, atomic: bool = True) -> None:
    """Put `staging` at the output path and keep the replaced site as previous.

    With `atomic` the output path never stops holding a complete site; without
    it (or where renameat2 is missing) two renames leave it empty for an instant.
    """
    output = places.output
    if not output.exists() and not output.is_symlink():
        os.rename(staging, output)
        return
    _keep_mode(output, staging)
    if atomic:
        try:
            exchange(staging, output)
        except OSError as error:
            if error.errno not in _NO_EXCHANGE:
                raise
            warn(
                f"atomic swap unavailable ({error.strerror}); using two renames, "
                f"so {output.name}/ is missing for an instant"
            )
        else:
            _keep_as_previous(staging, places)  # staging now holds the old site
            return
    _clear_previous(places)
    os.rename(output, places.previous)
    try:
        os.rename(staging, output)
    except OSError:
        os.rename(places.previous, output)  # put the old site back
        raise


def _keep_mode(output: Path, staging: Path) -> None:
    """Give the new site the old folder's permissions (the web server reads it)."""
    if output.is_dir():
        os.chmod(staging, output.stat().st_mode & 0o7777)


def _keep_as_previous(old_site: Path, places: Places) -> None:
    """Move the replaced site aside; the new one is live whatever happens here."""
    try:
        _clear_previous(places)
        os.rename(old_site, places.previous)
    except OSError as error:
        warn(f"the new site is live, but the old one could not be kept: {error}")


def _clear_previous(places: Places) -> None:
    """Remove the older previous site; named as a staging folder until it is gone."""
    if places.previous.exists() or places.previous.is_symlink():
        trash = Path(f"{places.new_staging()}-old")
        os.rename(places.previous, trash)
        remove(trash)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM while the site is being swapped."""
    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


class Stopped(BaseException):
    """SIGTERM arrived (cron or systemd gave up); `finally` blocks still clean up.

    A BaseException, so the content checks' error handling cannot swallow it.
    """


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise Stopped(signum)


def summary(manifest: list[dict[str, object]], places: Places, seconds: float) -> str:
    languages = Counter(str(entry.get("lang")) for entry in manifest)
    per_lang = ", ".join(f"{count} {lang}" for lang, count in sorted(languages.items()))
    kept = f"; the previous site is in {places.previous.name}/" if places.previous.exists() else ""
    count = len(manifest)
    noun = "article" if count == 1 else "articles"
    detail = f" ({per_lang})" if per_lang else ""
    return f"published {count} {noun}{detail} to {places.output} in {seconds:.1f} s{kept}"


def publish(args: argparse.Namespace, extra: list[str]) -> int:
    """Check, build, verify and swap; return the exit status."""
    started = time.monotonic()
    places = Places(args.output.absolute())
    places.parent.mkdir(parents=True, exist_ok=True)
    with locked(places.lock, args.wait):
        remove_stale_stagings(places)
        if run_checks(args.settings, args.content) != 0:
            warn(f"content has errors; {NOT_CHANGED}")
            return EXIT_FAILED
        staging = places.new_staging()
        try:
            # os.mkdir, not mkdtemp: the web server must be able to read the site.
            os.mkdir(staging)
            build(args.content, staging, args.settings, extra, args.build_timeout)
            manifest = verify(staging)
            with signals_deferred():
                swap(staging, places)
        except (PublishError, OSError) as error:
            warn(str(error))
            warn(NOT_CHANGED)
            return EXIT_FAILED
        finally:
            discard(staging)
    say(summary(manifest, places, time.monotonic() - started))
    return 0


def discard(staging: Path) -> None:
    """Remove a staging folder; a failure only leaves work for the next run."""
    try:
        remove(staging)
    except OSError as error:
        warn(f"could not remove {staging}: {error}")


def main(argv: list[str] | None = None) -> int:
    """The command line: see the module's docstring."""
    args, extra = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        return publish(args, extra)
    except LockBusy as busy:
        lock = Places(args.output.absolute()).lock
        warn(
            f"another publish ({busy}) has held {lock} for more than "
            f"{args.wait:g} s; {NOT_CHANGED}, try again later"
        )
        return EXIT_LOCKED
    except (Stopped, KeyboardInterrupt) as stop:
        # The swap is one step with signals held back: the site is whole.
        signum = stop.args[0] if isinstance(stop, Stopped) else signal.SIGINT
        warn(f"stopped by {signal.Signals(signum).name}; the live site is whole")
        return 128 + signum
    except OSError as error:
        warn(f"cannot publish: {error}; {NOT_CHANGED}")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
