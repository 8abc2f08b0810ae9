"""Pre-moderation: a new comment is seen by its author and the moderators until approved."""

from __future__ import annotations

import pytest

from tests.service.kit import (
    API,
    ARTICLES,
    OPEN,
    admin,
    assert_api_error,
    audit,
    events,
    find,
    post,
    thread,
    write_articles,
)

MODERATED = "moderated-news"


@pytest.fixture
def premoderated(make_client):
    """make_client for a service with COMMENTS_PREMODERATION=on."""

    def make(name: str | None = None, **changes):
        return make_client(name, premoderation=True, **changes)

    return make


def test_pending_comment_is_seen_by_its_author_and_moderators_only(
    premoderated, anonymous, settings
):
    author = premoderated("Ewa")
    reader = premoderated("Jan")
    before_reader = reader.get(f"{API}/threads/{OPEN}").content
    response = author.post(f"{API}/threads/{OPEN}/comments", json={"body": "Czekam *na* zgodę"})
    assert response.status_code == 201
    comment = response.json()
    assert comment["approved"] is False and comment["mine"] is True

    own = find(author, comment["id"])
    assert own["approved"] is False and own["body"] == "Czekam *na* zgodę"
    assert thread(author)["thread"]["comment_count"] == 0
    assert find(reader, comment["id"]) is None
    assert find(anonymous, comment["id"]) is None
    # Readers without waiting comments still get the shared view, unchanged.
    assert reader.get(f"{API}/threads/{OPEN}").content == before_reader
    assert anonymous.get(f"{API}/counts?slug={OPEN}").json()[OPEN]["comments"] == 0
    assert events(settings.db) == []  # nothing public happened

    moderator = admin(premoderated, "Ola")
    assert find(moderator, comment["id"])["approved"] is False
    pending = moderator.get(f"{API}/moderation/pending").json()
    assert [c["id"] for c in pending["items"]] == [comment["id"]]
    assert pending["items"][0]["thread"] == OPEN

    approved = moderator.put(f"{API}/comments/{comment['id']}/approved")
    assert approved.status_code == 200 and approved.json()["approved"] is True
    assert find(reader, comment["id"])["approved"] is True
    assert thread(anonymous)["thread"]["comment_count"] == 1
    assert anonymous.get(f"{API}/counts?slug={OPEN}").json()[OPEN]["comments"] == 1
    name, data = events(settings.db)[-1]
    assert name == "comment" and data["comment"]["id"] == comment["id"]
    assert data["comment_count"] == 1
    assert moderator.get(f"{API}/moderation/pending").json()["items"] == []
    entry = audit(moderator, action="approve")[0]
    assert entry["comment"] == comment["id"] and entry["actor_name"] == "Ola"
    # Approving again changes nothing.
    assert moderator.put(f"{API}/comments/{comment['id']}/approved").status_code == 200
    assert len(audit(moderator, action="approve")) == 1


def test_article_marked_moderated_holds_comments(make_client, settings, tmp_path):
    manifest = tmp_path / "moderated.json"
    entry = {**ARTICLES[0], "slug": MODERATED, "comments": "moderated", "lang": "pl"}
    write_articles(manifest, [*ARTICLES, entry])
    author = make_client("Ewa", articles=manifest)
    reader = make_client("Jan", articles=manifest)
    held = post(author, "na moderowanym", slug=MODERATED)
    free = post(author, "na otwartym", slug=OPEN)
    assert held["approved"] is False and free["approved"] is True
    assert find(reader, held["id"], MODERATED) is None
    assert find(reader, free["id"], OPEN) is not None
    assert thread(reader, MODERATED)["thread"]["comments_mode"] == "moderated"


def test_reject_removes_a_pending_comment(premoderated, settings):
    author = premoderated("Ewa")
    comment = post(author, "do odrzucenia")
    moderator = admin(premoderated, "Ola")
    response = moderator.request(
        "DELETE", f"{API}/comments/{comment['id']}/approved", json={"reason": "Nie na temat"}
    )
    assert response.status_code == 200
    assert response.json() == {"id": comment["id"], "rejected": True}
    assert find(author, comment["id"]) is None
    entry = audit(moderator, action="reject")[0]
    assert entry["reason"] == "Nie na temat" and entry["person"] == comment["author"]["id"]
    # Only its author's open page knew it: an id takes it away there.
    removal = {"id": comment["id"], "placeholder": False, "comment_count": 0}
    assert events(settings.db) == [("comment_deleted", removal)]
    assert_api_error(
        moderator.delete(f"{API}/comments/{comment['id']}/approved"), 404, "comment_not_found"
    )


def test_reject_of_a_public_comment_is_409(premoderated):
    moderator = admin(premoderated, "Ola")
    own = post(moderator, "moderatorzy nie czekają")
    assert own["approved"] is True
    assert_api_error(
        moderator.delete(f"{API}/comments/{own['id']}/approved"), 409, "comment_approved"
    )


def test_pending_comments_cannot_be_answered_liked_or_reported(premoderated):
    author = premoderated("Ewa")
    comment = post(author)
    reader = premoderated("Jan")
    reply = reader.post(
        f"{API}/threads/{OPEN}/comments", json={"body": "odpowiedź", "parent": comment["id"]}
    )
    assert_api_error(reply, 422, "invalid_field", "parent")
    like = reader.put(f"{API}/comments/{comment['id']}/reactions/like")
    assert_api_error(like, 404, "comment_not_found")
    flag = reader.post(f"{API}/comments/{comment['id']}/flags", json={"reason": "x"})
    assert_api_error(flag, 404, "comment_not_found")


def test_author_edits_a_pending_comment_without_publishing_it(premoderated, settings):
    author = premoderated("Ewa")
    comment = post(author, "pierwsza wersja")
    response = author.patch(f"{API}/comments/{comment['id']}", json={"body": "druga wersja"})
    assert response.status_code == 200 and response.json()["approved"] is False
    assert find(author, comment["id"])["body"] == "druga wersja"
    assert find(premoderated("Jan"), comment["id"]) is None
    assert events(settings.db) == []


def test_author_deletes_a_pending_comment_silently(premoderated, settings):
    author = premoderated("Ewa")
    comment = post(author)
    assert author.delete(f"{API}/comments/{comment['id']}").status_code == 204
    assert find(author, comment["id"]) is None
    assert thread(author)["thread"]["comment_count"] == 0
    assert events(settings.db) == []


def test_pending_queue_pages_newest_first(premoderated):
    author = premoderated("Ewa")
    comments = [post(author, f"nr {n}") for n in range(3)]
    moderator = admin(premoderated, "Ola")
    first = moderator.get(f"{API}/moderation/pending", params={"limit": 2}).json()
    assert [c["id"] for c in first["items"]] == [comments[2]["id"], comments[1]["id"]]
    rest = moderator.get(
        f"{API}/moderation/pending", params={"limit": 2, "before": first["next_before"]}
    ).json()
    assert [c["id"] for c in rest["items"]] == [comments[0]["id"]]
    assert rest["next_before"] is None
