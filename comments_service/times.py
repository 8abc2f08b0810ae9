"""Times as Kurier stores and sends them: timezone-aware UTC, ISO 8601 with a Z, to the second.

The current time here comes from one clock: `system_clock`, unless `use_clock`
put another in its place (a test that must see time pass without waiting).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The machine's time, timezone-aware UTC."""
    return datetime.now(UTC)


_clock: Clock = system_clock


def use_clock(clock: Clock) -> Clock:
    """Take the current time from `clock` from here on; returns the clock it replaces."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def now() -> datetime:
    """The current time, UTC, without fractions of a second."""
    return _clock().astimezone(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """A time as UTC ISO 8601 with a Z, e.g. 2026-12-02T11:20:57Z."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def now_iso() -> str:
    """The current time as `iso` writes it."""
    return iso(_clock())


def from_timestamp(seconds: float) -> str:
    """A Unix time as `iso` writes it."""
    return iso(datetime.fromtimestamp(seconds, UTC))


def parse(value: str) -> datetime:
    """A time `iso` wrote (or any ISO 8601 time) as a datetime."""
    return datetime.fromisoformat(value)


def unix() -> int:
    """The current time as whole seconds since 1970 (for ages kept in cookies)."""
    return int(now().timestamp())
