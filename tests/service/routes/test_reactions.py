"""Reactions to an article and likes of a comment: toggled, counted, refused where locked."""

from __future__ import annotations

from tests.service.kit import THREAD, admin, assert_api_error, comment_id

# --- reactions ----------------------------------------------------------------------------


def test_reaction_toggle_is_idempotent_and_counted(client, make_client):
    jan = make_client("Jan")
    for _ in range(2):
        response = client.put(THREAD + "/reactions/celebrate")
        assert response.status_code == 200
        assert response.json()["reactions"]["celebrate"] == 1
        assert response.json()["mine"] == ["celebrate"]
    jan.put(THREAD + "/reactions/celebrate")
    assert jan.get(THREAD).json()["thread"]["reactions"]["celebrate"] == 2
    assert jan.get(THREAD).json()["thread"]["mine"] == ["celebrate"]
    for _ in range(2):
        response = client.delete(THREAD + "/reactions/celebrate")
        assert response.json()["reactions"]["celebrate"] == 1 and response.json()["mine"] == []


def test_reaction_unknown_kind_is_422(client):
    assert_api_error(client.put(THREAD + "/reactions/angry"), 422, "invalid_field", "kind")


def test_reaction_needs_sign_in(anonymous):
    assert_api_error(anonymous.put(THREAD + "/reactions/like"), 401, "not_signed_in")


def test_reaction_on_closed_article_is_refused(client):
    """Closed means read-only: no comments, no reactions."""
    response = client.put("/api/v1/threads/closed-news/reactions/like")
    assert_api_error(response, 403, "thread_locked")
    assert client.get("/api/v1/threads/closed-news").json()["thread"]["reactions"]["like"] == 0


def test_reaction_on_a_locked_thread_is_refused(make_client, settings):
    reader = make_client("Ewa")
    assert reader.put(f"{THREAD}/reactions/love").status_code == 200
    moderator = admin(make_client, "Ola")
    assert moderator.put(f"{THREAD}/lock", json={"reason": "Spór"}).status_code == 200
    assert_api_error(reader.delete(f"{THREAD}/reactions/love"), 403, "thread_locked")
    assert_api_error(reader.put(f"{THREAD}/reactions/like"), 403, "thread_locked")
    assert reader.get(THREAD).json()["thread"]["mine"] == ["love"]


# --- likes --------------------------------------------------------------------------------


def test_like_comment_toggle(client, make_client):
    cid = comment_id(client)
    jan = make_client("Jan")
    for _ in range(2):
        response = jan.put(f"/api/v1/comments/{cid}/reactions/like")
        assert response.json() == {"reactions": {"like": 1}, "mine": ["like"]}
    seen = jan.get(THREAD).json()["comments"][0]
    assert seen["reactions"] == {"like": 1} and seen["my_reactions"] == ["like"]
    assert client.get(THREAD).json()["comments"][0]["my_reactions"] == []
    response = jan.delete(f"/api/v1/comments/{cid}/reactions/like")
    assert response.json() == {"reactions": {"like": 0}, "mine": []}


def test_like_own_comment_is_403(client):
    cid = comment_id(client)
    assert_api_error(client.put(f"/api/v1/comments/{cid}/reactions/like"), 403, "forbidden")


def test_like_other_kind_is_422(client, make_client):
    cid = comment_id(client)
    response = make_client("Jan").put(f"/api/v1/comments/{cid}/reactions/love")
    assert_api_error(response, 422, "invalid_field", "kind")


def test_like_unknown_comment_is_404(client):
    assert_api_error(client.put("/api/v1/comments/5555/reactions/like"), 404, "comment_not_found")
