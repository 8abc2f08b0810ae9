"""Group commit: writes arriving together share a transaction, not their failures."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx2 as httpx
import pytest

from comments_service.app import create_app
from comments_service.config import RateLimit
from comments_service.storage import Database, StorageError
from comments_service.store.commits import GroupCommit
from tests.ops import writers_lock_held
from tests.service.kit import ORIGIN


async def _post_together(settings, bodies: list[str]) -> tuple[list[int], dict]:
    app = create_app(replace(settings, rate_limit=RateLimit(5, 3600)))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url=ORIGIN, headers={"origin": ORIGIN}
        ) as client:
            await client.post("/api/v1/me", json={"name": "Ewa"})
            batches = []
            original = app.state.commits._commit

            def counting_commit():
                batches.append(len(app.state.commits._pending))
                original()

            app.state.commits._commit = counting_commit
            responses = await asyncio.gather(
                *[
                    client.post("/api/v1/threads/open-news/comments", json={"body": body})
                    for body in bodies
                ]
            )
            thread = (await client.get("/api/v1/threads/open-news")).json()
    return [r.status_code for r in responses], {"batches": batches, "thread": thread}


def test_commits_refused_write_does_not_undo_its_batch(settings):
    bodies = [f"Komentarz {n}" for n in range(10)]
    statuses, seen = asyncio.run(_post_together(settings, bodies))
    assert sorted(statuses) == [201] * 5 + [429] * 5
    assert max(seen["batches"]) > 1, "the writes should have shared a transaction"
    thread = seen["thread"]
    assert thread["thread"]["comment_count"] == 5
    assert len(thread["comments"]) == 5


async def _post_while_locked(settings, bodies: list[str]) -> tuple[list[int], dict]:
    app = create_app(replace(settings, busy_timeout=0.2))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url=ORIGIN, headers={"origin": ORIGIN}
        ) as client:
            await client.post("/api/v1/me", json={"name": "Ewa"})
            with writers_lock_held(settings.db):
                responses = await asyncio.gather(
                    *[
                        client.post("/api/v1/threads/open-news/comments", json={"body": body})
                        for body in bodies
                    ]
                )
            thread = (await client.get("/api/v1/threads/open-news")).json()
    return [r.status_code for r in responses], thread


def test_commits_batch_without_the_write_lock_is_refused_whole(settings):
    """Another writer holds the lock past the busy timeout: every write of the batch is
    503 database_unavailable (on PostgreSQL the lock comes with the first statement,
    inside the first write's savepoint), and none of it is stored."""
    statuses, thread = asyncio.run(_post_while_locked(settings, ["Jeden", "Dwa", "Trzy"]))
    assert statuses == [503, 503, 503]
    assert thread["thread"]["comment_count"] == 0 and thread["comments"] == []


def test_commits_close_commits_what_is_queued_then_takes_no_more(settings):
    """A worker that stops answers the writes it accepted before its database closes."""

    async def scenario() -> None:
        db = settings.open_database()
        commits = GroupCommit(db)
        table = db.table("probe")
        queued = [asyncio.create_task(commits.run(lambda n=n: table.insert({"n": n})))
                  for n in range(3)]  # fmt: skip
        await asyncio.sleep(0)  # the writes are queued; their commit is not due yet
        assert not any(task.done() for task in queued)
        commits.close()
        assert sorted([await task for task in queued]) == [1, 2, 3]
        with pytest.raises(StorageError):
            await commits.run(lambda: table.insert({"n": 4}))
        db.close()

    asyncio.run(scenario())
    with Database(settings.db) as db:
        assert sorted(doc["n"] for doc in db.table("probe").all()) == [0, 1, 2]
