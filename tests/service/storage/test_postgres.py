"""What only the PostgreSQL engine does: hearing other workers' commits, and getting over a
lost connection without losing or repeating a change."""

from __future__ import annotations

import asyncio
import threading
import time

import psycopg
import pytest
from tinydb import Query

from comments_service.storage import Database, StorageError
from comments_service.storage.postgres.session import Session
from comments_service.store.changelog import ChangeLog
from tests import postgres

Q = Query()

pytestmark = pytest.mark.skipif(
    postgres.unavailable() is not None, reason="needs PostgreSQL (see tests/postgres.py)"
)


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def terminate(address: str, application: str) -> int:
    """End the server side of this schema's connections named `application`; how many."""
    schema = address.rsplit("schema=", 1)[1]
    with psycopg.connect(postgres.SERVER, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s AND (query ILIKE %s OR %s = 'kurier-comments')",
            (application, f"%kurier_changes_{schema}%", application),
        ).fetchall()
    return len(rows)


@pytest.fixture
def address():
    with postgres.fresh_schema("engine") as location:
        yield location


def test_postgres_a_commit_elsewhere_wakes_the_listener_with_the_change_id(address):
    heard = threading.Event()
    with Database(address) as reader, Database(address) as writer:
        reader.storage.on_change = heard.set
        before = reader.data_version()  # starts listening (and counts that once)
        log = ChangeLog(writer)
        heard.clear()
        with writer.transaction():
            first = log.append("t", "comment", {"n": 1})
            assert not heard.wait(0.3)  # nothing is told before the commit
        assert heard.wait(5)
        assert wait_for(lambda: reader.data_version() > before)
        assert [c.id for c in ChangeLog(reader).after(0, 10)] == [first]


def test_postgres_a_lost_listener_reconnects_and_what_committed_meanwhile_is_read(address):
    with Database(address) as reader, Database(address) as writer:
        version = reader.data_version()
        assert terminate(address, "kurier-listener") == 1
        change = ChangeLog(writer).append("t", "comment", {"n": 1})  # while nobody listens
        # Reconnected (with backoff), the listener counts once more so the feed reads the log.
        assert wait_for(lambda: reader.data_version() > version)
        assert [c.id for c in ChangeLog(reader).after(0, 10)] == [change]


def test_postgres_a_lost_connection_fails_one_transaction_then_works_again(address):
    with Database(address) as db:
        table = db.table("comments", indexes=("thread",))
        table.insert({"thread": "t", "n": 1})
        terminate(address, "kurier-comments")
        with pytest.raises(StorageError, match="connection was lost"), db.transaction():
            table.insert({"thread": "t", "n": 2})
        # Outside a transaction the next statement opens a new connection.
        assert [doc["n"] for doc in table.all()] == [1]
        table.insert({"thread": "t", "n": 3})
        assert [doc["n"] for doc in table.search(lambda d: True)] == [1, 3]


def test_postgres_writers_of_two_connections_take_turns(address):
    """Read-then-write transactions of two connections never lose an update."""
    with Database(address) as setup:
        counter = setup.table("counters")
        counter.insert({"n": 0})

    def bump(times: int) -> None:
        with Database(address) as db:
            table = db.table("counters")
            for _ in range(times):
                with db.transaction():
                    n = table.get(doc_id=1)["n"]
                    table.update({"n": n + 1}, doc_ids=[1])

    workers = [threading.Thread(target=bump, args=(100,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    with Database(address) as db:
        assert db.table("counters").get(doc_id=1)["n"] == 400


def test_postgres_refuses_a_schema_of_someone_else(address):
    schema = address.rsplit("schema=", 1)[1]
    with psycopg.connect(postgres.SERVER, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE TABLE "{schema}".invoices (id int)')
    with pytest.raises(StorageError, match="not a Kurier comments database"):
        Database(address)


def test_postgres_hosts_opening_a_new_database_at_once_all_succeed(address):
    """Several hosts started together: one creates and migrates, the others wait and use it."""
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def open_it() -> None:
        start.wait()
        try:
            Database(address).close()
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    for _ in range(3):  # a race shows only sometimes: a few rounds on fresh schemas
        schema = address.rsplit("schema=", 1)[1]
        postgres.drop_schema(schema)
        threads = [threading.Thread(target=open_it) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []


def test_postgres_prefetched_searches_cost_one_round_trip(address, monkeypatch):
    with Database(address) as db:
        items = db.table("items", indexes=("key",))
        items.insert_multiple([{"key": "a"}, {"key": "b"}])
        sent: list[int] = []
        together = Session.execute_together

        def counted(self, statements):
            sent.append(len(statements))
            return together(self, statements)

        monkeypatch.setattr(Session, "execute_together", counted)
        with db.transaction():
            db.prefetch((items, Q.key == "a"), (items, Q.key == "b"))
            assert items.get(Q.key == "a") == {"key": "a"}
            assert items.get(Q.key == "b") == {"key": "b"}
            items.update({"seen": True}, Q.key == "a")  # updated by id: sent with COMMIT
        assert sent == [2, 1]  # the two searches, then COMMIT
        assert items.get(Q.key == "a") == {"key": "a", "seen": True}


def test_postgres_reads_asked_at_once_share_a_statement_and_survive_a_lost_connection(address):
    with Database(address) as db:
        threads = db.table("threads", indexes=("slug",))
        threads.insert_multiple([{"slug": f"s{n}", "n": n} for n in range(20)])
        reader = db.storage._reader
        statements: list[bytes] = []

        async def ask() -> list[list[int]]:
            found = await asyncio.gather(
                *(threads.search_soon("slug", [f"s{n}", f"s{n + 1}", "none"]) for n in range(20))
            )
            return [[doc["n"] for doc in docs] for docs in found]

        async def rounds() -> None:
            original = psycopg.AsyncConnection.execute

            async def counted(self, query, params=None, **kwargs):
                statements.append(query)
                return await original(self, query, params, **kwargs)

            psycopg.AsyncConnection.execute = counted  # type: ignore[method-assign]
            try:
                expected = [[n, n + 1] if n < 19 else [19] for n in range(20)]
                assert await ask() == expected
                selects = [q for q in statements if b"= ANY" in q]
                assert len(selects) == 1  # twenty requests, one round trip
                pid = reader._conn.info.backend_pid
                with psycopg.connect(postgres.SERVER, autocommit=True) as conn:
                    conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
                assert await ask() == expected  # answered by the main connection meanwhile
                assert await ask() == expected  # and the reader is back
                assert reader._conn.info.backend_pid != pid
            finally:
                psycopg.AsyncConnection.execute = original  # type: ignore[method-assign]

        asyncio.run(rounds())
