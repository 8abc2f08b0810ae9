"""Two hosts on one PostgreSQL schema: what one is told, the other stores, shows and streams.

Each host is a `serve --workers 2` of its own (its own process group and
port), as two machines behind a load balancer would be; both use the test's
one fresh schema and the same secret key, so a person signed in on one is
the same person on the other. PostgreSQL alone: the tests are left out (or
fail under CI=true) as tests/conftest.py says when there is no server.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx2
import pytest

from bench.live_events import EventStream, measure_event_latency
from tests.load.conftest import (
    OPEN,
    StartServer,
    Stored,
    all_comments,
    read_database,
    wait_for_progress,
)
from tests.servers import Server

pytestmark = [pytest.mark.load, pytest.mark.parametrize("engine", ["postgresql"])]

HOST_WORKERS = 2
CLIENTS = 16
COMMENTS = 800
REPLY_EVERY = 4  # every fourth post answers an earlier comment, made on either host
CRASHES = 10
CRASH_WRITERS = 12
RETRY_PAUSE = 0.02  # pacing after a failed request, not a wait for anything
EVENT_POSTS = 50
EVENT_LISTENERS = 4
EVENT_BOUND = 1.0  # seconds, p95 of POST on host A -> event on host B


def start_hosts(start_server: StartServer) -> tuple[Server, Server]:
    """Two hosts of `HOST_WORKERS` workers each, on the test's one schema."""
    first, second = start_server(workers=HOST_WORKERS), start_server(workers=HOST_WORKERS)
    assert first.location == second.location and isinstance(first.location, str)
    assert first.process.pid != second.process.pid and first.port != second.port
    return first, second


def person_on_both(hosts: tuple[Server, Server], name: str) -> tuple[httpx2.Client, ...]:
    """One person: signed in on the first host, the same cookie on the second."""
    first = hosts[0].client(name)
    return first, hosts[1].client(cookies=first.cookies)


def read_stopped_hosts(hosts: tuple[Server, Server]) -> tuple[Stored, dict[str, dict]]:
    """Stop both hosts, read the schema: what it holds, and the OPEN thread's comments by id."""
    for host in hosts:
        host.stop()
    stored = read_database(hosts[0].location)
    assert stored.integrity == "ok"
    in_thread = {str(key): doc for key, doc in stored.comments.items() if doc["thread"] == OPEN}
    assert len(in_thread) == len(stored.comments), "comments outside the thread"
    return stored, in_thread


