"""Live events (GET /threads/{slug}/events): what each change sends, to whom, and when.

Streams are driven through the app's ASGI interface in asyncio (kit.py), each scenario
under a timeout, so that a broken stream fails a test instead of hanging the suite.
"""

from __future__ import annotations

import time

from tests.service.kit import MUST_READ, OPEN, Worker, events_until, post_async, run

COMMENT_KEYS = {
    "id", "parent", "author", "article_author", "body_html", "created", "edited",
    "deleted", "pinned", "approved", "hidden", "reactions", "mine", "my_reactions", "replies",
}  # fmt: skip


def test_events_stream_headers_and_retry(settings):
    async def scenario(worker: Worker) -> None:
        stream = await worker.stream()
        assert stream.status == 200
        assert stream.response_headers["content-type"].startswith("text/event-stream")
        assert stream.response_headers["cache-control"] == "no-cache"
        assert stream.response_headers["x-accel-buffering"] == "no"
        assert stream.response_headers["x-content-type-options"] == "nosniff"
        await post_async(await worker.person("Ewa"), "Pierwszy")
        await stream.next_event()
        assert stream.retry == 3000

    run(settings, scenario)


def test_events_comment_posted_arrives_as_a_reader_sees_it(settings):
    async def scenario(worker: Worker) -> None:
        stream = await worker.stream()
        ewa = await worker.person("Ewa")
        posted = await post_async(ewa, "**Witam** wszystkich")
        event = await stream.next_event()
        assert event.name == "comment" and event.id >= 1
        assert set(event.data) == {"comment", "comment_count"}
        assert event.data["comment_count"] == 1
        comment = event.data["comment"]
        assert set(comment) == COMMENT_KEYS, "no Markdown source, nothing personal"
        assert comment["id"] == posted["id"] and comment["parent"] is None
        assert comment["author"] == posted["author"]
        assert comment["body_html"] == "<p><strong>Witam</strong> wszystkich</p>"
        assert comment["mine"] is False and comment["my_reactions"] == []
        assert comment["replies"] == [] and comment["edited"] is None
        assert comment["reactions"] == {"like": 0} and comment["deleted"] is False
        reply = await post_async(ewa, "Odpowiedź", parent=posted["id"])
        second = await stream.next_event()
        assert second.id > event.id and second.data["comment_count"] == 2
        assert second.data["comment"]["id"] == reply["id"]
        assert second.data["comment"]["parent"] == posted["id"]

    run(settings, scenario)


