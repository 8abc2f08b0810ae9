"""Tables, their indexes and several handles on one file; how documents are read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from comments_service.storage import Database
from comments_service.storage.documents import decode
from tests.service.storage.kit import Q, pairs


@pytest.mark.sqlite_only
def test_storage_tables_are_created_on_first_write(db: Database) -> None:
    comments = db.table("comments")
    assert comments.search(Q.n == 1) == [] and len(comments) == 0
    assert db.tables() == set()
    comments.insert({"n": 1})
    db.table("indexed", indexes=("thread",))
    db.table("empty", persist_empty=True)
    assert db.tables() == {"comments", "indexed", "empty"}


def test_storage_drop_table_and_drop_tables(db: Database) -> None:
    db.table("a").insert_multiple([{}, {}])
    db.table("b").insert({})
    db.drop_table("a")
    db.drop_table("missing")
    assert db.tables() == {"b"}
    assert db.table("a").all() == []
    assert db.table("a").insert({}) == 1  # a dropped table's ids start again
    db.drop_tables()
    assert db.tables() == set()
    assert db.table("b").all() == []


def test_storage_default_table_through_database(db: Database) -> None:
    assert db.insert({"n": 1}) == 1
    assert len(db) == 1 and [doc.doc_id for doc in db] == [1]
    assert db.search(Q.n == 1) == [{"n": 1}]
    assert db.tables() == {"_default"}


def test_storage_index_declared_later_and_seen_by_other_handles(db: Database, path: Path) -> None:
    comments = db.table("comments")
    comments.insert_multiple({"thread": f"t{i}"} for i in range(20))
    assert "SCAN" in comments.query_plan(Q.thread == "t1")[0]
    assert db.table("comments", indexes=("thread",)) is comments
    assert "USING INDEX" in comments.query_plan(Q.thread == "t1")[0]
    db.table("comments", indexes=("thread",))  # again: nothing changes
    with Database(path) as other:
        assert other.table("comments").indexes == {"thread"}
        assert "USING INDEX" in other.table("comments").query_plan(Q.thread == "t1")[0]
    names = {
        row[0]
        for row in db.storage._conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    }
    assert "idx:comments:thread" in names


@pytest.mark.parametrize("field", ["", "a b", "x'); DROP TABLE t; --", "1a", 3])
def test_storage_refuses_bad_index_names(db: Database, field: Any) -> None:
    with pytest.raises(ValueError, match="cannot index"):
        db.table("comments", indexes=(field,))


def test_storage_refuses_a_string_as_index_list(db: Database) -> None:
    with pytest.raises(TypeError, match="sequence of field names"):
        db.table("comments", indexes="thread")


def test_storage_decoding_reads_our_rows_and_refuses_garbage() -> None:
    assert decode('{"a":[1,{"b":null}],"c":"\\u0105"}') == {
        "a": [1, {"b": None}],
        "c": "ą",
    }
    assert decode(' { "a" : 1 } ') == {"a": 1}  # not ours, still read
    for text in ["", "{", '{"a":1}x', "nope"]:
        with pytest.raises(json.JSONDecodeError):
            decode(text)


def test_storage_table_names_are_quoted(db: Database) -> None:
    name = 'odd "name"; DROP TABLE kurier_tables'
    table = db.table(name, indexes=("thread",))
    table.insert({"thread": "x"})
    assert table.search(Q.thread == "x") == [{"thread": "x"}]
    assert db.tables() == {name}


def test_storage_handles_share_no_cache(db: Database, path: Path) -> None:
    comments = db.table("comments", indexes=("thread",))
    with Database(path) as other:
        others = other.table("comments", indexes=("thread",))
        assert comments.search(Q.thread == "a") == []
        version = db.data_version()
        others.insert({"thread": "a"})
        assert db.data_version() != version
        assert pairs(comments.search(Q.thread == "a")) == [(1, {"thread": "a"})]
        others.update({"n": 1}, Q.thread == "a")
        assert comments.get(doc_id=1) == {"thread": "a", "n": 1}
        assert comments.insert({"thread": "b"}) == 2


def test_storage_survives_table_dropped_by_other_handle(db: Database, path: Path) -> None:
    comments = db.table("comments", indexes=("thread",))
    comments.insert({"thread": "a"})
    with Database(path) as other:
        other.drop_table("comments")
    assert comments.search(Q.thread == "a") == []
    assert comments.insert({"thread": "b"}) == 1
    assert comments.indexes == {"thread"}
    assert "USING INDEX" in comments.query_plan(Q.thread == "b")[0]
