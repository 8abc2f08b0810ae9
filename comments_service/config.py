"""Settings from COMMENTS_* environment variables, read and checked in one place.

A bad value fails at start with a message naming the variable, never later
in a request.
"""

from __future__ import annotations

import math
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .peers import Peers
from .storage.database import Database
from .storage.engines import sqlite_path
from .storage.postgres.address import Address, is_postgres

AUTH_MODES = ("open", "header")
LOG_FORMATS = ("json", "text")
LOCAL_PEERS = "127.0.0.1/32,::1/128"  # the default of who is trusted and who may read /metrics
SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
DEFAULT_REACTIONS = ("like", "love", "celebrate", "insightful", "curious")
DEFAULT_HEAD_TIMEOUT = 10.0  # seconds for a request's line and headers
_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_REACTION = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_PROXY_SECRET = re.compile(r"^[A-Za-z0-9._~+/=-]{16,256}$")


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

    #: An SQLite file, or a postgresql:// address (see storage.Database).
    db: Path | str = Path("var/comments.sqlite3")
    site_dir: Path | None = None
    articles: Path | None = None
    auth: str = "open"
    trusted_proxies: Peers = field(default_factory=lambda: Peers.parse(LOCAL_PEERS))
    # With it set, identity headers count only from requests that carry it (the front sets it).
    proxy_secret: str = ""
    sign_out_url: str = ""  # where the widget's "Sign out" leads (header mode's front)
    metrics_allow: Peers = field(default_factory=lambda: Peers.parse(LOCAL_PEERS))
    log_format: str = "json"  # COMMENTS_LOG_FORMAT: how `serve` writes its logs
    moderators: frozenset[str] = frozenset()
    moderator_group: str = ""
    admin_password: str = ""
    secret_key: str = ""
    #: Keys that signed cookies before a rotation, still accepted (COMMENTS_SECRET_KEY_PREVIOUS).
    previous_secret_keys: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    reactions: tuple[str, ...] = DEFAULT_REACTIONS
    rate_limit: RateLimit = RateLimit(10, 60)
    premoderation: bool = False
    flag_threshold: int = 3  # open reports that hide a comment until a moderator looks
    synchronous: str = "FULL"
    timezone: str = "Europe/Warsaw"  # how the admin pages show times (the API stays in UTC)
    header_timeout: float = DEFAULT_HEAD_TIMEOUT  # COMMENTS_HEADER_TIMEOUT (server.py applies it)
    public_url: str = ""  # COMMENTS_PUBLIC_URL, without a trailing slash
    # Per-person limits of the other writes, so none of them can flood the streams.
    edit_rate_limit: RateLimit = RateLimit(10, 60)
    reaction_rate_limit: RateLimit = RateLimit(60, 60)  # reactions and likes, on and off
    report_rate_limit: RateLimit = RateLimit(10, 3600)
    # Open mode: display-name identities made per client address, and how old one
    # must be before it may report (a fresh name per report would make reports free).
    identity_rate_limit: RateLimit = RateLimit(20, 3600)
    report_min_age: int = 300
    sign_in_failure_delay: float = 1.0  # seconds a wrong moderator password waits for
    max_streams_per_person: int = 5
    max_anonymous_streams_per_address: int = 50
    # Live events; fixed in production, shorter in tests.
    max_anonymous_streams: int = 1000
    events_heartbeat: float = 15.0
    events_poll_interval: float = 0.1
    # Seconds between looks at articles.json for a change; fixed in production, 0 in tests.
    manifest_check_interval: float = 0.25
    busy_timeout: float = 10.0  # seconds a write waits for the writers' lock; shorter in tests

    @property
    def public_origin(self) -> str | None:
        """The origin of COMMENTS_PUBLIC_URL (scheme://host[:port]), if set."""
        if not self.public_url:
            return None
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    @property
    def signing_keys(self) -> list[str]:
        """Keys a signature may have been made with, the one that signs now last
        (itsdangerous tries them all and signs with the last)."""
        return [*self.previous_secret_keys, self.secret_key]

    @property
    def own_origins(self) -> tuple[str, ...]:
        """Origins allowed to change state: COMMENTS_ALLOWED_ORIGINS, else the public one."""
        if self.allowed_origins:
            return self.allowed_origins
        return (self.public_origin,) if self.public_origin else ()

    @property
    def articles_path(self) -> Path | None:
        if self.articles is not None:
            return self.articles
        return self.site_dir / "articles.json" if self.site_dir else None

    def open_database(self) -> Database:
        """The service's database; a new SQLite file's folder is made as well."""
        return Database(
            self.db, synchronous=self.synchronous, busy_timeout=self.busy_timeout, create_dirs=True
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the COMMENTS_* variables; raise ConfigError naming a bad one."""
        env = os.environ if env is None else env

        def get(name: str, default: str = "") -> str:
            return env.get(f"COMMENTS_{name}", default).strip()

        db = database_location(get("DB", "var/comments.sqlite3"))
        site_dir = Path(get("SITE_DIR")) if get("SITE_DIR") else None
        if site_dir is not None and not site_dir.is_dir():
            raise ConfigError(f"COMMENTS_SITE_DIR: {site_dir} is not a directory")
        limits: dict[str, Any] = {
            field: parse_rate_limit(get(name, default), f"COMMENTS_{name}")
            for field, (name, default) in RATE_LIMITS.items()
        }
        return cls(
            db=db,
            site_dir=site_dir,
            articles=Path(get("ARTICLES")) if get("ARTICLES") else None,
            secret_key=get("SECRET_KEY") or _stored_secret(db),
            previous_secret_keys=tuple(_items(get("SECRET_KEY_PREVIOUS"))),
            header_timeout=head_timeout_from_env(env),
            log_format=_choice(
                "COMMENTS_LOG_FORMAT", get("LOG_FORMAT", "json").lower(), LOG_FORMATS
            ),
            **_identity_settings(get),
            **limits,
            **_discussion_settings(get),
        )


Get = Callable[..., str]

# Each per-person (or per-address) rate limit: its field, variable and default.
RATE_LIMITS = {
    "rate_limit": ("RATE_LIMIT", "10/minute"),
    "edit_rate_limit": ("EDIT_RATE_LIMIT", "10/minute"),
    "reaction_rate_limit": ("REACTION_RATE_LIMIT", "60/minute"),
    "report_rate_limit": ("REPORT_RATE_LIMIT", "10/hour"),
    "identity_rate_limit": ("IDENTITY_RATE_LIMIT", "20/hour"),
}


def _identity_settings(get: Get) -> dict[str, Any]:
    """Who people are and where requests may come from."""
    return {
        "auth": _choice("COMMENTS_AUTH", get("AUTH", "open").lower(), AUTH_MODES),
        "trusted_proxies": _peers(get("TRUSTED_PROXIES", LOCAL_PEERS), "COMMENTS_TRUSTED_PROXIES"),
        "proxy_secret": _proxy_secret(get("PROXY_SECRET")),
        "metrics_allow": _peers(get("METRICS_ALLOW", LOCAL_PEERS), "COMMENTS_METRICS_ALLOW"),
        "moderators": frozenset(_items(get("MODERATORS"))),
        "moderator_group": get("MODERATOR_GROUP"),
        "admin_password": get("ADMIN_PASSWORD"),
        "allowed_origins": _origins(get("ALLOWED_ORIGINS")),
        "public_url": _public_url(get("PUBLIC_URL")),
        "sign_out_url": _sign_out_url(get("SIGN_OUT_URL")),
    }


def _discussion_settings(get: Get) -> dict[str, Any]:
    """How discussions behave: reactions, moderation, streams, storage, times."""
    return {
        "reactions": _reactions(get("REACTIONS", ",".join(DEFAULT_REACTIONS))),
        "premoderation": _switch("COMMENTS_PREMODERATION", get("PREMODERATION", "off").lower()),
        "flag_threshold": _positive_int("COMMENTS_FLAG_THRESHOLD", get("FLAG_THRESHOLD", "3")),
        "report_min_age": _whole_number("COMMENTS_REPORT_MIN_AGE", get("REPORT_MIN_AGE", "300")),
        "max_streams_per_person": _positive_int("COMMENTS_MAX_STREAMS", get("MAX_STREAMS", "5")),
        "max_anonymous_streams_per_address": _positive_int(
            "COMMENTS_MAX_STREAMS_PER_ADDRESS", get("MAX_STREAMS_PER_ADDRESS", "50")
        ),
        "synchronous": _choice(
            "COMMENTS_SYNCHRONOUS", get("SYNCHRONOUS", "FULL").upper(), SYNCHRONOUS
        ),
        "timezone": _timezone(get("TIMEZONE", "Europe/Warsaw")),
    }


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
    if not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise ConfigError(f"{name}: '{value}' is not a positive whole number")
    return int(value)


def _whole_number(name: str, value: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise ConfigError(f"{name}: '{value}' is not a whole number of seconds")
    return int(value)


def _peers(value: str, name: str) -> Peers:
    try:
        return Peers.parse(value)
    except ValueError as error:
        raise ConfigError(
            f"{name}: '{error}' is not an IP address, a network or the word unix"
        ) from None


def _proxy_secret(value: str) -> str:
    """COMMENTS_PROXY_SECRET: empty, or a token a web server's config can hold as it is."""
    if value and not _PROXY_SECRET.match(value):
        # The value itself stays out of the message: it is a secret.
        raise ConfigError(
            "COMMENTS_PROXY_SECRET: use 16 to 256 letters, digits or -_.~+/= "
            "(e.g. the output of `openssl rand -hex 32`)"
        )
    return value


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


def _sign_out_url(value: str) -> str:
    """COMMENTS_SIGN_OUT_URL: an http(s) address, or a path on this site ("/oidc/…")."""
    if not value:
        return ""
    parts = urlsplit(value)
    on_site = not parts.scheme and not parts.netloc and value.startswith("/")
    if not on_site and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise ConfigError(
            f"COMMENTS_SIGN_OUT_URL: '{value}' is neither an http(s) address nor a path like "
            "/oidc/callback?logout=/"
        )
    return value


def _public_url(value: str) -> str:
    """COMMENTS_PUBLIC_URL: an http(s) address with a host, kept without a trailing slash."""
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"COMMENTS_PUBLIC_URL: '{value}' is not an address like https://kurier.intranet.example"
        )
    return value.rstrip("/")


