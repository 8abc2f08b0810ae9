"""What the storage tests share: awkward documents and queries, TinyDB as the reference, probes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tinydb import Query, TinyDB, where
from tinydb.storages import MemoryStorage
from tinydb.table import Document

from comments_service.storage import Database

Q = Query()

# Values chosen where Python and SQL equality could disagree: True == 1 == 1.0,
# "1" != 1, a list holding "a", nested fields, non-ASCII text, missing fields.
DOCS: list[dict[str, Any]] = [
    {"thread": "a", "n": 1, "author": {"id": "u1"}},
    {"thread": "b", "n": 2},
    {"thread": "a", "n": True},
    {"thread": "a", "n": 1.0},
    {"thread": ["a"], "n": "1"},
    {"n": None},
    {"thread": "zażółć 😀", "n": 2**62},
    {"thread": "A", "n": 0, "author": {"id": "u2"}},
    {"thread": "b", "n": False, "author": "u1"},
]

QUERIES = [
    pytest.param(Q.thread == "a", id="eq-str"),
    pytest.param(where("thread") == "b", id="where"),
    pytest.param(Q.n == 1, id="eq-int-matches-bool-and-float"),
    pytest.param(Q.n == True, id="eq-bool"),  # noqa: E712
    pytest.param(Q.n == 1.0, id="eq-float"),
    pytest.param(Q.n == None, id="eq-none"),  # noqa: E711
    pytest.param(Q.n == 2**62, id="eq-big-int"),
    pytest.param(Q.n == 2**70, id="eq-huge-int"),
    pytest.param(Q.thread == "zażółć 😀", id="eq-unicode"),
    pytest.param(Q.thread == ["a"], id="eq-list"),
    pytest.param(Q.author.id == "u1", id="eq-nested"),
    pytest.param(Q.thread.one_of(["a", "b"]), id="one-of"),
    pytest.param(Q.n.one_of([0, 2]), id="one-of-int"),
    pytest.param(Q.n.one_of([]), id="one-of-empty"),
    pytest.param(Q.thread.one_of(["a", None]), id="one-of-none"),
    pytest.param((Q.thread == "a") & (Q.n == 1), id="and"),
    pytest.param((Q.thread == "a") & Q.n.test(lambda v: v is True), id="and-test"),
    pytest.param((Q.thread == "a") | (Q.thread == "b"), id="or"),
    pytest.param((Q.thread == "a") | Q.author.exists(), id="or-exists"),
    pytest.param(~(Q.thread == "a"), id="not"),
    pytest.param(Q.fragment({"thread": "a", "n": 1}), id="fragment"),
    pytest.param(Q.thread.matches("[ab]"), id="matches"),
    pytest.param(Q.noop(), id="noop"),
    pytest.param(Q.n.map(lambda v: v).one_of([2]), id="map"),
    pytest.param(lambda doc: doc.get("n") == 2, id="lambda"),
]


def reference(docs: list[dict[str, Any]] = DOCS) -> Any:
    """TinyDB itself, in memory, holding ``docs``: what the answers should be."""
    ref = TinyDB(storage=MemoryStorage).table("comments")
    ref.insert_multiple(docs)
    return ref


def vm_steps(db: Database, action: Callable[[], object]) -> int:
    """How many SQLite virtual machine steps `action` takes on `db`'s connection."""
    counter = [0]

    def count() -> int:
        counter[0] += 1
        return 0

    db.storage._conn.set_progress_handler(count, 1)
    try:
        action()
    finally:
        db.storage._conn.set_progress_handler(None, 1)
    return counter[0]


def pairs(docs: list[Document]) -> list[tuple[int, dict[str, Any]]]:
    return [(doc.doc_id, dict(doc)) for doc in docs]


def create_sqlite(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()


def pragma(path: Path, name: str) -> Any:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()
