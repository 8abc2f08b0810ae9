"""The listener: one connection a worker that LISTENs for other workers' commits.

A writer NOTIFYs its schema's channel with the id of the last change it
committed (``PostgresStorage.announce``); the change table, not the
notification, stays the source of truth. The listener counts notifications
as the storage's ``data_version`` and calls back at once, so a change reaches
the streams of every worker on every host without polling the database.
While the server cannot be reached the listener retries with backoff; after
it reconnects it counts once more, so the change feed reads whatever
committed in between.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

import psycopg
from psycopg import sql

from .address import Address

logger = logging.getLogger("comments_service")

#: How the listener's connection is named in pg_stat_activity.
APPLICATION_NAME = "kurier-listener"
WAIT = 1.0  # seconds a wait for notifications lasts before looking whether to stop
BACKOFF_FIRST, BACKOFF_MAX = 0.1, 10.0  # seconds between reconnection attempts


class Listener:
    """A daemon thread holding one LISTEN connection; ``version`` counts what it heard."""

    def __init__(self, address: Address, changed: Callable[[], None]) -> None:
        self.address = address
        self.changed = changed
        #: Grows with each notification and each reconnection.
        self.version = 0
        self.connected = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kurier-listener", daemon=True)
        self._thread.start()
        # The first data_version() must not miss a commit made right after it.
        self.connected.wait(timeout=5.0)

    def stop(self) -> None:
        """Stop listening (within a second)."""
        self._stopping.set()

    def _run(self) -> None:
        delay = BACKOFF_FIRST
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    self.address.conninfo, autocommit=True, application_name=APPLICATION_NAME
                ) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.address.channel)))
                    self._heard()  # whatever committed while we were away
                    self.connected.set()
                    delay = BACKOFF_FIRST
                    while not self._stopping.is_set():
                        for _ in conn.notifies(timeout=WAIT):
                            self._heard()
            except psycopg.Error as exc:
                self.connected.clear()
                if self._stopping.is_set():
                    return
                logger.warning("live events: listening failed (%s); retrying in %.1f s", exc, delay)
                self._stopping.wait(delay * random.uniform(0.8, 1.2))
                delay = min(BACKOFF_MAX, delay * 2)

    def _heard(self) -> None:
        self.version += 1
        try:
            self.changed()
        except Exception:  # noqa: BLE001 - a callback's failure must not stop listening
            logger.exception("live events: the change callback failed")
