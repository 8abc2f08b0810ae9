"""The moderators' lists the admin pages read: recent comments by thread and author."""

from __future__ import annotations

import pytest

from comments_service.errors import ApiError
from comments_service.user import User
from tests.service.kit import OPEN, admin, post


def test_recent_comments_for_moderators_by_thread_and_author(make_client):
    ewa, jan = make_client("Ewa"), make_client("Jan")
    first = post(ewa, "pierwszy")
    post(jan, "drugi")
    third = post(ewa, "trzeci", slug="must-read")
    moderator = admin(make_client, "Ola")
    store = moderator.app.state.store
    boss = User(id="ola", name="Ola", moderator=True)
    everything = store.queues.recent(boss, 50)
    assert [c["id"] for c in everything["items"]][:1] == [third["id"]]
    by_ewa = store.queues.recent(boss, 50, author=first["author"]["id"])
    assert [c["id"] for c in by_ewa["items"]] == [third["id"], first["id"]]
    in_open = store.queues.recent(boss, 50, thread=OPEN, author=first["author"]["id"])
    assert [c["id"] for c in in_open["items"]] == [first["id"]]
    paged = store.queues.recent(boss, limit=1)
    assert paged["next_before"] == int(third["id"])
    with pytest.raises(ApiError) as refused:
        store.queues.recent(User(id="jan", name="Jan"), 50)
    assert refused.value.status == 403
