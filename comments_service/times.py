"""Times as Kurier stores and sends them: timezone-aware UTC, ISO 8601 with a Z, to the second."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, UTC, without fractions of a second."""
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """A time as UTC ISO 8601 with a Z, e.g. 2026-12-02T11:20:57Z."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def now_iso() -> str:
    """The current time as `iso` writes it."""
    return iso(datetime.now(UTC))


def from_timestamp(seconds: float) -> str:
    """A Unix time as `iso` writes it."""
    return iso(datetime.fromtimestamp(seconds, UTC))


def parse(value: str) -> datetime:
    """A time `iso` wrote (or any ISO 8601 time) as a datetime."""
    return datetime.fromisoformat(value)
