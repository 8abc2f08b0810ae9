"""Open event streams per person, as workers tell each other: who counts, and for how long."""

from __future__ import annotations

from comments_service.store import streams
from comments_service.store.streams import StreamCounts
from tests.service.kit import Worker, run


def test_stream_counts_of_workers_that_stopped_renewing_stop_counting_then_go(settings):
    async def scenario(worker: Worker) -> None:
        store = worker.app.state.store
        first, second = StreamCounts(store.ctx), StreamCounts(store.ctx)
        now = 1_000_000.0
        first.share({"ewa": 3, "jan": 1, None: 40}, now)  # one stream, anonymous: not told
        assert [doc["people"] for doc in store.ctx.tables.streams.all()] == [{"ewa": 3}]
        second.share({"ewa": 2}, now + 1)
        assert second.elsewhere == {"ewa": 3}
        first.share({"ewa": 3}, now + 2)
        assert first.elsewhere == {"ewa": 2}
        # The first worker dies: after GONE its streams no longer count, after FORGET
        # its document is removed.
        second.share({"ewa": 2}, now + streams.GONE + 5)
        assert second.elsewhere == {}
        assert len(store.ctx.tables.streams) == 2
        second.share({"ewa": 2}, now + streams.FORGET + 5)
        assert [doc["worker"] for doc in store.ctx.tables.streams.all()] == [second.worker]
        second.leave()
        assert len(store.ctx.tables.streams) == 0

    run(settings, scenario)
