"""Group commit: writes arriving together share a transaction, not their failures."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx2 as httpx

from comments_service.app import create_app
from comments_service.config import RateLimit
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
