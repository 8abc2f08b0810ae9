"""Property tests of the SQLite storage: random operations against simple models."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from tinydb import Query, TinyDB
from tinydb.queries import QueryInstance
from tinydb.storages import MemoryStorage

from comments_service.storage import Database, SQLiteTable

Q = Query()

THREADS = st.sampled_from(["a", "b", "ć😀"])
# Values where SQL and Python equality could disagree if the pushdown were
# careless: booleans next to 0 and 1, floats, None, strings of digits, lists.
VALUES = st.one_of(
    st.integers(-2, 2),
    st.booleans(),
    st.none(),
    st.sampled_from([0.0, 1.0, 1.5, "1", "a", "", "ą"]),
    st.text(max_size=3),
    st.lists(st.integers(0, 1), max_size=2),
)
DOCS = st.fixed_dictionaries(
    {"thread": THREADS},
    optional={"n": VALUES, "x": VALUES},
)
ANY_DOCS = st.dictionaries(st.sampled_from(["thread", "n", "x"]), VALUES, max_size=3)


def queries() -> st.SearchStrategy[QueryInstance]:
    """Queries over an indexed ("thread", "n") and a plain ("x") field."""
    field = st.sampled_from(["thread", "n", "x"]).map(lambda name: Q[name])
    leaf = st.one_of(
        st.builds(lambda f, v: f == v, field, VALUES),
        st.builds(lambda f, vs: f.one_of(vs), field, st.lists(VALUES, max_size=3)),
        st.builds(lambda f: f.exists(), field),
        st.builds(
            lambda d: Q.fragment(d),
            st.dictionaries(st.sampled_from(["thread", "n"]), VALUES, max_size=2),
        ),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.builds(lambda a, b: a & b, inner, inner),
            st.builds(lambda a, b: a | b, inner, inner),
            st.builds(lambda a: ~a, inner),
        ),
        max_leaves=4,
    )


# The recursive query strategy has a long repr; hypothesis warns about it.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_storage_pushdown_agrees_with_tinydb(tmp_path: Path) -> None:
    """search, count and get answer exactly as TinyDB in memory would."""
    names = itertools.count()
    with Database(tmp_path / "p.sqlite3", synchronous="OFF") as db:

        @settings(
            max_examples=150,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(docs=st.lists(ANY_DOCS, max_size=12), cond=queries())
        def check(docs: list[dict[str, Any]], cond: QueryInstance) -> None:
            name = f"t{next(names)}"
            table = db.table(name, indexes=("thread", "n"))
            ref = TinyDB(storage=MemoryStorage).table(name)
            try:
                assert table.insert_multiple(docs) == ref.insert_multiple(docs)
                expected = [(d.doc_id, dict(d)) for d in ref.search(cond)]
                assert [(d.doc_id, dict(d)) for d in table.search(cond)] == expected
                assert table.count(cond) == len(expected)
                first = table.get(cond)
                assert (first.doc_id if first is not None else None) == (
                    expected[0][0] if expected else None
                )
            finally:
                db.drop_table(name)

        check()


class TwoHandles(RuleBasedStateMachine):
    """Two Database handles on one file, used in turn, against a dict model.

    Handle 0 declares indexes and handle 1 does not, so both the pushed-down
    and the scanning paths run against the same rows.
    """

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.mkdtemp(prefix="kurier-storage-")
        path = Path(self.folder) / "comments.sqlite3"
        self.handles = [Database(path, synchronous="OFF") for _ in range(2)]
        indexed = self.handles[0].table("comments", indexes=("thread", "n"))
        plain = self.handles[1].table("comments")
        # As if no query could be described: the plain handle always scans.
        scan = plain._rows._sql_for
        plain._rows._sql_for = lambda description: scan(None)  # type: ignore[method-assign]
        self.tables: list[SQLiteTable] = [indexed, plain]
        self.model: dict[int, dict[str, Any]] = {}
        self.last_id = 0  # ids are never reused, even after truncate()

    @initialize()
    def start(self) -> None:
        assert "USING INDEX" in self.tables[0].query_plan(Q.thread == "a")[0]
        assert "SCAN" in self.tables[1].query_plan(Q.thread == "a")[0]

    def teardown(self) -> None:
        for handle in self.handles:
            handle.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def matching(self, thread: str) -> list[int]:
        return [i for i, doc in self.model.items() if doc.get("thread") == thread]

    @rule(handle=st.integers(0, 1), doc=DOCS)
    def insert(self, handle: int, doc: dict[str, Any]) -> None:
        doc_id = self.tables[handle].insert(doc)
        assert doc_id == self.last_id + 1
        self.last_id = doc_id
        self.model[doc_id] = dict(doc)

    @rule(handle=st.integers(0, 1), docs=st.lists(DOCS, max_size=4))
    def insert_multiple(self, handle: int, docs: list[dict[str, Any]]) -> None:
        ids = self.tables[handle].insert_multiple(docs)
        assert ids == list(range(self.last_id + 1, self.last_id + 1 + len(docs)))
        for doc_id, doc in zip(ids, docs, strict=True):
            self.model[doc_id] = dict(doc)
            self.last_id = doc_id

    @rule(handle=st.integers(0, 1), thread=THREADS, value=VALUES)
    def update_by_query(self, handle: int, thread: str, value: Any) -> None:
        updated = self.tables[handle].update({"n": value}, Q.thread == thread)
        assert updated == self.matching(thread)
        for doc_id in updated:
            self.model[doc_id]["n"] = value

    @rule(handle=st.integers(0, 1), data=st.data())
    def increment_by_ids(self, handle: int, data: st.DataObject) -> None:
        ids = data.draw(st.lists(st.integers(1, self.last_id + 2), max_size=3))

        def bump(doc: dict[str, Any]) -> None:
            doc["count"] = doc.get("count", 0) + 1

        updated = self.tables[handle].update(bump, doc_ids=ids)
        assert updated == [i for i in dict.fromkeys(ids) if i in self.model]
        for doc_id in updated:
            bump(self.model[doc_id])

    @rule(handle=st.integers(0, 1), thread=THREADS)
    def remove_by_query(self, handle: int, thread: str) -> None:
        removed = self.tables[handle].remove(Q.thread == thread)
        assert removed == self.matching(thread)
        for doc_id in removed:
            del self.model[doc_id]

    @precondition(lambda self: self.model)
    @rule(handle=st.integers(0, 1), data=st.data())
    def remove_by_id(self, handle: int, data: st.DataObject) -> None:
        doc_id = data.draw(st.sampled_from(sorted(self.model)))
        assert self.tables[handle].remove(doc_ids=[doc_id]) == [doc_id]
        del self.model[doc_id]

    @rule(handle=st.integers(0, 1), thread=THREADS, doc=DOCS)
    def upsert(self, handle: int, thread: str, doc: dict[str, Any]) -> None:
        ids = self.tables[handle].upsert(doc, Q.thread == thread)
        if self.matching(thread):
            assert ids == self.matching(thread)
            for doc_id in ids:
                self.model[doc_id].update(doc)
        else:
            self.last_id += 1
            assert ids == [self.last_id]
            self.model[self.last_id] = dict(doc)

    @rule(handle=st.integers(0, 1), data=st.data())
    def get(self, handle: int, data: st.DataObject) -> None:
        doc_id = data.draw(st.integers(0, self.last_id + 1))
        doc = self.tables[handle].get(doc_id=doc_id)
        expected = (doc_id, self.model[doc_id]) if doc_id in self.model else None
        assert ((doc.doc_id, dict(doc)) if doc else None) == expected

    @rule(handle=st.integers(0, 1), thread=THREADS)
    def search(self, handle: int, thread: str) -> None:
        found = self.tables[handle].search(Q.thread == thread)
        assert [(d.doc_id, dict(d)) for d in found] == [
            (i, self.model[i]) for i in self.matching(thread)
        ]

    @rule(handle=st.integers(0, 1))
    def truncate(self, handle: int) -> None:
        self.tables[handle].truncate()
        self.model.clear()

    @invariant()
    def both_handles_see_the_model(self) -> None:
        expected = sorted(self.model.items())
        for table in self.tables:
            assert [(d.doc_id, dict(d)) for d in table.all()] == expected
            assert len(table) == len(expected)


TwoHandles.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None)
test_storage_two_handles_agree_with_a_dict_model = TwoHandles.TestCase
