"""The change log live events are read from: written with its change, trimmed by age and size."""

from __future__ import annotations

import time

from comments_service.store import changelog
from tests.service.kit import OPEN, Worker, post_async, run


def test_changelog_trim_keeps_a_day_and_at_most_keep_rows(settings, monkeypatch):
    async def scenario(worker: Worker) -> None:
        log = worker.app.state.store.log
        now = time.time()
        with worker.app.state.db.transaction():
            for n in range(10):
                log.append(OPEN, "like", {"id": "1", "likes": n})
        assert log.trim(now=now) == 0
        monkeypatch.setattr(changelog, "KEEP_ROWS", 6)
        assert log.trim(now=now) == 4
        assert [c.id for c in log.after(0, 100)] == [5, 6, 7, 8, 9, 10]
        assert log.kept_after() == 4
        # Later than a day after them, everything goes.
        assert log.trim(now=now + changelog.KEEP_SECONDS + 60) == 6
        assert log.after(0, 100) == [] and log.last_id() == 10 and log.kept_after() == 10

    run(settings, scenario)


def test_changelog_change_is_written_with_the_change_or_not_at_all(settings):
    async def scenario(worker: Worker) -> None:
        ewa = await worker.person("Ewa")
        await post_async(ewa, "Jest")
        response = await ewa.post("/api/v1/threads/closed-news/comments", json={"body": "Nie"})
        assert response.status_code == 403
        log = worker.app.state.store.log
        assert [(c.thread, c.event) for c in log.after(0, 10)] == [(OPEN, "comment")]

    run(settings, scenario)
