"""kill -9 of every server process while clients post: no answered comment is lost."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

import httpx2
import pytest

from tests.load.conftest import OPEN, StartServer, all_comments, read_stopped, wait_for_progress

pytestmark = pytest.mark.load

WRITERS = 8
CRASHES = 10
REPLY_EVERY = 4  # every fourth post answers the writer's last answered comment
# A writer whose request failed waits this long before its next one: pacing while
# the server is down, not a wait for anything to happen.
RETRY_PAUSE = 0.02


@dataclass
class Outcomes:
    """What the writers were told, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    answered: dict[str, dict] = field(default_factory=dict)  # id -> post, answered 201
    not_sent: set[str] = field(default_factory=set)  # bodies refused before any byte went out
    in_doubt: set[str] = field(default_factory=set)  # bodies whose connection broke mid-way
    other: list[str] = field(default_factory=list)  # any answer but 201


def write_until(stop: threading.Event, n: int, client: httpx2.Client, outcomes: Outcomes) -> None:
    """Post comments (some replies) until `stop`, recording every outcome."""
    last_answered: str | None = None
    k = 0
    while not stop.is_set():
        post = {"body": f"Wpis {k} osoby {n}"}
        if k % REPLY_EVERY == REPLY_EVERY - 1 and last_answered:
            post["parent"] = last_answered
        k += 1
        try:
            response = client.post(f"/threads/{OPEN}/comments", json=post)
        except httpx2.ConnectError:
            with outcomes.lock:
                outcomes.not_sent.add(post["body"])
            time.sleep(RETRY_PAUSE)
            continue
        except httpx2.TransportError:
            with outcomes.lock:
                outcomes.in_doubt.add(post["body"])
            time.sleep(RETRY_PAUSE)
            continue
        with outcomes.lock:
            if response.status_code == 201:
                comment = response.json()
                assert comment["id"] not in outcomes.answered, f"id {comment['id']} given twice"
                outcomes.answered[comment["id"]] = post
                last_answered = comment["id"]
            else:
                outcomes.other.append(f"{response.status_code} {response.text}")


def test_crash_kill_9_loses_no_answered_comment(start_server: StartServer) -> None:
    server = start_server(workers=2)
    writers = [server.client(f"Piszący {n}") for n in range(WRITERS)]
    outcomes = Outcomes()
    stop = threading.Event()
    threads = [
        threading.Thread(target=write_until, args=(stop, n, client, outcomes), daemon=True)
        for n, client in enumerate(writers)
    ]
    rng = random.Random(9)
    try:
        for thread in threads:
            thread.start()
        for crash in range(CRASHES):
            # The crash comes at a random moment of the writing: the pause is the point.
            time.sleep(rng.uniform(0.5, 1.5))
            server.kill()
            server.start(workers=2 + crash % 3)
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
    thread = server.client().get(f"/threads/{OPEN}").json()
    comments = {comment["id"]: comment for comment in all_comments(thread["comments"])}
    assert thread["thread"]["comment_count"] == len(comments), "the counter is torn"
    missing = sorted(set(outcomes.answered) - set(comments), key=int)
    assert not missing, f"{len(missing)} comments answered 201 are gone: {missing[:10]}"
    for comment_id, post in outcomes.answered.items():
        assert comments[comment_id]["parent"] == post.get("parent")
        assert post["body"] in comments[comment_id]["body_html"]

    stored, in_thread = read_stopped(server)
    differ = sorted(in_thread.keys() ^ comments.keys(), key=int)
    assert not differ, f"the file and the API disagree about comments {differ[:10]}"
    assert stored.threads[OPEN]["comment_count"] == len(in_thread), "the counter is torn"
    for comment_id, post in outcomes.answered.items():
        assert in_thread[comment_id]["body"] == post["body"]
    bodies = [doc["body"] for doc in in_thread.values()]
    assert len(set(bodies)) == len(bodies), "a post was stored twice"
    unanswered = {doc["body"] for key, doc in in_thread.items() if key not in outcomes.answered}
    unexplained = sorted(unanswered - outcomes.in_doubt)
    assert not unexplained, f"stored, yet neither answered 201 nor cut off: {unexplained[:10]}"
