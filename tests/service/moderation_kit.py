"""Helpers shared by the moderation tests: people, comments, the log and the audit rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.testclient import TestClient

from comments_service.storage import Database
from comments_service.store.changelog import ChangeLog

API = "/api/v1"
OPEN = "open-news"
THREAD = f"{API}/threads/{OPEN}"
COMMENTS = f"{THREAD}/comments"
PASSWORD = "correct horse battery staple"


def post(client: TestClient, body: str = "Dzień dobry", slug: str = OPEN, **extra) -> dict:
    response = client.post(f"{API}/threads/{slug}/comments", json={"body": body, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def thread(client: TestClient, slug: str = OPEN) -> dict:
    response = client.get(f"{API}/threads/{slug}")
    assert response.status_code == 200, response.text
    return response.json()


def flat(comments: list[dict]) -> list[dict]:
    """Every comment of a thread's tree, parents before their replies."""
    found = []
    for comment in comments:
        found.append(comment)
        found += flat(comment["replies"])
    return found


def find(client: TestClient, comment_id: str, slug: str = OPEN) -> dict | None:
    """The comment as `client` sees it in the thread, or None if it is not there."""
    return next((c for c in flat(thread(client, slug)["comments"]) if c["id"] == comment_id), None)


def admin(make_client, name: str | None = None, **changes) -> TestClient:
    """An open-mode moderator signed in with the admin password."""
    client = make_client(name, admin_password=PASSWORD, **changes)
    response = client.post(f"{API}/admin/session", json={"password": PASSWORD})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["moderator"] is True
    return client


def audit(client: TestClient, **filters) -> list[dict]:
    response = client.get(f"{API}/moderation/log", params=filters)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def events(db_path: Path, slug: str = OPEN) -> list[tuple[str, dict]]:
    """The thread's changes as live readers get them, read from the database's change log."""
    db = Database(db_path)
    try:
        return [(c.event, c.data) for c in ChangeLog(db).after(0, 10_000, thread=slug)]
    finally:
        db.close()


def iso(delta: timedelta) -> str:
    """Now plus `delta`, ISO 8601 UTC."""
    moment = datetime.now(UTC) + delta
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def recent(at: str, seconds: float = 30) -> bool:
    """`at` (ISO 8601) lies within the last `seconds`."""
    moment = datetime.fromisoformat(at)
    return timedelta(0) <= datetime.now(UTC) - moment <= timedelta(seconds=seconds)
