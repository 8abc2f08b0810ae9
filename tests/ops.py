"""What the tests of running the service share: another writer holding the database's
write lock, log records as the JSON lines `serve` writes, and /metrics as numbers."""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
from prometheus_client.parser import text_string_to_metric_families

from comments_service.logs import JsonFormatter
from comments_service.storage.postgres.address import Address
from comments_service.storage.postgres.transactions import WRITE_LOCK

Labels = tuple[tuple[str, str], ...]


@contextlib.contextmanager
def writers_lock_held(location: str | Path) -> Iterator[None]:
    """Another process's writer holds the write lock: SQLite's (BEGIN IMMEDIATE on its
    own connection) or PostgreSQL's writers' advisory lock, as a stuck writer would."""
    if isinstance(location, Path):
        conn = sqlite3.connect(location, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    with psycopg.connect(Address.parse(location).conninfo, autocommit=True) as pg:
        pg.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK,))
        try:
            yield
        finally:
            pg.execute("SELECT pg_advisory_unlock(%s)", (WRITE_LOCK,))


class JsonLines(logging.Handler):
    """The lines `serve` writes with COMMENTS_LOG_FORMAT=json, formatted as each record is
    logged (in the request's own context, as a stream handler does), parsed back."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        assert "\n" not in line, line  # one line per record, whatever it holds
        self.lines.append(json.loads(line))

    def of(self, logger: str) -> list[dict]:
        return [line for line in self.lines if line["logger"] == logger]


@contextlib.contextmanager
def json_log(logger: str = "comments_service", level: int = logging.INFO) -> Iterator[JsonLines]:
    """The JSON lines `logger` and its children write meanwhile, at `level` and above."""
    handler, target = JsonLines(), logging.getLogger(logger)
    previous = target.level
    target.addHandler(handler)
    target.setLevel(level)
    try:
        yield handler
    finally:
        target.removeHandler(handler)
        target.setLevel(previous)


def samples(text: str) -> dict[str, dict[Labels, float]]:
    """Every sample of a Prometheus text exposition: name -> {sorted labels: value}."""
    found: dict[str, dict[Labels, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = tuple(sorted(sample.labels.items()))
            found.setdefault(sample.name, {})[labels] = sample.value
    return found


def value(found: dict[str, dict[Labels, float]], name: str, **labels: str) -> float:
    """One sample's value (0 when the exposition has no such sample)."""
    return found.get(name, {}).get(tuple(sorted(labels.items())), 0.0)
