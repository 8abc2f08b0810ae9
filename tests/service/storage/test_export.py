"""Copies of a database: backup, export and import, TinyDB's whole-database read and write."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from tinydb import TinyDB
from tinydb.table import Document

from comments_service.storage import (
    Database,
    ExportFormatError,
    NewerSchemaError,
    NotEmptyError,
    SQLiteStorage,
    StorageError,
)
from tests.service.storage.kit import Q, pairs, pragma


def test_storage_backup_is_consistent_while_another_handle_writes(
    db: Database, path: Path, tmp_path: Path
) -> None:
    db.table("comments", indexes=("thread",)).insert_multiple(
        {"thread": "t", "i": i} for i in range(2000)
    )
    stop = threading.Event()

    def write() -> None:
        with Database(path, synchronous="OFF") as other:
            comments = other.table("comments")
            while not stop.is_set():
                comments.insert({"thread": "t", "i": -1})

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = [tmp_path / f"backup-{n}.sqlite3" for n in range(3)]
        for copy in copies:
            db.backup(copy)
    finally:
        stop.set()
        writer.join()
    for copy in copies:
        assert not Path(f"{copy}-wal").exists()
        assert pragma(copy, "journal_mode") == "delete"
        with Database(copy) as restored:
            assert restored.integrity_check() == "ok"
            ids = [doc.doc_id for doc in restored.table("comments").all()]
            assert ids == list(range(1, len(ids) + 1))  # a prefix: no torn write
            assert len(ids) >= 2000
            assert restored.table("comments").indexes == {"thread"}


def test_storage_backup_refuses_itself_and_open_transactions(
    db: Database, path: Path, tmp_path: Path
) -> None:
    with pytest.raises(StorageError, match="onto itself"):
        db.backup(path)
    with db.transaction(), pytest.raises(StorageError, match="inside a transaction"):
        db.backup(tmp_path / "copy.sqlite3")


def make_history(db: Database) -> None:
    comments = db.table("comments", indexes=("thread", "author_id"))
    comments.insert_multiple(
        {"thread": f"t{i % 3}", "author_id": f"u{i}", "body": "zażółć 😀"} for i in range(10)
    )
    comments.remove(doc_ids=[2, 9, 10])  # the highest ids must not come back
    db.table("threads").insert(Document({"slug": "a", "count": 7}, 40))
    db.table("empty", persist_empty=True)
    db.table("emptied").insert({})
    db.table("emptied").truncate()


def test_storage_export_import_round_trips_everything(db: Database, tmp_path: Path) -> None:
    make_history(db)
    exported = json.loads(json.dumps(db.export()))  # JSON-able
    assert exported["tables"]["comments"]["last_id"] == 10
    with Database(tmp_path / "copy.sqlite3") as copy:
        copy.import_(exported)
        assert copy.export() == exported
        assert copy.tables() == db.tables()
        comments = copy.table("comments")
        assert pairs(comments.all()) == pairs(db.table("comments").all())
        assert comments.indexes == {"thread", "author_id"}
        assert "USING INDEX" in comments.query_plan(Q.author_id == "u1")[0]
        assert comments.insert({}) == 11
        assert copy.table("threads").insert({}) == 41
        assert copy.table("emptied").insert({}) == 2
        assert copy.table("empty").insert({}) == 1


def test_storage_import_refuses_non_empty_unless_replace(db: Database, tmp_path: Path) -> None:
    make_history(db)
    exported = db.export()
    with Database(tmp_path / "other.sqlite3") as other:
        other.table("comments").insert({"n": 1})
        other.table("extra").insert({"n": 2})
        with pytest.raises(NotEmptyError, match="already holds documents"):
            other.import_(exported)
        assert other.table("comments").all() == [{"n": 1}]
        other.import_(exported, replace=True)
        assert other.export() == exported
        assert "extra" not in other.tables()


def test_storage_import_into_empty_tables_keeps_their_sequences(
    db: Database, tmp_path: Path
) -> None:
    make_history(db)
    exported = db.export()
    with Database(tmp_path / "other.sqlite3") as other:
        comments = other.table("comments", indexes=("body",))
        comments.insert_multiple({} for _ in range(30))
        comments.truncate()
        other.import_(exported)
        assert comments.indexes == {"body", "thread", "author_id"}
        assert comments.insert({}) == 31  # ids 11..30 were handed out here before


@pytest.mark.parametrize(
    "data, error",
    [
        pytest.param([], ExportFormatError, id="not-a-dict"),
        pytest.param({"format": "tinydb"}, ExportFormatError, id="format"),
        pytest.param(
            {"format": "kurier-comments", "schema": 9, "tables": {}},
            NewerSchemaError,
            id="newer",
        ),
        pytest.param(
            {"format": "kurier-comments", "schema": 1, "tables": []},
            ExportFormatError,
            id="tables",
        ),
        pytest.param(
            {"format": "kurier-comments", "schema": 1, "tables": {"t": {}}},
            ExportFormatError,
            id="no-documents",
        ),
        pytest.param(
            {
                "format": "kurier-comments",
                "schema": 1,
                "tables": {"t": {"documents": {"x": {}}}},
            },
            ExportFormatError,
            id="bad-id",
        ),
        pytest.param(
            {
                "format": "kurier-comments",
                "schema": 1,
                "tables": {"t": {"documents": {"1": {}, 1: {}}}},
            },
            ExportFormatError,
            id="id-twice",
        ),
        pytest.param(
            {
                "format": "kurier-comments",
                "schema": 1,
                "tables": {"t": {"documents": {"1": "text"}}},
            },
            ExportFormatError,
            id="not-a-document",
        ),
        pytest.param(
            {
                "format": "kurier-comments",
                "schema": 1,
                "tables": {"t": {"documents": {}, "indexes": ["a b"]}},
            },
            ExportFormatError,
            id="bad-index",
        ),
    ],
)
def test_storage_import_rejects_malformed_data(
    db: Database, data: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        db.import_(data)
    assert db.tables() == set()


def test_storage_whole_database_read_and_write(db: Database) -> None:
    make_history(db)
    store = db.storage
    data = store.read()
    assert data["threads"] == {"40": {"slug": "a", "count": 7}}
    assert data["empty"] == {}
    store.write({"threads": {"40": {"slug": "b"}}, "new": {"3": {"n": 1}}})
    assert store.read() == {"threads": {"40": {"slug": "b"}}, "new": {"3": {"n": 1}}}
    assert db.tables() == {"threads", "new"}
    assert db.table("new").insert({}) == 4


def test_storage_plain_tinydb_can_use_the_storage(path: Path) -> None:
    with TinyDB(path, storage=SQLiteStorage) as plain:
        plain.insert({"n": 1})
        plain.table("other").insert({"n": 2})
        assert plain.search(Q.n == 1) == [{"n": 1}]
    with Database(path) as db:
        assert db.tables() == {"_default", "other"}
        assert db.table("other").all() == [{"n": 2}]
