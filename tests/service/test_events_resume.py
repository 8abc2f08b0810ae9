"""Resuming a live event stream (Last-Event-ID or ?last_event_id=): exactly the missed
events, in order, or `reset` when they are no longer kept."""

from __future__ import annotations

import time

import pytest

from comments_service.store import changelog
from tests.service.kit import (
    EVENTS,
    MUST_READ,
    OPEN,
    Worker,
    assert_api_error,
    events_until,
    post_async,
    run,
)


def test_events_resume_replays_exactly_the_missed_events_in_order(settings):
    async def scenario(worker: Worker) -> None:
        ewa, jan = await worker.person("Ewa"), await worker.person("Jan")
        stream = await worker.stream()
        first = await post_async(ewa, "Jeden")
        seen = await stream.next_event()
        await stream.close()

        second = await post_async(ewa, "Dwa")
        await post_async(ewa, "Gdzie indziej", slug=MUST_READ)
        assert (await jan.put(f"/api/v1/comments/{first['id']}/reactions/like")).status_code == 200
        assert (await ewa.delete(f"/api/v1/comments/{second['id']}")).status_code == 204

        by_header = await worker.stream(headers={"last-event-id": str(seen.id)})
        by_query = await worker.stream(f"{EVENTS}?last_event_id={seen.id}")
        for resumed in (by_header, by_query):
            missed = await events_until(resumed, 3)
            # The second comment was deleted since: replayed as it is now, a removal.
            assert [e.name for e in missed] == ["comment_deleted", "like", "comment_deleted"]
            assert missed[0].data["id"] == second["id"]
            assert missed[1].data == {"id": first["id"], "likes": 1}
            assert missed[2].data["id"] == second["id"]
            assert [e.id for e in missed] == sorted(e.id for e in missed)
            assert missed[0].id > seen.id
        # Then live, with nothing sent twice.
        third = await post_async(ewa, "Trzy")
        for resumed in (by_header, by_query):
            live = await resumed.next_event()
            assert live.data["comment"]["id"] == third["id"] and live.id > missed[-1].id
            await resumed.expect_nothing(wait=0.3)

    run(settings, scenario)


def test_events_resume_from_the_threads_last_event_id(settings):
    """The thread's JSON names its latest event: a reader resumes right after it."""

    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        assert (await ewa.get(f"/api/v1/threads/{OPEN}")).json()["thread"]["last_event_id"] == 0
        await post_async(ewa, "Jeden")
        thread = (await ewa.get(f"/api/v1/threads/{OPEN}")).json()["thread"]
        await post_async(ewa, "Dwa")  # after the reader fetched the thread
        stream = await worker.stream(f"{EVENTS}?last_event_id={thread['last_event_id']}")
        event = await stream.next_event()
        assert event.data["comment"]["body_html"] == "<p>Dwa</p>"
        await stream.expect_nothing(wait=0.3)

    run(settings, scenario)


def test_events_resume_from_an_id_no_longer_kept_is_reset(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        await post_async(ewa, "Stary")
        await post_async(ewa, "Też stary")
        store = worker.app.state.store
        assert store.log.trim(now=time.time() + 2 * changelog.KEEP_SECONDS) == 2
        stream = await worker.stream(headers={"last-event-id": "1"})
        event = await stream.next_event()
        assert event.name == "reset" and event.data == {} and event.id == 2
        fresh = await post_async(ewa, "Nowy")
        live = await stream.next_event()
        assert live.data["comment"]["id"] == fresh["id"] and live.id == 3

    run(settings, scenario)


def test_events_resume_from_an_unknown_future_id_is_reset(settings):
    async def scenario(worker: Worker) -> None:
        await post_async(await worker.person("Ewa"), "Jeden")
        stream = await worker.stream(headers={"last-event-id": "999"})
        event = await stream.next_event()
        assert (event.name, event.id) == ("reset", 1)

    run(settings, scenario)


def test_events_resume_with_nothing_missed_sends_nothing(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        await post_async(ewa, "Tutaj")
        await post_async(ewa, "Gdzie indziej", slug=MUST_READ)
        stream = await worker.stream(headers={"last-event-id": "1"})
        await stream.expect_nothing(wait=0.3)

    run(settings, scenario)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("abc", id="word"),
        pytest.param("-1", id="negative"),
        pytest.param("1.5", id="fraction"),
        pytest.param("9" * 30, id="huge"),
    ],
)
def test_events_bad_last_event_id_is_422(settings, value):
    async def scenario(worker: Worker) -> None:
        anonymous = await worker.person()
        response = await anonymous.get(EVENTS, headers={"last-event-id": value})
        assert_api_error(response, 422, "invalid_field", "last_event_id")
        assert worker.feed.open_streams == 0

    run(settings, scenario)
