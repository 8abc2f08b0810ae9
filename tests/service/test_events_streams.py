"""Which live event streams open, how many, and how they end: bounds per person and per
address, a reader who goes away or falls behind, and a server that stops."""

from __future__ import annotations

import orjson
import pytest

from comments_service import events, streams
from tests.service.kit import (
    MUST_READ,
    Worker,
    assert_api_error,
    events_until,
    post_async,
    run,
    until,
)


@pytest.mark.parametrize("slug", ["no-such-article", "hidden-news"])
def test_events_unknown_or_hidden_thread_is_404(settings, slug):
    async def scenario(worker: Worker) -> None:
        anonymous = await worker.person()
        response = await anonymous.get(f"/api/v1/threads/{slug}/events")
        assert_api_error(response, 404, "thread_not_found")

    run(settings, scenario)


def test_events_streams_per_person_are_bounded(settings):
    async def scenario(worker: Worker) -> None:
        ewa, jan = await worker.person("Ewa"), await worker.person("Jan")
        first = await worker.stream(person=ewa)
        await worker.stream(f"/api/v1/threads/{MUST_READ}/events", person=ewa)
        refused = await worker.stream(person=ewa)
        assert refused.status == 429
        body = orjson.loads(await refused.body())
        assert body["error"]["code"] == "too_many_streams"
        assert int(refused.response_headers["retry-after"]) > 0
        assert (await worker.stream(person=jan)).status == 200  # someone else

        await first.close()  # a closed tab frees its place at once
        assert (await worker.stream(person=ewa)).status == 200

    run(settings, scenario, max_streams_per_person=2)


def test_events_streams_per_person_are_counted_across_workers(settings, monkeypatch):
    monkeypatch.setattr(events, "SHARE_INTERVAL", 0.05)

    async def scenario(first: Worker, second: Worker) -> None:
        ewa = await first.person("Ewa")
        ewa_id = (await ewa.get("/api/v1/me")).json()["user"]["id"]
        on_first = [await first.stream(person=ewa) for _ in range(3)]
        assert all(stream.status == 200 for stream in on_first)
        # The second worker learns that Ewa holds three streams elsewhere.
        await until(lambda: second.feed.store.stream_counts.elsewhere.get(ewa_id) == 3,
                    "the second worker to know of Ewa's streams")  # fmt: skip
        assert (await second.stream(person=ewa)).status == 200
        assert (await second.stream(person=ewa)).status == 200  # five in all
        refused = await second.stream(person=ewa)
        assert refused.status == 429
        assert_api_error_body(await refused.body(), "too_many_streams")
        assert (await second.stream(person=await second.person("Jan"))).status == 200
        # Closed tabs free their places on every worker once shared again (a single
        # stream on a worker is not shared: it keeps what workers tell each other small).
        for stream in on_first[:2]:
            await stream.close()
        await until(lambda: second.feed.store.stream_counts.elsewhere.get(ewa_id) is None,
                    "the second worker to learn the streams closed")  # fmt: skip
        assert (await second.stream(person=ewa)).status == 200

    run(settings, scenario, workers=2, max_streams_per_person=5)


def test_events_anonymous_readers_share_one_bound(settings):
    async def scenario(worker: Worker) -> None:
        assert (await worker.stream()).status == 200
        assert (await worker.stream()).status == 200
        assert (await worker.stream()).status == 429
        assert (await worker.stream(person=await worker.person("Ewa"))).status == 200

    run(settings, scenario, max_anonymous_streams=2)


def test_events_anonymous_streams_are_bounded_per_client_address(settings):
    async def scenario(worker: Worker) -> None:
        first = await worker.stream()
        assert first.status == 200 and (await worker.stream()).status == 200
        refused = await worker.stream()
        assert refused.status == 429
        assert_api_error_body(await refused.body(), "too_many_streams")
        # Another reader behind the trusted proxy has an allowance of their own.
        elsewhere = {"x-forwarded-for": "203.0.113.5"}
        assert (await worker.stream(headers=elsewhere)).status == 200
        # People are counted as people, whatever their address.
        assert (await worker.stream(person=await worker.person("Ewa"))).status == 200
        # A closed stream frees its place.
        await first.close()
        assert (await worker.stream()).status == 200

    run(settings, scenario, max_anonymous_streams_per_address=2)


def assert_api_error_body(body: bytes, code: str) -> None:
    assert orjson.loads(body)["error"]["code"] == code


def test_events_disconnect_unsubscribes(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        waiting = await worker.stream()
        blocked = await worker.stream()
        other = await worker.stream(f"/api/v1/threads/{MUST_READ}/events")
        assert worker.feed.open_streams == 3
        blocked.pause()
        await post_async(ewa, "Czeka na wysłanie")
        await blocked.stalled()  # the server is stuck sending it to `blocked`
        for stream in (waiting, blocked, other):
            await stream.close()
        assert worker.feed.open_streams == 0
        await post_async(ewa, "Nikt nie słucha")

    run(settings, scenario)


def test_events_slow_reader_gets_reset_instead_of_a_growing_queue(settings, monkeypatch):
    monkeypatch.setattr(streams, "QUEUE_LIMIT", 3)

    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        stream = await worker.stream()
        stream.pause()  # the reader takes nothing more: the stream's queue fills up
        await post_async(ewa, "Numer 1")
        await stream.stalled()  # taken from the queue; sending it blocks
        for n in range(2, 7):
            await post_async(ewa, f"Numer {n}")
        await worker.caught_up()  # 2 to 6 handed to the stream, which sends nothing yet
        stream.resume()
        received = await events_until(stream, 3)
        # 2-4 filled the queue; 5 did not fit: a reset (refetch, then resume after 5).
        assert [(event.name, event.id) for event in received] == [
            ("comment", 1),
            ("reset", 5),
            ("comment", 6),
        ]
        last = await post_async(ewa, "Po nadrobieniu")
        assert (await stream.next_event()).data["comment"]["id"] == last["id"]

    run(settings, scenario)


def test_events_streams_end_when_the_server_stops(settings):
    async def scenario(worker: Worker) -> None:
        stream = await worker.stream()
        worker.feed.end_streams()  # what SIGTERM and SIGINT do
        await stream.wait_ended()
        assert worker.feed.open_streams == 0
        late = await worker.stream()
        assert late.status == 503

    run(settings, scenario)


def test_events_streams_ended_by_the_server_say_when_to_come_back_each_its_own(settings):
    """A stopping server's readers reconnect 1 to 5 s later, spread out, not all at once."""

    async def scenario(worker: Worker) -> None:
        streams = [await worker.stream() for _ in range(40)]
        worker.feed.end_streams()
        for stream in streams:
            with pytest.raises(EOFError):
                await stream.next_event()  # the retry line is read on the way to the end
        retries = [stream.retry for stream in streams]
        assert all(1000 <= retry <= 5000 for retry in retries), retries
        assert len(set(retries)) > 10, "each reader should get a moment of its own"

    run(settings, scenario, max_anonymous_streams_per_address=100)
