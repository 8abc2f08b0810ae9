"""Several uvicorn workers on one SQLite file, driven by concurrent clients over HTTP."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx2
import pytest

from tests.load.conftest import OPEN, StartServer, all_comments, read_stopped
from tests.service.kit import assert_api_error

pytestmark = pytest.mark.load

CLIENTS = 16
COMMENTS_PER_CLIENT = 50
REPLY_EVERY = 3  # every third comment answers an earlier one, by anybody
KINDS = ("like", "love", "celebrate", "insightful", "curious")
TOGGLES_PER_CLIENT = 60
BARRIER_TIMEOUT = 60.0


def run_concurrently(work, clients: list[httpx2.Client]) -> list:
    """Run `work(n, client, barrier)` for every client in its own thread; the results."""
    barrier = threading.Barrier(len(clients), timeout=BARRIER_TIMEOUT)
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        futures = [pool.submit(work, n, client, barrier) for n, client in enumerate(clients)]
        return [future.result() for future in futures]


def test_load_concurrent_comments_all_stored(start_server: StartServer) -> None:
    server = start_server(workers=4)
    people = [server.client(f"Osoba {n}") for n in range(CLIENTS)]
    lock = threading.Lock()
    answered: list[str] = []  # ids answered 201 so far, for replies to pick from
    sent: dict[str, dict] = {}  # id -> what was posted and by whom
    statuses: Counter[int] = Counter()
    unexpected: list[str] = []

    def post_comments(n: int, client: httpx2.Client, barrier: threading.Barrier) -> None:
        rng = random.Random(n)
        barrier.wait()
        for k in range(COMMENTS_PER_CLIENT):
            payload: dict[str, str] = {"body": f"Komentarz {k} od osoby {n}"}
            with lock:
                if k % REPLY_EVERY == REPLY_EVERY - 1 and answered:
                    payload["parent"] = rng.choice(answered)
            response = client.post(f"/threads/{OPEN}/comments", json=payload)
            with lock:
                statuses[response.status_code] += 1
                if response.status_code != 201:
                    unexpected.append(f"{response.status_code} {response.text}")
                    continue
                comment = response.json()
                assert comment["id"] not in sent, f"id {comment['id']} answered twice"
                answered.append(comment["id"])
                sent[comment["id"]] = {**payload, "author": f"Osoba {n}", "answer": comment}

    run_concurrently(post_comments, people)

    assert not unexpected, f"{statuses}: {unexpected[:5]}"
    assert statuses == {201: CLIENTS * COMMENTS_PER_CLIENT}
    for post in sent.values():
        answer = post["answer"]
        assert answer["body"] == post["body"] and answer["mine"] is True
        assert answer["parent"] == post.get("parent")
    assert sum("parent" in post for post in sent.values()) >= CLIENTS * 10

    reader = server.client()
    thread = reader.get(f"/threads/{OPEN}").json()
    comments = list(all_comments(thread["comments"]))
    ids = [comment["id"] for comment in comments]
    assert thread["thread"]["comment_count"] == CLIENTS * COMMENTS_PER_CLIENT
    assert len(ids) == CLIENTS * COMMENTS_PER_CLIENT
    assert len(set(ids)) == len(ids), "a comment id appears twice in the thread"
    assert set(ids) == set(sent)
    for comment in comments:
        post = sent[comment["id"]]
        assert comment["parent"] == post.get("parent")
        assert comment["author"]["name"] == post["author"]
        assert post["body"] in comment["body_html"]
        for reply in comment["replies"]:
            assert reply["parent"] == comment["id"]
    counts = reader.get("/counts", params={"slug": OPEN}).json()
    assert counts[OPEN]["comments"] == CLIENTS * COMMENTS_PER_CLIENT

    stored, in_thread = read_stopped(server)
    assert set(in_thread) == set(sent)
    for comment_id, doc in in_thread.items():
        assert doc["body"] == sent[comment_id]["body"]
        parent = sent[comment_id].get("parent")
        assert doc["parent"] == (int(parent) if parent else None)
    assert stored.threads[OPEN]["comment_count"] == CLIENTS * COMMENTS_PER_CLIENT


def test_load_thread_read_while_posting_is_consistent(start_server: StartServer) -> None:
    """Every GET /threads/{slug} shows as many comments as its comment_count says."""
    writers, per_writer, readers = 8, 100, 4
    server = start_server(workers=4)
    people = [server.client(f"Pisarz {n}") for n in range(writers)]
    posted = threading.Event()
    reads: list[tuple[int, int]] = []  # (comment_count, comments listed) per read
    lock = threading.Lock()

    def post_comments(n: int, client: httpx2.Client, barrier: threading.Barrier) -> None:
        barrier.wait()
        for k in range(per_writer):
            response = client.post(f"/threads/{OPEN}/comments", json={"body": f"Wpis {k}/{n}"})
            assert response.status_code == 201, response.text

    def read_thread() -> None:
        client = server.client()
        while not posted.is_set():
            thread = client.get(f"/threads/{OPEN}").json()
            listed = sum(not comment["deleted"] for comment in all_comments(thread["comments"]))
            with lock:
                reads.append((thread["thread"]["comment_count"], listed))

    with ThreadPoolExecutor(max_workers=readers) as pool:
        reading = [pool.submit(read_thread) for _ in range(readers)]
        try:
            run_concurrently(post_comments, people)
        finally:
            posted.set()
        for future in reading:
            future.result()

    torn = [(count, listed) for count, listed in reads if count != listed]
    assert len(reads) > 50, "too few reads overlapped the writes"
    assert not torn, (
        f"{len(torn)} of {len(reads)} reads listed a different number of comments"
        f" than their comment_count (count, listed): {torn[:5]}"
    )


def test_load_concurrent_reactions_exact_counts(start_server: StartServer) -> None:
    server = start_server(workers=4)
    author = server.client("Autorka")
    response = author.post(f"/threads/{OPEN}/comments", json={"body": "Co o tym sądzicie?"})
    assert response.status_code == 201, response.text
    comment_id = response.json()["id"]
    people = [server.client(f"Czytelnik {n}") for n in range(CLIENTS)]

    def toggle(n: int, client: httpx2.Client, barrier: threading.Barrier) -> tuple[set, bool]:
        """Random PUTs and DELETEs; returns the person's final reactions and like."""
        rng = random.Random(1000 + n)
        mine: set[str] = set()
        liked = False
        barrier.wait()
        for _ in range(TOGGLES_PER_CLIENT):
            on = rng.random() < 0.5
            method = "PUT" if on else "DELETE"
            if rng.random() < 0.25:
                response = client.request(method, f"/comments/{comment_id}/reactions/like")
                assert response.status_code == 200, response.text
                liked = on
                assert response.json()["mine"] == (["like"] if liked else [])
            else:
                kind = rng.choice(KINDS)
                response = client.request(method, f"/threads/{OPEN}/reactions/{kind}")
                assert response.status_code == 200, response.text
                if on:
                    mine.add(kind)
                else:
                    mine.discard(kind)
                assert sorted(response.json()["mine"]) == sorted(mine)
        return mine, liked

    finals = run_concurrently(toggle, people)

    expected = {kind: sum(kind in mine for mine, _ in finals) for kind in KINDS}
    likes = sum(liked for _, liked in finals)
    assert any(0 < n < CLIENTS for n in expected.values()), "the random walk decided nothing"

    thread = server.client().get(f"/threads/{OPEN}").json()
    assert thread["thread"]["reactions"] == expected
    assert thread["comments"][0]["reactions"] == {"like": likes}
    counts = server.client().get("/counts", params={"slug": OPEN}).json()
    assert counts[OPEN] == {"comments": 1, "reactions": expected}
    for client, (mine, liked) in zip(people, finals, strict=True):
        own_view = client.get(f"/threads/{OPEN}").json()
        assert sorted(own_view["thread"]["mine"]) == sorted(mine)
        assert own_view["thread"]["reactions"] == expected
        assert own_view["comments"][0]["reactions"] == {"like": likes}
        assert own_view["comments"][0]["my_reactions"] == (["like"] if liked else [])


