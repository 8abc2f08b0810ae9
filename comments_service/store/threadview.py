"""A thread serialised once per change, with each reader's own parts spliced in.

The JSON of a thread is the same for every reader but for a few values: which
comments are theirs (and, for those, the Markdown source), which they liked,
their reactions and their acknowledgement. Those values are serialised as
placeholders whose byte positions are remembered; a reader's answer is the
anonymous bytes with the few values that differ put in place. Serialising a
hundred comments per request would cost more than everything else a request
does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

# A placeholder is a JSON string starting with U+0000, which no stored text
# can contain (control characters are refused), so it cannot be forged.
_PLACEHOLDER = re.compile(rb'"\\u0000([a-z]):(\d*)"')
MINE, LIKED, REACTIONS, ACKNOWLEDGED, ACKNOWLEDGED_AT = b"m", b"r", b"t", b"a", b"d"
_DEFAULTS = {
    MINE: b"false",
    LIKED: b"[]",
    REACTIONS: b"[]",
    ACKNOWLEDGED: b"false",
    ACKNOWLEDGED_AT: b"null",
}

Spot = tuple[bytes, bytes]


@dataclass(slots=True)
class ReaderMarks:
    """One reader's reactions to the article and likes of its comments."""

    reactions: list[str] = field(default_factory=list)
    liked: set[int] = field(default_factory=set)


NO_MARKS = ReaderMarks()


def _placeholder(kind: bytes, key: int | str = "") -> str:
    return f"\x00{kind.decode()}:{key}"


@dataclass(frozen=True)
class ThreadView:
    """The thread's JSON for anonymous readers and where personal values go."""

    version: int
    anonymous: bytes
    spots: dict[Spot, tuple[int, int]]
    by_author: dict[str, tuple[int, ...]]
    bodies: dict[int, str]
    marks: dict[str, ReaderMarks]
    # Readers with comments waiting for pre-moderation, left out of this view.
    pending_authors: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        version: int,
        payload: dict[str, Any],
        nodes: dict[int, dict[str, Any]],
        by_author: dict[str, list[int]],
        bodies: dict[int, str],
        marks: dict[str, ReaderMarks],
        pending_authors: Iterable[str] = (),
    ) -> ThreadView:
        """Serialise `payload` (whose comments are `nodes`) once."""
        thread = payload["thread"]
        thread["mine"] = _placeholder(REACTIONS)
        thread["acknowledged"] = _placeholder(ACKNOWLEDGED)
        thread["acknowledged_at"] = _placeholder(ACKNOWLEDGED_AT)
        for comment_id, node in nodes.items():
            node["mine"] = _placeholder(MINE, comment_id)
            node["my_reactions"] = _placeholder(LIKED, comment_id)
        template = orjson.dumps(payload)
        pieces: list[bytes] = []
        spots: dict[Spot, tuple[int, int]] = {}
        read = written = 0
        for match in _PLACEHOLDER.finditer(template):
            pieces.append(template[read : match.start()])
            written += match.start() - read
            value = _DEFAULTS[match[1]]
            spots[(match[1], match[2])] = (written, written + len(value))
            pieces.append(value)
            written += len(value)
            read = match.end()
        pieces.append(template[read:])
        if len(spots) != 3 + 2 * len(nodes):
            raise AssertionError("a thread's placeholders did not all survive serialisation")
        return cls(
            version=version,
            anonymous=b"".join(pieces),
            spots=spots,
            by_author={author: tuple(ids) for author, ids in by_author.items()},
            bodies=bodies,
            marks=marks,
            pending_authors=frozenset(pending_authors),
        )

    def for_reader(
        self, user_id: str, acknowledged: bool = False, acknowledged_at: str | None = None
    ) -> bytes:
        """The thread as `user_id` sees it: their comments, likes and marks."""
        marks = self.marks.get(user_id, NO_MARKS)
        own = self.by_author.get(user_id, ())
        if marks is NO_MARKS and not own and acknowledged_at is None:
            return self.anonymous
        values: dict[Spot, bytes] = {
            (REACTIONS, b""): orjson.dumps(marks.reactions),
            (ACKNOWLEDGED, b""): b"true" if acknowledged else b"false",
            (ACKNOWLEDGED_AT, b""): orjson.dumps(acknowledged_at),
        }
        for comment_id in own:
            source = self.bodies.get(comment_id)  # none for a hidden comment: its text is gone
            mine = b"true" if source is None else b'true,"body":' + orjson.dumps(source)
            values[(MINE, b"%d" % comment_id)] = mine
        for comment_id in marks.liked:
            spot = (LIKED, b"%d" % comment_id)
            if spot in self.spots:  # a like can outlive its comment's removal
                values[spot] = b'["like"]'
        return self._splice(values)

    def _splice(self, values: dict[Spot, bytes]) -> bytes:
        pieces: list[bytes] = []
        read = 0
        for spot in sorted(values, key=lambda spot: self.spots[spot][0]):
            start, end = self.spots[spot]
            pieces += (self.anonymous[read:start], values[spot])
            read = end
        pieces.append(self.anonymous[read:])
        return b"".join(pieces)