def test_multihost_concurrent_comments_stored_once(start_server: StartServer) -> None:
    hosts = start_hosts(start_server)
    people = [person_on_both(hosts, f"Osoba {n}") for n in range(CLIENTS)]
    per_client = COMMENTS // CLIENTS
    lock = threading.Lock()
    answered: list[str] = []
    sent: dict[str, dict] = {}  # id -> what was posted, by whom, through which host
    statuses: Counter[int] = Counter()
    unexpected: list[str] = []
    barrier = threading.Barrier(CLIENTS, timeout=60)

    def post_comments(n: int) -> None:
        rng = random.Random(n)
        barrier.wait()
        for k in range(per_client):
            host = (n + k) % 2  # every person alternates, half of them starting on each host
            payload = {"body": f"Komentarz {k} od osoby {n} przez host {host}"}
            with lock:
                if k % REPLY_EVERY == REPLY_EVERY - 1 and answered:
                    payload["parent"] = rng.choice(answered)
            response = people[n][host].post(f"/threads/{OPEN}/comments", json=payload)
            with lock:
                statuses[response.status_code] += 1
                if response.status_code != 201:
                    unexpected.append(f"{response.status_code} {response.text}")
                    continue
                comment = response.json()
                assert comment["id"] not in sent, f"id {comment['id']} answered twice"
                answered.append(comment["id"])
                sent[comment["id"]] = {**payload, "author": f"Osoba {n}", "host": host}

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        for future in [pool.submit(post_comments, n) for n in range(CLIENTS)]:
            future.result()

    assert not unexpected, f"{statuses}: {unexpected[:5]}"
    assert statuses == {201: COMMENTS}
    assert Counter(post["host"] for post in sent.values()) == {0: COMMENTS // 2, 1: COMMENTS // 2}
    assert sum("parent" in post for post in sent.values()) >= COMMENTS // REPLY_EVERY - CLIENTS

    for host in hosts:  # both hosts show the same thread, whoever took each comment
        reader = host.client()
        thread = reader.get(f"/threads/{OPEN}").json()
        comments = list(all_comments(thread["comments"]))
        ids = [comment["id"] for comment in comments]
        assert thread["thread"]["comment_count"] == COMMENTS
        assert len(ids) == len(set(ids)) == COMMENTS, "a comment is missing or listed twice"
        assert set(ids) == set(sent)
        for comment in comments:
            post = sent[comment["id"]]
            assert comment["parent"] == post.get("parent")
            assert comment["author"]["name"] == post["author"]
            assert post["body"] in comment["body_html"]
        counts = reader.get("/counts", params={"slug": OPEN}).json()
        assert counts[OPEN]["comments"] == COMMENTS

    stored, in_thread = read_stopped_hosts(hosts)
    assert set(in_thread) == set(sent)
    bodies = [doc["body"] for doc in in_thread.values()]
    assert len(set(bodies)) == len(bodies) == COMMENTS, "a post was stored twice"
    for comment_id, doc in in_thread.items():
        assert doc["body"] == sent[comment_id]["body"]
        parent = sent[comment_id].get("parent")
        assert doc["parent"] == (int(parent) if parent else None)
    assert stored.threads[OPEN]["comment_count"] == COMMENTS


@dataclass
class Outcomes:
    """What the writers were told, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    answered: dict[str, str] = field(default_factory=dict)  # id -> token, answered 201
    in_doubt: set[str] = field(default_factory=set)  # tokens whose connection broke mid-way
    refused: int = 0  # connections refused (host down): retried on the other host
    other: list[str] = field(default_factory=list)  # any answer but 201


def write_until(
    stop: threading.Event, n: int, clients: tuple[httpx2.Client, ...], outcomes: Outcomes
) -> None:
    """Post comments, each with a token of its own, until `stop`; a comment whose
    connection was refused goes to the other host, one cut off mid-way is in doubt."""
    rng = random.Random(n)
    host = rng.randrange(2)
    k = 0
    while not stop.is_set():
        token = f"t{n}x{k}"
        k += 1
        while not stop.is_set():
            try:
                response = clients[host].post(
                    f"/threads/{OPEN}/comments", json={"body": f"Wpis {token} osoby {n}"}
                )
            except httpx2.ConnectError:  # nothing was sent: safe to send again elsewhere
                with outcomes.lock:
                    outcomes.refused += 1
                host = 1 - host
                time.sleep(RETRY_PAUSE)
                continue
            except httpx2.TransportError:  # it may have been stored: never sent twice
                with outcomes.lock:
                    outcomes.in_doubt.add(token)
                host = 1 - host
                time.sleep(RETRY_PAUSE)
                break
            with outcomes.lock:
                if response.status_code == 201:
                    comment_id = response.json()["id"]
                    assert comment_id not in outcomes.answered, f"id {comment_id} given twice"
                    outcomes.answered[comment_id] = token
                else:
                    outcomes.other.append(f"{response.status_code} {response.text}")
            host = rng.randrange(2)
            break


def test_multihost_kill_9_of_a_host_loses_no_answered_comment(start_server: StartServer) -> None:
    hosts = start_hosts(start_server)
    writers = [person_on_both(hosts, f"Piszący {n}") for n in range(CRASH_WRITERS)]
    outcomes = Outcomes()
    stop = threading.Event()
    threads = [
        threading.Thread(target=write_until, args=(stop, n, clients, outcomes), daemon=True)
        for n, clients in enumerate(writers)
    ]
    rng = random.Random(10)
    killed: Counter[int] = Counter()
    try:
        for thread in threads:
            thread.start()
        for crash in range(CRASHES):
            time.sleep(rng.uniform(0.3, 0.8))  # a random moment of the writing: the point
            victim = rng.randrange(2)
            killed[victim] += 1
            hosts[victim].kill()
            with outcomes.lock:
                answered = len(outcomes.answered)
            # The other host carries on alone while this one is down.
            wait_for_progress(
                outcomes.lock, outcomes.answered, answered, f"with host {victim} down ({crash + 1})"
            )
            hosts[victim].start()
            with outcomes.lock:
                answered = len(outcomes.answered)
            wait_for_progress(
                outcomes.lock,
                outcomes.answered,
                answered,
                f"after restart {crash + 1} of {CRASHES}",
            )
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer is stuck"
    assert not outcomes.other, outcomes.other[:5]
    print(
        f"\n{len(outcomes.answered)} comments answered over {CRASHES} kills {dict(killed)},"
        f" {outcomes.refused} refused connections retried, {len(outcomes.in_doubt)} in doubt"
    )

    tokens = {comment_id: f"Wpis {token} " for comment_id, token in outcomes.answered.items()}
    for host in hosts:
        thread = host.client().get(f"/threads/{OPEN}").json()
        comments = {comment["id"]: comment for comment in all_comments(thread["comments"])}
        assert thread["thread"]["comment_count"] == len(comments), "the counter is torn"
        missing = sorted(set(outcomes.answered) - set(comments), key=int)
        assert not missing, f"{len(missing)} comments answered 201 are gone: {missing[:10]}"
        for comment_id, token in tokens.items():
            assert token in comments[comment_id]["body_html"]

    stored, in_thread = read_stopped_hosts(hosts)
    assert stored.threads[OPEN]["comment_count"] == len(in_thread), "the counter is torn"
    stored_tokens = Counter(doc["body"].split()[1] for doc in in_thread.values())
    twice = [token for token, times in stored_tokens.items() if times > 1]
    assert not twice, f"stored more than once: {twice[:10]}"
    for comment_id, token in outcomes.answered.items():
        assert in_thread[comment_id]["body"].split()[1] == token
    unanswered = set(stored_tokens) - set(outcomes.answered.values())
    unexplained = sorted(unanswered - outcomes.in_doubt)
    assert not unexplained, f"stored, yet neither answered 201 nor cut off: {unexplained[:10]}"


def test_multihost_event_reaches_the_other_host_within_a_second(
    start_server: StartServer,
) -> None:
    poster, listener = start_hosts(start_server)

    async def scenario() -> None:
        streams = [
            await EventStream(listener.base_url, OPEN).open() for _ in range(EVENT_LISTENERS)
        ]
        assert all(stream.status == 200 for stream in streams)
        try:
            report = await measure_event_latency(
                poster.base_url, OPEN, posts=EVENT_POSTS, streams=streams, timeout=EVENT_BOUND + 2
            )
        finally:
            for stream in streams:
                await stream.close()
        print(
            f"\nPOST on host A -> event on host B, {EVENT_POSTS} posts x {len(streams)} readers:"
            f" p50 {report.p50_ms:.0f} ms, p95 {report.p95_ms:.0f} ms, max {report.max_ms:.0f} ms"
        )
        assert report.missing == 0, f"{report.missing} events never arrived"
        assert report.out_of_order == 0
        assert all(len(seen) == EVENT_POSTS for seen in report.seen)
        assert report.p95_ms < EVENT_BOUND * 1000, f"p95 {report.p95_ms:.0f} ms"

    asyncio.run(asyncio.wait_for(scenario(), 120))
