"""A moderator signed in at /admin/, and a service with something on every admin page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from comments_service.config import DEFAULT_REACTIONS
from tests.service.admin.kit import PASSWORD, act, token
from tests.service.kit import comment_id, write_articles


@pytest.fixture
def admin(make_client) -> TestClient:
    """A moderator signed in at /admin/ with the password (open mode)."""
    client = make_client(admin_password=PASSWORD)
    response = client.post(
        "/admin/sign-in", data={"csrf": token(client, "/admin/sign-in"), "password": PASSWORD}
    )
    assert response.status_code == 200 and response.url.path == "/admin/", response.text
    return client


UPDATED = "2026-11-12T10:00:00+00:00"
WORDS_ARTICLES = [
    {"slug": "plan", "lang": "pl", "title": "Plan roku", "url": "news/plan.html",
     "date": "2026-11-01T09:00:00+01:00", "comments": "open", "must_read": False},
    {"slug": "plan", "lang": "en", "title": "Year plan", "url": "en/news/plan.html",
     "date": "2026-11-01T09:00:00+01:00", "comments": "open", "must_read": False},
    {"slug": "zebranie", "lang": "pl", "title": "Zebranie", "url": "news/zebranie.html",
     "date": "2026-11-02T09:00:00+01:00", "comments": "moderated", "must_read": False},
    {"slug": "stare", "lang": "pl", "title": "Stare sprawy", "url": "news/stare.html",
     "date": "2026-11-03T09:00:00+01:00", "comments": "closed", "must_read": False},
    {"slug": "kaski", "lang": "pl", "title": "Kaski", "url": "news/kaski.html",
     "date": "2026-11-04T09:00:00+01:00", "comments": "open", "must_read": True,
     "modified": UPDATED},
    {"slug": "kaski", "lang": "en", "title": "Helmets", "url": "en/news/kaski.html",
     "date": "2026-11-04T09:00:00+01:00", "comments": "open", "must_read": True,
     "modified": UPDATED},
    {"slug": "gogle", "lang": "pl", "title": "Gogle", "url": "news/gogle.html",
     "date": "2026-11-05T09:00:00+01:00", "comments": "open", "must_read": True,
     "modified": "2099-01-01T00:00:00+00:00"},  # every acknowledgement is before this
]  # fmt: skip


@pytest.fixture
def busy(settings, person, make_client):
    """Header mode with something on every admin page: reports, a comment hidden by them,
    a pending one, every reaction and one an operator added, acknowledgements counted and
    outdated, a locked thread, a mute, and moderators' actions in the log."""
    write_articles(settings.articles, WORDS_ARTICLES)
    common = {"moderators": frozenset({"mod"}), "reactions": (*DEFAULT_REACTIONS, "kudos")}
    mod = person("mod", "Moderatorka", **common)
    ewa, jan, ola, piotr = (person(login, login.capitalize(), **common)
                            for login in ("ewa", "jan", "ola", "piotr"))  # fmt: skip
    first = comment_id(ewa, "xq1", slug="plan")
    for reader in (jan, ola, piotr):  # three reports hide it until a moderator looks
        assert reader.post(f"/api/v1/comments/{first}/flags", json={"reason": "xq2"}).is_success
    second = comment_id(jan, "xq3", slug="plan")
    assert ola.post(f"/api/v1/comments/{second}/flags", json={"reason": "xq2"}).is_success
    reply = ola.post("/api/v1/threads/plan/comments", json={"body": "xq4", "parent": second})
    comment_id(piotr, "xq4", slug="zebranie")  # waits for approval
    for kind in common["reactions"]:
        assert ewa.put(f"/api/v1/threads/plan/reactions/{kind}").is_success
    assert ola.put(f"/api/v1/comments/{second}/reactions/like").is_success
    for reader in (ewa, jan):
        assert reader.put("/api/v1/threads/kaski/acknowledgement").is_success
        assert reader.put("/api/v1/threads/gogle/acknowledgement").is_success
    jan_id = jan.get("/api/v1/me").json()["user"]["id"]
    act(mod, f"/admin/comments/{second}/pin", back="/admin/comments")
    act(mod, "/admin/threads/zebranie/lock", back="/admin/threads", reason="xq2")
    act(mod, "/admin/mutes", back="/admin/mutes", person=jan_id, reason="xq2",
        until=(datetime.now(UTC) + timedelta(days=7)).date().isoformat())  # fmt: skip
    mod.busy = {"reader": ewa, "comment": second, "reply": reply.json()["id"]}
    return mod
