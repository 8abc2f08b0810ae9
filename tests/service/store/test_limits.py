"""Every write a person can repeat has a limit: comments, edits, reactions and likes, reports.

Each one reaches every open stream of the thread, so none may be free to
flood them (the limit on reports is tested in test_flags.py).
"""

from __future__ import annotations

from comments_service.config import RateLimit
from tests.service.kit import API, THREAD, assert_api_error, events, post, send_comment


def test_edits_per_person_are_limited(make_client, settings):
    ewa = make_client("Ewa", edit_rate_limit=RateLimit(3, 60))
    comment = post(ewa, "Pierwsza wersja")
    path = f"{API}/comments/{comment['id']}"
    for n in range(3):
        assert ewa.patch(path, json={"body": f"wersja {n}"}).status_code == 200
    response = ewa.patch(path, json={"body": "jeszcze raz"})
    assert_api_error(response, 429, "rate_limited")
    assert 1 <= int(response.headers["retry-after"]) <= 20
    assert "editing" in response.json()["error"]["message"]
    # The refused edit changed nothing and told no one.
    assert ewa.get(THREAD).json()["comments"][0]["body"] == "wersja 2"
    assert len([e for e in events(settings.db) if e[0] == "comment"]) == 4


def test_reaction_toggles_per_person_are_limited(make_client):
    ewa = make_client("Ewa", reaction_rate_limit=RateLimit(4, 60))
    for n in range(4):
        method = ewa.put if n % 2 == 0 else ewa.delete
        assert method(f"{THREAD}/reactions/love").status_code == 200
    response = ewa.put(f"{THREAD}/reactions/love")
    assert_api_error(response, 429, "rate_limited")
    assert int(response.headers["retry-after"]) >= 1
    assert ewa.get(THREAD).json()["thread"]["reactions"]["love"] == 0
    # Someone else has their own allowance.
    assert (
        make_client("Jan", reaction_rate_limit=RateLimit(4, 60))
        .put(f"{THREAD}/reactions/love")
        .status_code
        == 200
    )


def test_likes_share_the_reactions_limit(make_client):
    comment = post(make_client("Ewa"), "Warto polubić")
    jan = make_client("Jan", reaction_rate_limit=RateLimit(3, 60))
    like = f"{API}/comments/{comment['id']}/reactions/like"
    assert jan.put(f"{THREAD}/reactions/like").status_code == 200
    assert jan.put(like).status_code == 200
    assert jan.delete(like).status_code == 200
    assert_api_error(jan.put(like), 429, "rate_limited")
    assert jan.get(THREAD).json()["comments"][0]["reactions"] == {"like": 0}


def test_limits_are_shared_by_workers(make_client):
    limit = RateLimit(2, 60)
    first = make_client("Ewa", edit_rate_limit=limit)
    comment = post(first, "Tekst")
    second = make_client(edit_rate_limit=limit)
    second.cookies = first.cookies
    path = f"{API}/comments/{comment['id']}"
    assert first.patch(path, json={"body": "a"}).status_code == 200
    assert second.patch(path, json={"body": "b"}).status_code == 200
    assert_api_error(first.patch(path, json={"body": "c"}), 429, "rate_limited")


def test_rate_limit_is_per_person_with_retry_after(make_client):
    ewa = make_client("Ewa", rate_limit=RateLimit(2, 60))
    jan = make_client("Jan", rate_limit=RateLimit(2, 60))
    assert send_comment(ewa).status_code == 201 and send_comment(ewa).status_code == 201
    response = send_comment(ewa)
    assert_api_error(response, 429, "rate_limited")
    assert 1 <= int(response.headers["retry-after"]) <= 30
    assert send_comment(jan).status_code == 201  # same address, another person
