"""Open event streams per person across workers: what each worker tells the others.

A person may keep COMMENTS_MAX_STREAMS live views open in all, whichever
workers (and hosts) serve them. Each worker counts its own streams and, once
a second, writes one document for the others: its id, when it wrote, and
the people holding more than one of its streams. A person's single stream
on a worker is left out, so the document stays small when every employee
has a tab open; what goes uncounted is at most one stream per worker. The
workers read each other's documents at the same pace, so a limit can be
overrun for about a second, never by much. A worker that stops renewing its
document (it died) stops counting after GONE seconds, and its document is
removed later.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from .context import Context
from .tables import Q

RENEW = 10.0  # seconds after which a worker writes its document again, changed or not
GONE = 30.0  # seconds without renewal after which a worker's counts no longer count
FORGET = 300.0  # seconds after which another worker's old document is removed


class StreamCounts:
    """This worker's share of the streams, and the other workers' counts per person."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.table = ctx.tables.streams
        self.worker = uuid.uuid4().hex
        #: Streams each person holds on other workers (as last read).
        self.elsewhere: dict[str, int] = {}
        self._written: dict[str, int] = {}
        self._written_at = 0.0

    def share(self, counts: Mapping[str | None, int], now: float) -> None:
        """Write this worker's counts if they changed (or are due), then read the others'."""
        mine = {person: n for person, n in counts.items() if person is not None and n > 1}
        if mine != self._written or (mine and now - self._written_at >= RENEW):
            with self.ctx.db.transaction():
                if mine:
                    doc = {"worker": self.worker, "at": now, "people": mine}
                    self.table.upsert(doc, Q.worker == self.worker)
                else:
                    self.table.remove(Q.worker == self.worker)
            self._written, self._written_at = mine, now
        elsewhere: dict[str, int] = {}
        stale: list[int] = []
        for doc in self.table.all():
            if doc["worker"] == self.worker:
                continue
            if doc["at"] < now - FORGET:
                stale.append(doc.doc_id)
            if doc["at"] >= now - GONE:
                for person, n in _people(doc).items():
                    elsewhere[person] = elsewhere.get(person, 0) + n
        self.elsewhere = elsewhere
        if stale:
            with self.ctx.db.transaction():
                self.table.remove(doc_ids=stale)

    def leave(self) -> None:
        """The worker stops: its streams are gone."""
        if self._written:
            self.table.remove(Q.worker == self.worker)
            self._written = {}


def _people(doc: Mapping[str, Any]) -> dict[str, int]:
    people = doc.get("people")
    return people if isinstance(people, dict) else {}
