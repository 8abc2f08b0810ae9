"""A postgresql:// address: what to connect to, which schema, and how to name it in messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from hashlib import sha256
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SCHEMES = ("postgresql", "postgres")
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}\Z")


def is_postgres(location: object) -> bool:
    """Whether ``location`` names a PostgreSQL database rather than an SQLite file."""
    return isinstance(location, str) and location.split("://", 1)[0] in SCHEMES


@dataclass(frozen=True)
class Address:
    """Where a Kurier comments database lives on a PostgreSQL server."""

    conninfo: str  # the address as libpq takes it, without Kurier's own parameters
    schema: str  # the schema holding Kurier's tables
    shown: str  # the address for messages and logs: no password

    @classmethod
    def parse(cls, location: str) -> Address:
        """``postgresql://user[:password]@host[:port]/database[?schema=NAME&…]``.

        ``schema`` (default ``public``) is Kurier's: several Kurier databases
        may share one PostgreSQL database, each in its schema. The other
        parameters are libpq's (``sslmode``, ``application_name``…).
        """
        parts = urlsplit(location)
        if parts.scheme not in SCHEMES:
            raise ValueError(f"{location!r} is not a postgresql:// address")
        params = parse_qsl(parts.query, keep_blank_values=True)
        schema = next((value for key, value in params if key == "schema"), "public")
        if not _SCHEMA.match(schema):
            raise ValueError(
                f"schema {schema!r}: use lower-case letters, digits and _ (at most 63)"
            )
        rest = [(key, value) for key, value in params if key != "schema"]
        rest.append(("application_name", "kurier-comments"))
        if not any(key == "application_name" for key, _ in rest[:-1]):
            query = urlencode(rest)
        else:
            query = urlencode(rest[:-1])
        conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, query, ""))
        netloc = parts.netloc.rsplit("@", 1)
        if len(netloc) == 2 and ":" in netloc[0]:
            netloc[0] = netloc[0].split(":", 1)[0] + ":***"
        shown = urlunsplit(("postgresql", "@".join(netloc), parts.path, "", ""))
        if schema != "public":
            shown += f" (schema {schema})"
        return cls(conninfo, schema, shown)

    @property
    def channel(self) -> str:
        """The NOTIFY channel of this schema's changes."""
        channel = f"kurier_changes_{self.schema}"
        # Longer names are refused by pg_notify (and shortened by LISTEN).
        return (
            channel
            if len(channel) <= 63
            else channel[:46] + sha256(channel.encode()).hexdigest()[:17]
        )
