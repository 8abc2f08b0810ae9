"""Reading a table a page at a time: along the ids, newest first, or down an index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tinydb.table import Document

from comments_service.storage import Database, SQLiteTable, pages
from tests.service.storage.kit import DOCS, QUERIES, Q, pairs, vm_steps


def test_storage_all_and_iter_in_id_order(
    table: SQLiteTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages, "_PAGE", 3)  # iterate over several pages
    table.insert_multiple({"i": i} for i in range(10))
    table.remove(doc_ids=[4])
    table.insert(Document({"i": -1}, 100))
    expected = [(i + 1, {"i": i}) for i in range(10) if i != 3] + [(100, {"i": -1})]
    assert pairs(table.all()) == expected
    assert pairs(list(table)) == expected
    assert table._read_table() == {str(i): doc for i, doc in expected}


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


def test_storage_newest_pages_through_filtered_rows(tmp_path: Path) -> None:
    with Database(tmp_path / "t.sqlite3") as db:
        table = db.table("things", indexes=("at", "kind"))
        table.insert_multiple(
            {"at": f"2026-01-{n % 20 + 1:02d}", "kind": "a" if n % 7 else "b", "n": n}
            for n in range(200)
        )
        table.insert({"kind": "a", "n": -1})  # no `at`: never returned
        odd = table.newest("at", 30, (Q.kind == "a") & Q.n.test(lambda n: n % 2 == 1))
        expected = sorted(
            (d for d in table.all() if "at" in d and d["kind"] == "a" and d["n"] % 2 == 1),
            key=lambda d: (d["at"], d.doc_id),
            reverse=True,
        )[:30]
        assert [d.doc_id for d in odd] == [d.doc_id for d in expected]
        assert len(table.newest("at", 500)) == 200
        with pytest.raises(ValueError):
            table.newest("n", 5)
