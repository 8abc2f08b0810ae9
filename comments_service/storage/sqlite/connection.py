"""SQLiteStorage: one connection to a Kurier comments file, its tables and its copies.

Several worker processes share one database file, so nothing here caches
documents, query results or ids beyond a transaction: every write reads,
changes and writes inside one ``BEGIN IMMEDIATE`` transaction, and SQLite
picks new ids under that write lock.

The file's document tables are described in ``tables.py``; ``rows.py``
holds every statement a table runs on its rows.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypedDict

from tinydb.storages import Storage

from ..documents import check_fields, check_name
from ..errors import DamagedDatabaseError, DatabaseBusyError, StorageError
from ..whole_tables import TablesOfStorage
from .migrations import check_damage, check_file, migrate, recognise, schema_latest
from .rows import SQLiteRows
from .tables import SQLiteTables
from .transactions import Snapshot, Transaction, busy

SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


class StorageOptions(TypedDict, total=False):
    """How a database file is opened (SQLiteStorage's keyword arguments)."""

    synchronous: str  # SQLite's synchronous mode: OFF, NORMAL, FULL (default) or EXTRA
    busy_timeout: float  # seconds to wait for another connection's write lock (default 10)
    quick_check: bool  # check the file for damage on opening (default True)
    create_dirs: bool  # make the folder of a new file (default False)


class SQLiteStorage(TablesOfStorage, Storage):
    """One SQLite connection to a Kurier comments database.

    Implements TinyDB's ``Storage`` contract (``read``/``write`` of the whole
    database, used for export, import and plain TinyDB code paths); tables
    work on rows through ``SQLiteRows``. The connection may be used from
    several threads; a lock serialises them, and a transaction belongs to the
    thread that opened it. Code running in an event loop must not ``await``
    inside a transaction: another task on the same thread would join it.
    """

    _tables: SQLiteTables

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: str = "FULL",
        busy_timeout: float = 10.0,
        quick_check: bool = True,
        create_dirs: bool = False,
    ) -> None:
        """`StorageOptions` lists the options with what each means."""
        self.path = os.fspath(path)
        mode = str(synchronous).upper()
        if mode not in SYNCHRONOUS_MODES:
            raise ValueError(
                f"synchronous must be one of {', '.join(SYNCHRONOUS_MODES)}, not {synchronous!r}"
            )
        if not busy_timeout >= 0:
            raise ValueError(f"busy_timeout must be >= 0 seconds, not {busy_timeout!r}")
        self.synchronous = mode
        self.busy_timeout = float(busy_timeout)
        self._lock = threading.RLock()
        self._closed = False
        self._conn = self._open(quick_check, create_dirs)
        self._txn = Transaction(self._conn, self._lock, self._busy_error)
        self._tables = SQLiteTables(self._txn, self.path)

    @property
    def on_commit(self) -> Callable[[], None] | None:
        """Called after each successful outermost COMMIT of this connection.

        It runs in the thread that committed; other connections' commits
        show in ``data_version()`` instead.
        """
        return self._txn.on_commit

    @on_commit.setter
    def on_commit(self, callback: Callable[[], None] | None) -> None:
        self._txn.on_commit = callback

    #: Never called: other connections' commits show in ``data_version()``, which is polled.
    on_change: Callable[[], None] | None = None

    def announce(self, payload: str) -> None:
        """Nothing to send: other processes notice the file changed (``data_version``)."""

    def prefetch(self, wanted: Iterable[tuple[SQLiteRows, Any]]) -> None:
        """Nothing to do: a search of the file costs no round trip."""

    def ping(self) -> None:
        """Read the file's header: raises when the database cannot be read."""
        self.data_version()

    def check_writable(self, wait: float) -> None:
        """Take the write lock and let it go, writing nothing; raise StorageError when
        it does not come within `wait` seconds or the file takes no writes."""
        with self._lock:
            if self._txn.depth:
                return  # this connection is writing right now
            self._conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.execute("ROLLBACK")
            except sqlite3.Error as exc:
                if busy(exc):
                    raise DatabaseBusyError(
                        f"{self.path}: the write lock did not come within {wait:g} s"
                    ) from exc
                raise StorageError(f"{self.path} takes no writes: {exc}") from exc
            finally:
                self._conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")

    # opening ---------------------------------------------------------------

    def _open(self, quick_check: bool, create_dirs: bool) -> sqlite3.Connection:
        if self.path != ":memory:":
            check_file(self.path, create_dirs)
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,
                cached_statements=256,
            )
        except sqlite3.Error as exc:
            raise StorageError(f"{self.path} cannot be opened: {exc}") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            # Recognise the file before changing anything in it: a foreign or
            # newer file must be left exactly as it was.
            version = recognise(conn, self.path)
            if quick_check:
                check_damage(conn, self.path)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            conn.execute("PRAGMA foreign_keys = ON")
            if version < schema_latest():
                migrate(conn, self.path)
        except sqlite3.Error as exc:
            conn.close()
            if busy(exc):
                raise self._busy_error() from exc
            if getattr(exc, "sqlite_errorname", "") in (
                "SQLITE_CORRUPT",
                "SQLITE_NOTADB",
            ):
                raise DamagedDatabaseError(f"{self.path} is damaged: {exc}") from exc
            raise StorageError(f"{self.path} cannot be opened: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def _busy_error(self) -> DatabaseBusyError:
        return DatabaseBusyError(
            f"{self.path} is busy: another process held the write lock"
            f" for more than {self.busy_timeout:g} s"
        )

    # transactions ----------------------------------------------------------

    def transaction(self) -> Transaction:
        """A write transaction; nested use joins the outer one (as a savepoint)."""
        return self._txn

    @property
    def in_transaction(self) -> bool:
        """Whether this connection is inside ``transaction()``."""
        return self._txn.depth > 0

    def snapshot(self) -> Snapshot:
        """A read transaction: the reads inside it all see one moment."""
        return Snapshot(self._txn)

    # TinyDB's Storage contract (read and write: TablesOfStorage) ------------

    def close(self) -> None:
        """Close the connection; an open transaction is rolled back."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                self._conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass  # closing must not fail because another process holds a lock
            finally:
                self._txn.depth = 0
                self._conn.close()

    # tables ----------------------------------------------------------------

    def rows(
        self, name: str, indexes: Iterable[str] = (), persist_empty: bool = False
    ) -> SQLiteRows:
        """The rows of table ``name``, declaring ``indexes``.

        The table is created now if it declares indexes or ``persist_empty``,
        else on its first write.
        """
        rows = SQLiteRows(check_name(name), check_fields(indexes), self._txn, self._tables)
        if rows.declared or persist_empty:
            rows.set_indexed(self.ensure_table(name, rows.declared))
        else:
            rows.set_indexed(self.registered_indexes(name))
        return rows

    # operations ------------------------------------------------------------

    def data_version(self) -> int:
        """``PRAGMA data_version``: changes when another connection commits."""
        with self._lock:
            version: int = self._conn.execute("PRAGMA data_version").fetchone()[0]
        return version

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` report; "ok" when the file is sound."""
        with self._lock:
            rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)

    def backup(self, target: str | os.PathLike[str]) -> None:
        """Copy the database to ``target`` with SQLite's online backup API.

        The copy is one consistent snapshot, written beside ``target`` and
        renamed over it, in rollback-journal mode so it is a single file.
        """
        target = os.fspath(target)
        if (
            self.path != ":memory:"
            and os.path.exists(target)
            and os.path.samefile(target, self.path)
        ):
            raise StorageError(f"cannot back up {self.path} onto itself")
        temporary = f"{target}.tmp-{os.getpid()}"
        with self._lock:
            if self._txn.depth:
                raise StorageError("backup() cannot run inside a transaction")
            if os.path.exists(temporary):
                os.remove(temporary)
            try:
                copy = sqlite3.connect(temporary, isolation_level=None)
                try:
                    self._conn.backup(copy)
                    copy.execute("PRAGMA journal_mode = DELETE")
                finally:
                    copy.close()
                os.replace(temporary, target)
            except BaseException:
                if os.path.exists(temporary):
                    os.remove(temporary)
                raise

    def single_file(self) -> None:
        """Leave WAL mode, so that the file is the whole database (a copy to hand on)."""
        with self._lock:
            self._conn.execute("PRAGMA journal_mode = DELETE")
