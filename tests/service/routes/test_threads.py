"""Threads: one with its comments, the counts of several, a must-read confirmation."""

from __future__ import annotations

from tests.service.kit import (
    ARTICLES,
    THREAD,
    assert_api_error,
    comment_id,
    flat,
    post,
    send_comment,
    thread,
    write_articles,
)

# --- reading threads ----------------------------------------------------------------------


def test_thread_unknown_is_404(client):
    assert_api_error(client.get("/api/v1/threads/no-such-article"), 404, "thread_not_found")


def test_thread_hidden_does_not_exist(client):
    assert_api_error(client.get("/api/v1/threads/hidden-news"), 404, "thread_not_found")
    assert_api_error(send_comment(client, slug="hidden-news"), 404, "thread_not_found")


def test_thread_empty_has_the_contract_shape(anonymous):
    data = anonymous.get(THREAD).json()
    thread = data["thread"]
    assert data["comments"] == []
    assert thread["slug"] == "open-news" and thread["locked"] is False
    assert thread["comment_count"] == 0 and thread["mine"] == []
    assert thread["reactions"] == {
        "like": 0,
        "love": 0,
        "celebrate": 0,
        "insightful": 0,
        "curious": 0,
    }
    assert thread["must_read"] is False and thread["acknowledged"] is False
    assert thread["ack_count"] == 0


def test_thread_read_by_another_worker_right_after_a_write_is_current(make_client):
    """Each worker keeps its rendered threads; a write through another worker is seen
    by the very next read (the thread's version is read afresh every time)."""
    writer, reader, anonymous = make_client("Ala"), make_client("Ola"), make_client()

    def bodies(client) -> list[str]:
        return [c["body_html"] for c in flat(thread(client)["comments"])]

    for number in range(3):
        assert bodies(reader) == [f"<p>{n}</p>" for n in range(number)]
        assert len(anonymous.get(THREAD).json()["comments"]) == number
        post(writer, f"{number}")
        assert bodies(reader) == [f"<p>{n}</p>" for n in range(number + 1)]
        assert anonymous.get(THREAD).json()["thread"]["comment_count"] == number + 1
    liked = flat(thread(reader)["comments"])[0]["id"]
    assert reader.put(f"/api/v1/comments/{liked}/reactions/like").status_code == 200
    assert flat(thread(writer)["comments"])[0]["reactions"] == {"like": 1}
    counts = reader.get("/api/v1/counts", params={"slug": "open-news"}).json()
    assert counts["open-news"]["comments"] == 3


def test_threads_follow_a_new_manifest(client, settings):
    assert_api_error(client.get("/api/v1/threads/fresh-news"), 404, "thread_not_found")
    fresh = {**ARTICLES[0], "slug": "fresh-news", "url": "news/fresh-news.html", "translations": []}
    closed = [{**entry, "comments": "closed"} for entry in ARTICLES if entry["slug"] == "open-news"]
    others = [entry for entry in ARTICLES if entry["slug"] != "open-news"]
    write_articles(settings.articles, [*others, *closed, fresh])
    assert client.get("/api/v1/threads/fresh-news").status_code == 200
    assert_api_error(send_comment(client), 403, "thread_locked")


# --- acknowledgements ---------------------------------------------------------------------


def test_acknowledgement_counts_once_per_person(client, make_client):
    path = "/api/v1/threads/must-read/acknowledgement"
    for _ in range(2):
        response = client.put(path)
        assert response.status_code == 200 and response.json()["ack_count"] == 1
    make_client("Jan").put(path)
    thread = client.get("/api/v1/threads/must-read").json()["thread"]
    assert thread["acknowledged"] is True and thread["ack_count"] == 2
    assert thread["must_read"] is True


def test_acknowledgement_of_ordinary_article_is_409(client):
    assert_api_error(client.put(THREAD + "/acknowledgement"), 409, "not_must_read")


def test_acknowledgement_lapses_when_article_is_updated(client, settings):
    client.put("/api/v1/threads/must-read/acknowledgement")
    updated = [dict(entry) for entry in ARTICLES]
    updated[-1]["modified"] = "2099-01-01T00:00:00+00:00"
    write_articles(settings.articles, updated)
    thread = client.get("/api/v1/threads/must-read").json()["thread"]
    assert thread["acknowledged"] is False and thread["ack_count"] == 0
    assert thread["acknowledged_at"]  # the old confirmation is still known


# --- counts -------------------------------------------------------------------------------


def test_counts_of_several_threads(client):
    comment_id(client)
    comment_id(client)
    client.put(THREAD + "/reactions/love")
    response = client.get("/api/v1/counts?slug=open-news&slug=must-read&slug=nope&slug=hidden-news")
    data = response.json()
    assert set(data) == {"open-news", "must-read"}
    assert data["open-news"]["comments"] == 2 and data["open-news"]["reactions"]["love"] == 1
    assert data["must-read"] == {
        "comments": 0,
        "reactions": dict.fromkeys(data["must-read"]["reactions"], 0),
    }


def test_counts_limits(client):
    assert_api_error(client.get("/api/v1/counts"), 422, "invalid_field", "slug")
    many = "&".join(f"slug=s{i}" for i in range(101))
    assert_api_error(client.get(f"/api/v1/counts?{many}"), 422, "invalid_field", "slug")
    assert client.get("/api/v1/counts?" + "&".join(f"slug=s{i}" for i in range(100))).json() == {}
