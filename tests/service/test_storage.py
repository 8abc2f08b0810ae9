"""The SQLite storage: TinyDB's API on rows, transactions, refusals, backup, export."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tinydb import Query, TinyDB, where
from tinydb.storages import MemoryStorage
from tinydb.table import Document

from comments_service import storage
from comments_service.storage import (
    APPLICATION_ID,
    DamagedDatabaseError,
    Database,
    DatabaseBusyError,
    ExportFormatError,
    ForeignDatabaseError,
    MigrationError,
    NewerSchemaError,
    NotEmptyError,
    SQLiteStorage,
    SQLiteTable,
    StorageError,
    bench_insert_and_read,
)

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


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "comments.sqlite3"


@pytest.fixture
def db(path: Path) -> Iterator[Database]:
    with Database(path) as database:
        yield database


@pytest.fixture(params=["indexed", "plain"])
def table(request: pytest.FixtureRequest, db: Database) -> SQLiteTable:
    """Table "comments", with or without indexes: results must not differ."""
    indexes = ("thread", "n", "author.id") if request.param == "indexed" else ()
    return db.table("comments", indexes=indexes)


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


# --- the TinyDB API on rows -------------------------------------------------


def test_storage_insert_returns_ids_and_documents(table: SQLiteTable) -> None:
    assert table.insert({"thread": "a"}) == 1
    assert table.insert(Document({"thread": "b"}, 7)) == 7
    assert table.insert({"thread": "c"}) == 8
    docs = table.all()
    assert all(isinstance(doc, Document) for doc in docs)
    assert pairs(docs) == [
        (1, {"thread": "a"}),
        (7, {"thread": "b"}),
        (8, {"thread": "c"}),
    ]


@pytest.mark.parametrize(
    "document, message",
    [
        pytest.param(["not", "a", "mapping"], "not a Mapping", id="not-mapping"),
        pytest.param({"n": float("nan")}, "Out of range float", id="nan"),
        pytest.param(Document({}, 1), "already exists", id="duplicate-id"),
        pytest.param(Document({}, 0), "not a positive integer", id="zero-id"),
    ],
)
def test_storage_insert_refuses_bad_documents(
    table: SQLiteTable, document: Any, message: str
) -> None:
    table.insert({"thread": "a"})
    with pytest.raises(ValueError, match=message):
        table.insert(document)
    assert pairs(table.all()) == [(1, {"thread": "a"})]


def test_storage_insert_multiple_is_one_transaction(table: SQLiteTable) -> None:
    assert table.insert_multiple([{"n": 1}, Document({"n": 2}, 5), {"n": 3}]) == [
        1,
        5,
        6,
    ]
    with pytest.raises(ValueError, match="already exists"):
        table.insert_multiple([{"n": 4}, Document({"n": 5}, 5)])
    assert [doc.doc_id for doc in table.all()] == [1, 5, 6]


@pytest.mark.parametrize("cond", QUERIES)
def test_storage_search_get_count_contains_match_tinydb(table: SQLiteTable, cond: Any) -> None:
    table.insert_multiple(DOCS)
    ref = reference()
    assert pairs(table.search(cond)) == pairs(ref.search(cond))
    assert table.count(cond) == ref.count(cond)
    assert table.contains(cond) == ref.contains(cond)
    first, expected = table.get(cond), ref.get(cond)
    assert (None if first is None else (first.doc_id, dict(first))) == (
        None if expected is None else (expected.doc_id, dict(expected))
    )


@pytest.mark.parametrize("cond", QUERIES)
def test_storage_update_and_remove_by_query_match_tinydb(table: SQLiteTable, cond: Any) -> None:
    table.insert_multiple(DOCS)
    ref = reference()
    assert table.update({"seen": True}, cond) == ref.update({"seen": True}, cond)
    assert table.remove(cond) == ref.remove(cond)
    assert pairs(table.all()) == pairs(ref.all())


def test_storage_get_by_id_and_ids(table: SQLiteTable) -> None:
    table.insert_multiple(DOCS[:4])
    doc = table.get(doc_id=2)
    assert isinstance(doc, Document) and (doc.doc_id, doc) == (2, DOCS[1])
    assert table.get(doc_id="3") == DOCS[2]  # TinyDB looks ids up as strings
    assert table.get(doc_id=99) is None
    assert table.get(doc_id=True) is None
    assert [d.doc_id for d in table.get(doc_ids=[4, 1, 99, 1])] == [1, 4]
    assert table.get(doc_ids=[]) == []
    with pytest.raises(RuntimeError):
        table.get()


def test_storage_contains_and_len(table: SQLiteTable) -> None:
    assert len(table) == 0 and not table.contains(doc_id=1)
    table.insert_multiple(DOCS)
    assert len(table) == len(DOCS)
    assert table.contains(doc_id=1) and not table.contains(doc_id=99)
    with pytest.raises(RuntimeError):
        table.contains()


def test_storage_all_and_iter_in_id_order(
    table: SQLiteTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "_PAGE", 3)  # iterate over several pages
    table.insert_multiple({"i": i} for i in range(10))
    table.remove(doc_ids=[4])
    table.insert(Document({"i": -1}, 100))
    expected = [(i + 1, {"i": i}) for i in range(10) if i != 3] + [(100, {"i": -1})]
    assert pairs(table.all()) == expected
    assert pairs(list(table)) == expected
    assert table._read_table() == {str(i): doc for i, doc in expected}


def test_storage_update_forms(table: SQLiteTable) -> None:
    table.insert_multiple([{"n": 1}, {"n": 2}, {"n": 3}])

    def bump(doc: dict) -> None:
        doc["n"] += 10

    assert table.update(bump, doc_ids=[3, 99, 1, 3]) == [3, 1]
    assert table.update({"x": 0}, Q.n > 10) == [1, 3]
    assert table.update({"all": True}) == [1, 2, 3]
    assert pairs(table.all()) == [
        (1, {"n": 11, "x": 0, "all": True}),
        (2, {"n": 2, "all": True}),
        (3, {"n": 13, "x": 0, "all": True}),
    ]


def test_storage_update_multiple_matches_tinydb(table: SQLiteTable) -> None:
    table.insert_multiple(DOCS)
    ref = reference()

    def updates() -> list[tuple[Any, Any]]:
        return [
            ({"first": 1}, Q.thread == "a"),
            (lambda doc: doc.update(second=2), Q.thread.one_of(["a", "b"])),
            ({"third": 3}, Q.n == 0),
        ]

    assert table.update_multiple(updates()) == ref.update_multiple(updates())
    assert table.update_multiple([({"x": 1}, Q.author.exists())]) == [1, 8, 9]
    ref.update_multiple([({"x": 1}, Q.author.exists())])
    assert pairs(table.all()) == pairs(ref.all())


def test_storage_upsert(table: SQLiteTable) -> None:
    table.insert_multiple([{"thread": "a", "n": 1}, {"thread": "a", "n": 2}])
    assert table.upsert({"n": 0}, Q.thread == "a") == [1, 2]
    assert table.upsert({"thread": "b", "n": 5}, Q.thread == "b") == [3]
    assert table.upsert(Document({"n": 9}, 2)) == [2]
    assert table.upsert(Document({"n": 7}, 10)) == [10]
    assert pairs(table.all()) == [
        (1, {"thread": "a", "n": 0}),
        (2, {"thread": "a", "n": 9}),
        (3, {"thread": "b", "n": 5}),
        (10, {"n": 7}),
    ]
    with pytest.raises(ValueError, match="doc_id"):
        table.upsert({"n": 1})


def test_storage_remove_forms(table: SQLiteTable) -> None:
    table.insert_multiple({"n": i} for i in range(6))
    assert table.remove(doc_ids=[6, 99, 2, 6]) == [6, 2]
    assert table.remove(Q.n >= 3) == [4, 5]
    assert table.remove(Q.n == 42) == []
    with pytest.raises(RuntimeError, match="truncate"):
        table.remove()
    assert pairs(table.all()) == [(1, {"n": 0}), (3, {"n": 2})]


def test_storage_removed_and_truncated_ids_are_never_reused(table: SQLiteTable) -> None:
    table.insert_multiple([{}, {}, {}])
    table.remove(doc_ids=[3])
    assert table.insert({}) == 4
    table.truncate()
    assert len(table) == 0
    # TinyDB restarts at 1 after truncate(); comment ids are public, so not here.
    assert table.insert({}) == 5
    table.clear_cache()  # exists for TinyDB's API; there is nothing to clear


def test_storage_plain_tinydb_internals_stay_atomic(table: SQLiteTable) -> None:
    table.insert_multiple([{"n": 1}, {"n": 2}])
    table._update_table(lambda docs: docs.pop(1))
    assert pairs(table.all()) == [(2, {"n": 2})]
    with pytest.raises(NotImplementedError):
        table._get_next_id()


def test_storage_query_plan_uses_index(db: Database) -> None:
    comments = db.table("comments", indexes=("thread", "author.id"))
    comments.insert_multiple({"thread": f"t{i % 50}", "n": i} for i in range(500))
    for cond in [
        Q.thread == "t1",
        Q.thread.one_of(["t1", "t2"]),
        (Q.thread == "t1") & (Q.n > 3),
        Q.fragment({"thread": "t1", "n": 1}),
    ]:
        plan = " ".join(comments.query_plan(cond))
        assert "SEARCH docs:comments USING INDEX idx:comments:thread" in plan, plan
    assert "idx:comments:author.id" in " ".join(comments.query_plan(Q.author.id == "u"))
    for cond in [Q.n == 1, Q.thread == True, Q.thread.one_of(["t1", None])]:  # noqa: E712
        plan = " ".join(comments.query_plan(cond))
        assert "SCAN docs:comments" in plan and "INDEX" not in plan, plan


def test_storage_cost_does_not_grow_with_table_size(tmp_path: Path) -> None:
    """SQLite VM steps for a write and an indexed read: same at 1,000 and 20,000 rows.

    Counting instructions rather than timing keeps the test deterministic; the
    unindexed scan shows the count does grow when the work grows.
    """

    def steps(n_rows: int) -> tuple[int, int, int]:
        with Database(tmp_path / f"{n_rows}.sqlite3", synchronous="OFF") as db:
            comments = db.table("comments", indexes=("thread",))
            comments.insert_multiple({"thread": f"t{i // 100}", "n": i} for i in range(n_rows))

            def measure(action: Callable[[], object]) -> int:
                return vm_steps(db, action)

            insert = measure(lambda: comments.insert({"thread": "t3", "n": -1}))
            indexed = measure(lambda: comments.search(Q.thread == "t5"))
            scan = measure(lambda: comments.search(Q.n == 5))
            return insert, indexed, scan

    small, large = steps(1_000), steps(20_000)
    assert large[0] == small[0]  # insert
    assert large[1] == small[1]  # search through the index
    assert large[2] > 10 * small[2]  # the scan does grow


@pytest.mark.parametrize("cond", QUERIES)
def test_storage_after_pages_by_id_and_matches_search(table: SQLiteTable, cond: Any) -> None:
    table.insert_multiple(DOCS * 3)
    every = table.search(cond)
    for start in (0, 4, len(DOCS) + 2):
        for limit in (1, 2, 100):
            expected = [doc for doc in every if doc.doc_id > start][:limit]
            assert pairs(table.after(start, limit, cond)) == pairs(expected)
    assert pairs(table.after(0, 100)) == pairs(table.all())


@pytest.mark.parametrize("cond", QUERIES)
def test_storage_before_pages_newest_first_and_matches_search(
    table: SQLiteTable, cond: Any
) -> None:
    table.insert_multiple(DOCS * 3)
    every = list(reversed(table.search(cond)))
    for start in (None, 4, len(DOCS) + 2):
        for limit in (1, 2, 100):
            expected = [doc for doc in every if start is None or doc.doc_id < start][:limit]
            assert pairs(table.before(start, limit, cond)) == pairs(expected)
    assert pairs(table.before(None, 100)) == pairs(list(reversed(table.all())))


def test_storage_after_reads_only_what_it_returns(tmp_path: Path) -> None:
    """SQLite VM steps for the next rows after an id: the same at 1,000 and 20,000 rows."""

    def steps(n_rows: int) -> tuple[int, int]:
        with Database(tmp_path / f"{n_rows}.sqlite3", synchronous="OFF") as db:
            changes = db.table("changes", indexes=("thread",))
            changes.insert_multiple({"thread": f"t{i % 100}", "n": i} for i in range(n_rows))

            def measure(action: Callable[[], object]) -> int:
                return vm_steps(db, action)

            tail = n_rows - 50
            latest = measure(lambda: changes.after(tail, 20))
            thread = measure(lambda: changes.after(tail - 1000, 5, Q.thread == "t7"))
            return latest, thread

    small, large = steps(1_000), steps(20_000)
    assert large == small


def test_storage_first_last_and_remove_through(db: Database) -> None:
    table = db.table("log")
    assert (table.first_id(), table.last_id()) == (None, 0)
    table.insert_multiple({"n": n} for n in range(10))
    assert (table.first_id(), table.last_id()) == (1, 10)
    assert table.remove_through(4) == 4
    assert (table.first_id(), table.last_id()) == (5, 10)
    assert table.remove_through(4) == 0
    table.remove(doc_ids=[10])
    assert table.last_id() == 10  # the latest id handed out, even when it is gone
    assert table.remove_through(100) == 5
    assert (table.first_id(), table.last_id(), len(table)) == (None, 10, 0)
    assert table.insert({"n": 11}) == 11


def test_storage_on_commit_follows_outermost_commits_only(db: Database) -> None:
    table = db.table("log")
    commits: list[int] = []
    db.storage.on_commit = lambda: commits.append(len(table))
    table.insert({"n": 1})
    with db.transaction():
        table.insert({"n": 2})
        with db.transaction():
            table.insert({"n": 3})
        assert commits == [1]
    assert commits == [1, 3]
    with pytest.raises(ValueError), db.transaction():
        table.insert({"n": 4})
        raise ValueError("rolled back")
    table.all()
    assert commits == [1, 3]


# --- tables, indexes, handles -------------------------------------------------


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
    assert storage._decode('{"a":[1,{"b":null}],"c":"\\u0105"}') == {
        "a": [1, {"b": None}],
        "c": "ą",
    }
    assert storage._decode(' { "a" : 1 } ') == {"a": 1}  # not ours, still read
    for text in ["", "{", '{"a":1}x', "nope"]:
        with pytest.raises(json.JSONDecodeError):
            storage._decode(text)


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


# --- transactions -------------------------------------------------------------


def test_storage_transaction_commits_reads_own_writes_and_rolls_back(
    db: Database, path: Path
) -> None:
    comments = db.table("comments")
    with Database(path) as other:
        with db.transaction():
            comments.insert({"n": 1})
            comments.update({"n": 2}, doc_ids=[1])
            assert comments.get(doc_id=1) == {"n": 2}  # reads see the transaction
            assert other.table("comments").all() == []  # others do not, yet
        assert other.table("comments").all() == [{"n": 2}]
        with pytest.raises(KeyError), db.transaction():
            comments.insert({"n": 3})
            raise KeyError("boom")
        assert pairs(other.table("comments").all()) == [(1, {"n": 2})]
    assert not db.storage.in_transaction


def test_storage_nested_transaction_undoes_only_itself(db: Database) -> None:
    comments = db.table("comments")
    with db.transaction():
        comments.insert({"n": 1})
        with pytest.raises(ValueError), db.transaction():
            comments.insert({"n": 2})
            raise ValueError("inner")
        # A failing table call inside a transaction leaves no half-done work.
        with pytest.raises(ValueError):
            comments.insert_multiple([{"n": 3}, Document({}, 1)])
        comments.insert({"n": 4})
    assert [doc["n"] for doc in comments.all()] == [1, 4]


def test_storage_busy_timeout_gives_clear_error(db: Database, path: Path) -> None:
    with Database(path, busy_timeout=0.1) as other, db.transaction():
        db.table("comments").insert({})
        with pytest.raises(DatabaseBusyError, match="is busy: another process held"):
            other.table("comments").insert({})


def test_storage_threads_sharing_one_handle_keep_every_increment(db: Database) -> None:
    counters = db.table("counters")
    counters.insert({"n": 0})

    def work() -> None:
        for _ in range(200):
            with db.transaction():
                value = counters.get(doc_id=1)["n"]
                counters.update({"n": value + 1}, doc_ids=[1])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counters.get(doc_id=1) == {"n": 800}


def _insert_worker(path: str, worker: int, count: int, barrier: Any, out: Any) -> None:
    with Database(path) as db:
        comments = db.table("comments", indexes=("thread",))
        barrier.wait(timeout=60)
        ids = [comments.insert({"worker": worker, "i": i}) for i in range(count)]
    out.put(ids)


def _increment_worker(path: str, count: int, barrier: Any, out: Any) -> None:
    with Database(path) as db:
        counters = db.table("counters")
        barrier.wait(timeout=60)
        for _ in range(count):
            with db.transaction():
                value = counters.get(doc_id=1)["n"]
                counters.update({"n": value + 1}, doc_ids=[1])
    out.put(count)


def run_processes(target: Callable[..., None], args_list: list[tuple]) -> list[Any]:
    """Run ``target`` in fresh "spawn" processes started together; their results."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(args_list))
    out = context.Queue()
    processes = [context.Process(target=target, args=(*args, barrier, out)) for args in args_list]
    for process in processes:
        process.start()
    results = [out.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return results


def test_storage_processes_inserting_concurrently_get_unique_ids(path: Path) -> None:
    Database(path).close()
    results = run_processes(_insert_worker, [(str(path), w, 150) for w in range(4)])
    ids = [doc_id for result in results for doc_id in result]
    assert len(set(ids)) == len(ids) == 600
    with Database(path) as db:
        docs = db.table("comments").all()
    assert sorted(ids) == [doc.doc_id for doc in docs]
    assert sorted((d["worker"], d["i"]) for d in docs) == [
        (w, i) for w in range(4) for i in range(150)
    ]


def test_storage_processes_incrementing_one_counter_lose_nothing(path: Path) -> None:
    with Database(path) as db:
        db.table("counters").insert({"n": 0})
    run_processes(_increment_worker, [(str(path), 100) for _ in range(4)])
    with Database(path) as db:
        assert db.table("counters").get(doc_id=1) == {"n": 400}


# --- opening, pragmas, refusals, migrations ------------------------------------


def test_storage_fresh_file_gets_schema_and_application_id(path: Path) -> None:
    Database(path).close()
    assert pragma(path, "user_version") == len(storage.MIGRATIONS) == 1
    assert pragma(path, "application_id") == APPLICATION_ID
    assert pragma(path, "journal_mode") == "wal"


@pytest.mark.parametrize(
    "synchronous, level", [("OFF", 0), ("normal", 1), ("FULL", 2), ("EXTRA", 3)]
)
def test_storage_pragmas(path: Path, synchronous: str, level: int) -> None:
    with Database(path, synchronous=synchronous, busy_timeout=2.5) as db:
        conn = db.storage._conn
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == level
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 2500
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.integrity_check() == "ok"


def test_storage_default_synchronous_is_full(db: Database) -> None:
    assert db.storage._conn.execute("PRAGMA synchronous").fetchone()[0] == 2


@pytest.mark.parametrize(
    "options, message",
    [
        pytest.param({"synchronous": "SOMETIMES"}, "synchronous must be", id="sync"),
        pytest.param({"busy_timeout": -1}, "busy_timeout", id="timeout"),
    ],
)
def test_storage_refuses_bad_options(path: Path, options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Database(path, **options)


def test_storage_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "var" / "comments.sqlite3"
    with pytest.raises(StorageError, match="folder .* does not exist"):
        Database(path)
    Database(path, create_dirs=True).close()
    assert path.exists()


def test_storage_refuses_random_bytes(path: Path) -> None:
    path.write_bytes(b"not sqlite" + os.urandom(4086))
    with pytest.raises(ForeignDatabaseError) as error:
        Database(path)
    assert str(error.value).startswith(f"{path} is not a Kurier comments database")


@pytest.mark.parametrize(
    "statements",
    [
        pytest.param(("PRAGMA application_id = 1234", "CREATE TABLE t (x)"), id="other-app"),
        pytest.param(("CREATE TABLE t (x)",), id="no-app-id"),
        pytest.param(("PRAGMA user_version = 3",), id="empty-with-version"),
    ],
)
def test_storage_refuses_foreign_sqlite_file_unchanged(
    path: Path, statements: tuple[str, ...]
) -> None:
    create_sqlite(path, *statements)
    before = path.read_bytes()
    with pytest.raises(ForeignDatabaseError) as error:
        Database(path)
    assert str(error.value).startswith(f"{path} is not a Kurier comments database")
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_storage_refuses_newer_schema(path: Path) -> None:
    Database(path).close()
    create_sqlite(path, "PRAGMA user_version = 7")
    with pytest.raises(NewerSchemaError) as error:
        Database(path)
    assert str(error.value) == (
        f"{path} was written by a newer Kurier (schema 7; this one knows up to 1)"
    )


def filled_file(path: Path) -> None:
    with Database(path) as db:
        db.table("comments", indexes=("thread",)).insert_multiple(
            {"thread": f"t{i % 7}", "body": "x" * 200} for i in range(3000)
        )
    assert not Path(f"{path}-wal").exists()  # checkpointed on close


def test_storage_refuses_damaged_file(path: Path) -> None:
    filled_file(path)
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.seek(size // 2)
        file.write(b"\xde\xad\xbe\xef" * 2048)
    with pytest.raises(DamagedDatabaseError) as error:
        Database(path)
    assert str(error.value).startswith(f"{path} is damaged: ")
    assert len(str(error.value)) > len(f"{path} is damaged: ") + 5


def test_storage_refuses_truncated_file(path: Path) -> None:
    filled_file(path)
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size // 2)
    with pytest.raises(DamagedDatabaseError, match="is damaged: "):
        Database(path)


def test_storage_migration_runs_once(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Database(path).close()
    calls = []

    def add_flags(conn: sqlite3.Connection) -> None:
        calls.append(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("CREATE TABLE kurier_flags (name TEXT PRIMARY KEY)")

    monkeypatch.setattr(storage, "MIGRATIONS", [*storage.MIGRATIONS, add_flags])
    Database(path).close()
    Database(path).close()
    assert calls == [1]  # ran once, on top of schema 1
    assert pragma(path, "user_version") == 2
    fresh = path.with_name("fresh.sqlite3")
    Database(fresh).close()
    assert calls == [1, 1] and pragma(fresh, "user_version") == 2


def test_storage_failing_migration_changes_nothing(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Database(path) as db:
        db.table("comments").insert({"n": 1})
    broken = ("CREATE TABLE half_done (x)", "THIS IS NOT SQL")
    monkeypatch.setattr(storage, "MIGRATIONS", [*storage.MIGRATIONS, broken])
    with pytest.raises(MigrationError) as error:
        Database(path)
    assert str(error.value).startswith(
        f"{path} could not be upgraded to schema 2 (it stays at schema 1): "
    )
    monkeypatch.undo()
    assert pragma(path, "user_version") == 1
    with Database(path) as db:
        assert db.table("comments").all() == [{"n": 1}]
        assert "half_done" not in {
            row[0] for row in db.storage._conn.execute("SELECT name FROM sqlite_master")
        }


# --- backup, export, import, the whole-database contract -----------------------


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


def test_storage_bench_helper_reports_medians(tmp_path: Path) -> None:
    path = tmp_path / "bench.sqlite3"
    result = bench_insert_and_read(path, 300, samples=20, synchronous="NORMAL")
    assert result["documents"] == 300
    assert result["insert_us"] > 0 and result["search_us"] > 0
    with Database(path) as db:
        assert len(db.table("comments")) == 300  # its own inserts are removed