def test_load_rate_limit_shared_by_workers(start_server: StartServer) -> None:
    """One person over several connections to four workers: the limit holds in total."""
    limit, period, attempts, connections = 20, 60.0, 40, 8
    server = start_server(workers=4, rate_limit=f"{limit}/minute")
    first = server.client("Pośpieszna")
    clients = [first] + [server.client(cookies=first.cookies) for _ in range(connections - 1)]
    results: list[httpx2.Response] = []
    lock = threading.Lock()

    def post_quickly(n: int, client: httpx2.Client, barrier: threading.Barrier) -> None:
        barrier.wait()
        for k in range(attempts // connections):
            response = client.post(
                f"/threads/{OPEN}/comments",
                json={"body": f"Szybki wpis {k} z połączenia {n}"},
                # A new connection each time, so the kernel spreads them over the workers.
                headers={"connection": "close"},
            )
            with lock:
                results.append(response)

    started = time.monotonic()
    run_concurrently(post_quickly, clients)
    elapsed = time.monotonic() - started

    # GCRA lets one more comment through every period/limit seconds after the burst.
    assert elapsed < period / limit, f"posting took {elapsed:.1f} s, too slow to judge the limit"
    statuses = Counter(response.status_code for response in results)
    assert statuses == {201: limit, 429: attempts - limit}
    for response in results:
        if response.status_code == 429:
            assert_api_error(response, 429, "rate_limited")
            assert int(response.headers["retry-after"]) >= 1
    thread = first.get(f"/threads/{OPEN}").json()
    assert thread["thread"]["comment_count"] == limit


SPOOFED_IDENTITY = {
    "x-forwarded-user": "mallory",
    "x-forwarded-preferred-username": "Mallory",
    "x-forwarded-for": "10.9.9.9",
    "forwarded": "for=10.9.9.9",
    "x-real-ip": "10.9.9.9",
}


@pytest.mark.parametrize(
    ("trusted_proxies", "believed"),
    [
        pytest.param("10.9.9.9/32", False, id="claimed-proxy-not-the-peer"),
        pytest.param("127.0.0.1/32", True, id="peer-is-the-proxy"),
    ],
)
def test_load_identity_headers_only_from_tcp_peer(
    start_server: StartServer, trusted_proxies: str, believed: bool
) -> None:
    """uvicorn must not take the peer address from X-Forwarded-For and friends."""
    server = start_server(workers=2, auth="header", trusted_proxies=trusted_proxies)
    client = server.client()

    me = client.get("/me", headers=SPOOFED_IDENTITY).json()
    response = client.post(
        f"/threads/{OPEN}/comments", json={"body": "Jestem kimś innym"}, headers=SPOOFED_IDENTITY
    )

    assert me["auth"] == "header"
    if believed:
        assert me["user"] == {"id": "mallory", "name": "Mallory", "moderator": False}
        assert response.status_code == 201, response.text
        assert response.json()["author"] == {"id": "mallory", "name": "Mallory"}
    else:
        assert me["user"] is None
        assert_api_error(response, 401, "not_signed_in")
        thread = client.get(f"/threads/{OPEN}").json()
        assert thread["thread"]["comment_count"] == 0