def head_timeout_from_env(env: Mapping[str, str] | None = None) -> float:
    """COMMENTS_HEADER_TIMEOUT: seconds a client has for a request's line and headers.

    Read by each worker's HTTP protocol (server.py), which has no Settings;
    Settings.from_env reads it too, so a bad value stops the service at start.
    """
    env = os.environ if env is None else env
    value = env.get("COMMENTS_HEADER_TIMEOUT", "").strip()
    if not value:
        return DEFAULT_HEAD_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:  # NaN fails this too
        raise ConfigError(f"COMMENTS_HEADER_TIMEOUT: '{value}' is not a number of seconds above 0")
    return seconds


def parse_rate_limit(value: str, name: str = "COMMENTS_RATE_LIMIT") -> RateLimit:
    """Read 'N/period' (period: second, minute, hour or day), e.g. '10/minute'."""
    match = re.match(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)s?\s*$", value)
    if not match or int(match[1]) < 1:
        raise ConfigError(
            f"{name}: '{value}' is not like 10/minute "
            "(a positive number per second, minute, hour or day)"
        )
    return RateLimit(int(match[1]), _PERIODS[match[2]])


def database_location(value: str) -> Path | str:
    """COMMENTS_DB: a path or sqlite:///path (SQLite), or a postgresql:// address."""
    if is_postgres(value):
        try:
            Address.parse(value)
        except ValueError as error:
            raise ConfigError(f"COMMENTS_DB: {error}") from None
        return value
    return Path(sqlite_path(value))


def _stored_secret(db: Path | str) -> str:
    """The signing key kept beside the database file, made on first start."""
    if not isinstance(db, Path):
        # Every host must sign with one key, and a database server has no folder to keep it in.
        raise ConfigError(
            "COMMENTS_SECRET_KEY: set it (48 random characters, the same on every host) "
            "when COMMENTS_DB is a PostgreSQL address"
        )
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
