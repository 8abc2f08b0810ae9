"""Transactions: nesting, rollback, busy files, threads and processes sharing one file."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tinydb import Query
from tinydb.table import Document

from comments_service.storage import Database, DatabaseBusyError
from tests.service.storage.kit import pairs

Q = Query()


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


def test_storage_an_undone_block_takes_its_updates_and_deletes_with_it(db: Database) -> None:
    """Updates and deletes go out with the next statement on PostgreSQL: an inner block
    that fails before (or after) anything reached the server still undoes only itself."""
    counters = db.table("counters")
    counters.insert_multiple([{"n": 0}, {"n": 0}, {"n": 0}])
    with db.transaction():
        counters.update({"n": 1}, doc_ids=[1])
        assert counters.get(doc_ids=[2, 3]) == [{"n": 0}, {"n": 0}]
        with pytest.raises(ValueError), db.transaction():  # nothing read from the server
            counters.update({"n": 99}, doc_ids=[1, 2])
            counters.remove(doc_ids=[3])
            raise ValueError("inner, nothing sent")
        with pytest.raises(ValueError), db.transaction():  # a read sends the block's start
            assert counters.get(doc_id=2) == {"n": 0}
            counters.update({"n": 98}, doc_ids=[2])
            counters.remove(doc_ids=[3])
            assert counters.get(doc_id=2) == {"n": 98}
            raise ValueError("inner, begun")
        # What the undone blocks wrote is not remembered either.
        assert counters.get(doc_id=2) == {"n": 0}
        assert counters.get(doc_id=3) == {"n": 0}
        with db.transaction():  # a block that ends well keeps its writes
            counters.update({"n": 2}, doc_ids=[2])
        counters.update(lambda doc: doc.update(n=doc["n"] + 10), doc_ids=[1, 2, 3])
    assert [doc["n"] for doc in counters.all()] == [11, 12, 10]


def test_storage_updates_by_id_after_a_search_see_the_transactions_writes(db: Database) -> None:
    items = db.table("items", indexes=("key",))
    items.insert_multiple([{"key": "a", "n": 0}, {"key": "b", "n": 0}])
    with db.transaction():
        found = items.search(Q.key == "a")
        items.update({"n": 1}, doc_ids=[found[0].doc_id])
        items.update(lambda doc: doc.update(n=doc["n"] + 1), doc_ids=[found[0].doc_id])
        assert items.get(Q.key == "a")["n"] == 2
        items.remove(doc_ids=[found[0].doc_id])
        assert items.get(doc_id=found[0].doc_id) is None
        assert items.update({"n": 5}, doc_ids=[found[0].doc_id]) == []
    assert [(doc["key"], doc["n"]) for doc in items.all()] == [("b", 0)]


def test_storage_prefetched_searches_answer_and_still_see_the_transactions_writes(
    db: Database,
) -> None:
    items = db.table("items", indexes=("key",))
    items.insert_multiple([{"key": "a", "n": 1}, {"key": "b", "n": 2}])
    db.prefetch((items, Q.key == "a"))  # outside a transaction: nothing to keep it for
    with db.transaction():
        db.prefetch((items, Q.key == "a"), (items, Q.key == "c"), (items, Q.n == 2))
        assert [doc["n"] for doc in items.search(Q.key == "a")] == [1]
        assert items.get(Q.key == "c") is None
        items.insert({"key": "c", "n": 3})
        assert [doc["n"] for doc in items.search(Q.key == "c")] == [3]
        items.update({"key": "c"}, Q.key == "a")
        assert items.search(Q.key == "a") == []
        assert [doc["n"] for doc in items.search(Q.key == "c")] == [1, 3]
        items.remove(Q.n == 3)
        assert [doc["n"] for doc in items.search(Q.key == "c")] == [1]
    assert [(doc["key"], doc["n"]) for doc in items.all()] == [("c", 1), ("b", 2)]


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
