"""Settings from COMMENTS_* environment variables, read and checked in one place.

A bad value fails at start with a message naming the variable, never later
in a request.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

AUTH_MODES = ("open", "header")
SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
DEFAULT_REACTIONS = ("like", "love", "celebrate", "insightful", "curious")
_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_REACTION = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


class ConfigError(ValueError):
    """A COMMENTS_* variable has a value Kurier cannot use; the text names it."""


@dataclass(frozen=True)
class RateLimit:
    """At most `count` events per `period` seconds."""

    count: int
    period: float

    @property
    def interval(self) -> float:
        return self.period / self.count


@dataclass(frozen=True)
class Settings:
    """Everything the service is configured with (see docs/API.md)."""

    db: Path = Path("var/comments.sqlite3")
    site_dir: Path | None = None
    articles: Path | None = None
    auth: str = "open"
    trusted_proxies: tuple = field(default_factory=lambda: _networks("127.0.0.1/32,::1/128", ""))
    moderators: frozenset[str] = frozenset()
    moderator_group: str = ""
    admin_password: str = ""
    secret_key: str = ""
    allowed_origins: tuple[str, ...] = ()
    reactions: tuple[str, ...] = DEFAULT_REACTIONS
    rate_limit: RateLimit = RateLimit(10, 60)
    premoderation: bool = False
    flag_threshold: int = 3  # open reports that hide a comment until a moderator looks
    synchronous: str = "FULL"
    timezone: str = "Europe/Warsaw"  # how the admin pages show times (the API stays in UTC)
    max_streams_per_person: int = 5
    # Live events; fixed in production, shorter in tests.
    max_anonymous_streams: int = 1000
    events_heartbeat: float = 15.0
    events_poll_interval: float = 0.1

    @property
    def articles_path(self) -> Path | None:
        if self.articles is not None:
            return self.articles
        return self.site_dir / "articles.json" if self.site_dir else None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the COMMENTS_* variables; raise ConfigError naming a bad one."""
        env = os.environ if env is None else env

        def get(name: str, default: str = "") -> str:
            return env.get(f"COMMENTS_{name}", default).strip()

        db = Path(get("DB", "var/comments.sqlite3"))
        site_dir = Path(get("SITE_DIR")) if get("SITE_DIR") else None
        if site_dir is not None and not site_dir.is_dir():
            raise ConfigError(f"COMMENTS_SITE_DIR: {site_dir} is not a directory")
        return cls(
            db=db,
            site_dir=site_dir,
            articles=Path(get("ARTICLES")) if get("ARTICLES") else None,
            auth=_choice("COMMENTS_AUTH", get("AUTH", "open").lower(), AUTH_MODES),
            trusted_proxies=_networks(
                get("TRUSTED_PROXIES", "127.0.0.1/32,::1/128"),
                "COMMENTS_TRUSTED_PROXIES",
            ),
            moderators=frozenset(_items(get("MODERATORS"))),
            moderator_group=get("MODERATOR_GROUP"),
            admin_password=get("ADMIN_PASSWORD"),
            secret_key=get("SECRET_KEY") or _stored_secret(db),
            allowed_origins=_origins(get("ALLOWED_ORIGINS")),
            reactions=_reactions(get("REACTIONS", ",".join(DEFAULT_REACTIONS))),
            rate_limit=parse_rate_limit(get("RATE_LIMIT", "10/minute")),
            premoderation=_switch("COMMENTS_PREMODERATION", get("PREMODERATION", "off").lower()),
            flag_threshold=_positive_int("COMMENTS_FLAG_THRESHOLD", get("FLAG_THRESHOLD", "3")),
            synchronous=_choice(
                "COMMENTS_SYNCHRONOUS", get("SYNCHRONOUS", "FULL").upper(), SYNCHRONOUS
            ),
            max_streams_per_person=_positive_int("COMMENTS_MAX_STREAMS", get("MAX_STREAMS", "5")),
            timezone=_timezone(get("TIMEZONE", "Europe/Warsaw")),
        )


def _items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"{name}: '{value}' is not one of {', '.join(choices)}")
    return value


def _switch(name: str, value: str) -> bool:
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0", ""):
        return False
    raise ConfigError(f"{name}: '{value}' is not on or off")


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ValueError, ZoneInfoNotFoundError):
        raise ConfigError(
            f"COMMENTS_TIMEZONE: '{value}' is not a time zone name like Europe/Warsaw"
        ) from None
    return value


def _positive_int(name: str, value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"{name}: '{value}' is not a positive whole number")
    return int(value)


def _networks(value: str, name: str) -> tuple:
    networks = []
    for item in _items(value):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(f"{name}: '{item}' is not an IP address or network") from None
    return tuple(networks)


def _origins(value: str) -> tuple[str, ...]:
    origins = []
    for item in _items(value):
        origin = item.rstrip("/")
        if not re.match(r"^https?://[^/\s?#]+$", origin):
            raise ConfigError(
                f"COMMENTS_ALLOWED_ORIGINS: '{item}' is not an origin "
                "like https://kurier.intranet.example"
            )
        origins.append(origin.lower())
    return tuple(origins)


def _reactions(value: str) -> tuple[str, ...]:
    kinds = _items(value.lower())
    if not kinds:
        raise ConfigError("COMMENTS_REACTIONS: give at least one reaction kind")
    for kind in kinds:
        if not _REACTION.match(kind):
            raise ConfigError(f"COMMENTS_REACTIONS: '{kind}' must be a short lowercase word")
    if len(set(kinds)) != len(kinds):
        raise ConfigError("COMMENTS_REACTIONS: a reaction kind is listed twice")
    return tuple(kinds)


def parse_rate_limit(value: str) -> RateLimit:
    """Read 'N/period' (period: second, minute, hour or day), e.g. '10/minute'."""
    match = re.match(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$", value)
    if not match or int(match[1]) < 1:
        raise ConfigError(
            f"COMMENTS_RATE_LIMIT: '{value}' is not like 10/minute "
            "(a positive number per second, minute, hour or day)"
        )
    return RateLimit(int(match[1]), _PERIODS[match[2]])


def _stored_secret(db: Path) -> str:
    """The signing key kept beside the database, made on first start."""
    path = db.parent / "secret_key"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written aside, then linked into place: when several workers start
            # at once, exactly one key wins and nobody reads a half-written file.
            draft = path.with_name(f".secret_key.{os.getpid()}")
            draft.write_text(secrets.token_urlsafe(48) + "\n", encoding="utf-8")
            draft.chmod(0o600)
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        key = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(
            f"COMMENTS_SECRET_KEY: not set, and {path} cannot be used ({error})"
        ) from None
    if len(key) < 32:
        raise ConfigError(f"COMMENTS_SECRET_KEY: {path} holds no usable key")
    return key
