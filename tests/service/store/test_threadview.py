"""The pre-serialised thread: a reader's answer equals serialising their view afresh."""

from __future__ import annotations

import copy
import json

from comments_service.store.threadview import ReaderMarks, ThreadView


def _payload() -> tuple[dict, dict[int, dict]]:
    def node(cid: int, author: str, name: str, replies=()) -> dict:
        return {"id": str(cid), "author": {"id": author, "name": name},
                "body_html": f"<p>{name}</p>", "mine": False, "my_reactions": [],
                "replies": list(replies)}  # fmt: skip

    # Names that look like the placeholders must come through untouched.
    deep = node(3, "ewa", '"\\u0000m:1"')
    reply = node(2, "jan", "\x01\u0000m:2 Jan", [deep])
    first = node(1, "ewa", "Ewa", [reply])
    payload = {
        "thread": {"slug": "a", "mine": [], "acknowledged": False, "acknowledged_at": None},
        "comments": [first, node(4, "ola", "Ola")],
    }
    nodes = {1: first, 2: reply, 3: deep, 4: payload["comments"][1]}
    return payload, nodes


def _expected(payload: dict, nodes: dict, user: str, marks: ReaderMarks, bodies, ack):
    view = copy.deepcopy(payload)
    index = {}

    def walk(items):
        for item in items:
            index[int(item["id"])] = item
            walk(item["replies"])

    walk(view["comments"])
    view["thread"].update(mine=marks.reactions, acknowledged=ack[0], acknowledged_at=ack[1])
    for cid, item in index.items():
        if item["author"]["id"] == user:
            item["mine"], item["body"] = True, bodies[cid]
        if cid in marks.liked:
            item["my_reactions"] = ["like"]
    return view


def test_threadview_reader_answer_equals_a_fresh_serialisation():
    payload, nodes = _payload()
    pristine = copy.deepcopy(payload)
    bodies = {1: "Ewa **pisze**", 2: "Jan", 3: 'cytat "\\u0000m:3"', 4: "Ola"}
    by_author = {"ewa": [1, 3], "jan": [2], "ola": [4]}
    marks = {"ewa": ReaderMarks(reactions=["love"], liked={2, 99}), "jan": ReaderMarks(liked={1})}
    view = ThreadView.build(7, payload, nodes, by_author, bodies, marks)
    assert json.loads(view.anonymous) == pristine
    cases = [
        ("ewa", (True, "2026-11-27T10:00:00Z")),
        ("jan", (False, "2026-01-01T00:00:00Z")),
        ("ola", (False, None)),
        ("stranger", (False, None)),
    ]
    for user, ack in cases:
        answer = json.loads(view.for_reader(user, *ack))
        expected = _expected(pristine, nodes, user, marks.get(user, ReaderMarks()), bodies, ack)
        assert answer == expected, user
    assert view.for_reader("stranger") is view.anonymous
