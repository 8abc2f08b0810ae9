"""PostgreSQL for the tests: is the server there, and a schema of its own for each test.

Tests reach the server at KURIER_TEST_POSTGRES (default
postgresql://postgres@127.0.0.1:5432/test). Every test that runs on
PostgreSQL gets a fresh schema, dropped when it ends, so tests never see
each other's data and leave nothing behind.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

SERVER = os.environ.get("KURIER_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
HOW_TO_GET_IT = (
    "PostgreSQL tests skipped: no server at {server} ({problem}). Start one (Debian: "
    "apt-get install postgresql && pg_ctlcluster 15 main start, then allow trust for "
    "127.0.0.1) or point KURIER_TEST_POSTGRES at one; under CI=true this fails instead."
)


@functools.cache
def unavailable() -> str | None:
    """Why the test server cannot be used, or None when it can."""
    try:
        with psycopg.connect(SERVER, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return None


def address(schema: str) -> str:
    """The test server's address with Kurier's ``schema`` parameter."""
    return f"{SERVER}{'&' if '?' in SERVER else '?'}schema={schema}"


def drop_schema(schema: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as conn:
        # Connections of a server a test killed may still hold locks for a moment.
        conn.execute("SET lock_timeout = '20s'")
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@contextmanager
def fresh_schema(prefix: str = "t") -> Iterator[str]:
    """The address of a new, empty schema; dropped afterwards."""
    schema = f"kurier_{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        yield address(schema)
    finally:
        drop_schema(schema)
