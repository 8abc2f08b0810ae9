"""The reader: reads a request can wait for without holding up the event loop.

A worker's main connection (``session.py``) is used inline by the event
loop, so every round trip on it stalls every request of the worker. The
hottest read of all, a thread's document by its slug (is the rendered
thread this worker keeps still current?), goes instead over a second,
asynchronous connection: while it is on its way the worker serves other
requests, and the same read asked for by several requests meanwhile goes
out as one statement (``= ANY`` of every value asked), so under load a
round trip answers many requests. Each read is one statement in autocommit:
it sees every commit made before it, as the main connection would.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from .address import Address

#: How the reader's connection is named in pg_stat_activity.
APPLICATION_NAME = "kurier-reader"


@dataclass
class Batch:
    """The values asked for one kind of read, and who waits for which."""

    statement: bytes
    values: dict[str, None] = field(default_factory=dict)
    waiters: list[tuple[asyncio.Future[list[tuple[int, str]]], frozenset[str]]] = field(
        default_factory=list
    )


class Reader:
    """One asynchronous connection a worker, opened on first use, and the batches waiting."""

    def __init__(self, address: Address) -> None:
        self.address = address
        self._conn: psycopg.AsyncConnection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: dict[bytes, Batch] = {}
        self._runner: asyncio.Task[None] | None = None
        self.closed = False

    async def rows_where(
        self, table: str, expression: str, texts: list[str]
    ) -> list[tuple[int, str]]:
        """``(id, text)`` of the rows of ``table`` (SQL) whose ``expression`` is one of
        ``texts``, in id order; raises psycopg.Error."""
        loop = asyncio.get_running_loop()
        statement = (
            f"SELECT id, doc, {expression} FROM {table} WHERE {expression} = ANY(%s) ORDER BY id"
        ).encode()
        batch = self._waiting.get(statement)
        if batch is None:
            batch = self._waiting[statement] = Batch(statement)
        waiter: asyncio.Future[list[tuple[int, str]]] = loop.create_future()
        batch.waiters.append((waiter, frozenset(texts)))
        batch.values.update(dict.fromkeys(texts))
        if self._runner is None or self._runner.done():
            self._runner = loop.create_task(self._run(), name="kurier-reader")
        return await waiter

    async def _run(self) -> None:
        """Send the waiting batches one after another until none waits."""
        while self._waiting:
            statement = next(iter(self._waiting))
            batch = self._waiting.pop(statement)
            try:
                conn = await self._connection()
                cursor = await conn.execute(statement, (list(batch.values),))
                rows = await cursor.fetchall()
            except BaseException as error:
                for waiter, _ in batch.waiters:
                    if not waiter.done():
                        waiter.set_exception(
                            error
                            if isinstance(error, Exception)
                            else psycopg.OperationalError("the read was cancelled")
                        )
                if not isinstance(error, Exception):
                    raise
                continue
            for waiter, texts in batch.waiters:
                if not waiter.done():
                    waiter.set_result([(row[0], row[1]) for row in rows if row[2] in texts])

    async def _connection(self) -> psycopg.AsyncConnection:
        if self.closed:
            raise psycopg.OperationalError("the storage is closed")
        loop = asyncio.get_running_loop()
        conn = self._conn
        if conn is None or conn.broken or conn.closed or self._loop is not loop:
            self._finish()
            conn = await psycopg.AsyncConnection.connect(
                self.address.conninfo,
                autocommit=True,
                connect_timeout=10,
                application_name=APPLICATION_NAME,
            )
            await conn.execute(
                sql.SQL("SET search_path TO {}").format(sql.Identifier(self.address.schema))
            )
            self._conn, self._loop = conn, loop
        return conn

    def _finish(self) -> None:
        """Close the connection at once, from any thread (the server ends its session)."""
        if self._conn is not None:
            self._conn.pgconn.finish()
            self._conn = None

    def close(self) -> None:
        """No more reads; the connection is closed."""
        self.closed = True
        self._finish()