def test_events_comment_edited_is_sent_again_with_edited_set(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        posted = await post_async(ewa, "Pierwsza wersja")
        stream = await worker.stream()
        response = await ewa.patch(f"/api/v1/comments/{posted['id']}", json={"body": "Druga"})
        assert response.status_code == 200
        event = await stream.next_event()
        assert event.name == "comment" and event.data["comment_count"] == 1
        assert event.data["comment"]["id"] == posted["id"]
        assert event.data["comment"]["edited"] is not None
        assert event.data["comment"]["body_html"] == "<p>Druga</p>"
        assert "body" not in event.data["comment"]

    run(settings, scenario)


def test_events_comment_deleted_with_and_without_placeholder(settings):
    async def scenario(worker: Worker) -> None:
        ewa, jan = await worker.person("Ewa"), await worker.person("Jan")
        alone = await post_async(ewa, "Sam")
        question = await post_async(ewa, "Pytanie")
        answer = await post_async(jan, "Odpowiedź", parent=question["id"])
        stream = await worker.stream()

        assert (await ewa.delete(f"/api/v1/comments/{alone['id']}")).status_code == 204
        event = await stream.next_event()
        assert event.name == "comment_deleted"
        assert event.data == {"id": alone["id"], "placeholder": False, "comment_count": 2}

        assert (await ewa.delete(f"/api/v1/comments/{question['id']}")).status_code == 204
        event = await stream.next_event()
        assert event.data == {"id": question["id"], "placeholder": True, "comment_count": 1}

        # The last reply goes, and the placeholder with it: one event each.
        assert (await jan.delete(f"/api/v1/comments/{answer['id']}")).status_code == 204
        first, second = await events_until(stream, 2)
        assert first.data == {"id": answer["id"], "placeholder": False, "comment_count": 0}
        assert second.data == {"id": question["id"], "placeholder": False, "comment_count": 0}
        assert first.name == second.name == "comment_deleted" and second.id > first.id

    run(settings, scenario)


def test_events_likes_reactions_and_acknowledgements(settings):
    async def scenario(worker: Worker) -> None:
        ewa, jan = await worker.person("Ewa"), await worker.person("Jan")
        posted = await post_async(ewa, "Do polubienia")
        stream = await worker.stream()
        must_read = await worker.stream(f"/api/v1/threads/{MUST_READ}/events")

        like = f"/api/v1/comments/{posted['id']}/reactions/like"
        assert (await jan.put(like)).status_code == 200
        assert (await jan.put(like)).status_code == 200  # changes nothing: no event
        assert (await jan.delete(like)).status_code == 200
        liked, unliked = await events_until(stream, 2)
        assert liked.name == unliked.name == "like"
        assert liked.data == {"id": posted["id"], "likes": 1}
        assert unliked.data == {"id": posted["id"], "likes": 0}

        assert (await jan.put(f"/api/v1/threads/{OPEN}/reactions/celebrate")).status_code == 200
        event = await stream.next_event()
        assert event.name == "reactions"
        assert event.data == {
            "reactions": {"like": 0, "love": 0, "celebrate": 1, "insightful": 0, "curious": 0}
        }

        ack = f"/api/v1/threads/{MUST_READ}/acknowledgement"
        assert (await jan.put(ack)).status_code == 200
        assert (await jan.put(ack)).status_code == 200  # counted once: no second event
        assert (await ewa.put(ack)).status_code == 200
        first, second = await events_until(must_read, 2)
        assert first.name == second.name == "acknowledgements"
        assert (first.data, second.data) == ({"ack_count": 1}, {"ack_count": 2})
        await stream.expect_nothing()

    run(settings, scenario)


def test_events_of_one_thread_do_not_reach_another(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        open_news = await worker.stream()
        must_read = await worker.stream(f"/api/v1/threads/{MUST_READ}/events")
        await post_async(ewa, "Tylko tutaj", slug=MUST_READ)
        assert (await must_read.next_event()).data["comment"]["body_html"] == "<p>Tylko tutaj</p>"
        await post_async(ewa, "A to tam")
        event = await open_news.next_event()
        assert event.data["comment"]["body_html"] == "<p>A to tam</p>"
        await must_read.expect_nothing()

    run(settings, scenario)


def test_events_reach_readers_of_another_worker(settings):
    async def scenario(posting: Worker, reading: Worker) -> None:
        stream = await reading.stream()
        ewa = await posting.person("Ewa")
        started = time.monotonic()
        posted = await post_async(ewa, "Przez innego workera")
        event = await stream.next_event()
        assert event.data["comment"]["id"] == posted["id"]
        assert time.monotonic() - started < 1.0

    run(settings, scenario, workers=2)


def test_events_own_commits_are_sent_at_once(settings):
    """A worker does not wait for its next look at the log to send its own changes."""

    async def scenario(worker: Worker) -> None:
        stream = await worker.stream()
        posted = await post_async(await worker.person("Ewa"), "Od razu")
        event = await stream.next_event(timeout=1.0)
        assert event.data["comment"]["id"] == posted["id"]

    run(settings, scenario, events_poll_interval=60.0)


def test_events_heartbeat(settings):
    async def scenario(worker: Worker) -> None:
        stream = await worker.stream()
        await stream.expect_nothing(wait=0.5)
        assert stream.pings >= 2

    run(settings, scenario, events_heartbeat=0.1)
