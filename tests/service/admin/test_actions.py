"""The moderators' actions on the admin pages, each in the audit log, and the lists they act on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.service.admin.kit import act, log_actions, page, status_text
from tests.service.kit import comment_id


def test_reported_comment_hidden_then_dismissed_and_deleted(admin, make_client):
    author = make_client("Ewa")
    cid = comment_id(author, "Spam, spam, spam")
    for name in ("Jan", "Ola", "Piotr"):
        response = make_client(name).post(f"/api/v1/comments/{cid}/flags", json={"reason": "Spam"})
        assert response.status_code == 201, response.text
    queue = page(admin.get("/admin/"))
    card = queue.find("section", attrs={"aria-labelledby": "reported-heading"})
    assert "Spam, spam, spam" in card.get_text() and "Piotr" in card.get_text()
    # In open mode reports wait for a moderator; they hide nothing by themselves.
    assert "Ukryty automatycznie" not in card.get_text()
    after = act(admin, f"/admin/comments/{cid}/dismiss")
    assert status_text(after) == "Zgłoszenia odrzucone."
    after = act(admin, f"/admin/comments/{cid}/hide", reason="Reklama")
    assert status_text(after) == "Komentarz ukryty."
    thread = author.get("/api/v1/threads/open-news").json()
    assert thread["comments"][0]["hidden"]["reason"] == "Reklama"
    act(admin, f"/admin/comments/{cid}/unhide", back="/admin/comments")
    act(admin, f"/admin/comments/{cid}/pin", back="/admin/comments")
    act(admin, f"/admin/comments/{cid}/unpin", back="/admin/comments")
    after = act(admin, f"/admin/comments/{cid}/delete", back="/admin/comments", reason="Spam")
    assert status_text(after) == "Komentarz usunięty."
    assert author.get("/api/v1/threads/open-news").json()["comments"] == []
    actions = [entry[:2] for entry in log_actions(admin)]
    expected = ["delete", "unpin", "pin", "unhide", "hide", "dismiss_reports"]
    assert actions[: len(expected)] == [(action, cid) for action in expected]
    assert "auto_hide" not in [action for action, _ in actions]
    assert log_actions(admin)[0][4] == "Spam" and log_actions(admin)[4][4] == "Reklama"


def test_hide_needs_a_reason(admin, make_client):
    cid = comment_id(make_client("Ewa"), "Tekst")
    after = act(admin, f"/admin/comments/{cid}/hide", back="/admin/comments", reason="  ")
    assert status_text(after).startswith("Nie udało się: Podaj powód.")
    assert [a for a in log_actions(admin) if a[0] == "hide"] == []


def test_pending_comments_approved_or_rejected(admin, make_client):
    writer = make_client("Ewa", premoderation=True)
    waiting, unwanted = comment_id(writer, "Czekam"), comment_id(writer, "Nie przejdę")
    pending = page(admin.get("/admin/")).find(
        "section", attrs={"aria-labelledby": "pending-heading"}
    )
    assert "Czekam" in pending.get_text() and "Nie przejdę" in pending.get_text()
    assert (
        status_text(act(admin, f"/admin/comments/{waiting}/approve")) == "Komentarz zatwierdzony."
    )
    after = act(admin, f"/admin/comments/{unwanted}/reject", reason="Nie na temat")
    assert status_text(after) == "Komentarz odrzucony."
    assert "Nic nie czeka na zatwierdzenie." in page(after).get_text()
    bodies = [
        c["body_html"] for c in make_client().get("/api/v1/threads/open-news").json()["comments"]
    ]
    assert bodies == ["<p>Czekam</p>"]
    assert [a[:2] for a in log_actions(admin)[:2]] == [("reject", unwanted), ("approve", waiting)]


def test_lock_and_unlock_a_thread(admin, make_client):
    after = act(admin, "/admin/threads/open-news/lock", back="/admin/threads", reason="Za gorąco")
    assert status_text(after) == "Dyskusja zamknięta."
    row = page(after).find("code", string="open-news").find_parent("tr")
    assert "Zamknięta: Za gorąco" in row.get_text(" ", strip=True)
    response = make_client("Ewa").post("/api/v1/threads/open-news/comments", json={"body": "x"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "thread_locked"
    after = act(admin, "/admin/threads/open-news/unlock", back="/admin/threads")
    assert status_text(after) == "Dyskusja otwarta."
    assert log_actions(admin)[:2] == [
        ("unlock", None, "open-news", None, None),
        ("lock", None, "open-news", None, "Za gorąco"),
    ]
    closed = page(after).find("code", string="closed-news").find_parent("tr")
    assert "Zamknięta w artykule" in closed.get_text() and closed.find("form") is None


def test_mute_and_unmute_a_person(admin, make_client):
    ewa = make_client("Ewa")
    person = ewa.get("/api/v1/me").json()["user"]["id"]
    comment_id(ewa, "Coś nieprzyjemnego")  # the mute takes her name from her comments
    day = "2099-01-01"
    after = act(admin, "/admin/mutes", back="/admin/mutes", person=person, until=day, reason="x")
    assert status_text(after).startswith("Nie udało się")  # over a year ahead
    day = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    after = act(admin, "/admin/mutes", back="/admin/mutes", person=person, until=day,
                reason="Obraźliwe wpisy")  # fmt: skip
    assert status_text(after) == "Osoba wyciszona."
    row = page(after).find("code", string=person).find_parent("tr")
    # The day ends the mute as it begins in the moderators' time zone (Europe/Warsaw).
    zone = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo("Europe/Warsaw")).tzname()
    assert "Ewa" in row.get_text() and f"{day} 00:00 {zone}" in row.get_text()
    logged = page(admin.get("/admin/log", params={"action": "mute"})).find("tbody")
    assert f"{day} 00:00 {zone}" in logged.get_text()  # the log, too, in local time
    response = ewa.post("/api/v1/threads/open-news/comments", json={"body": "x"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "muted"
    ends = datetime.fromisoformat(response.json()["error"]["until"])
    assert ends == datetime.fromisoformat(day).replace(tzinfo=ZoneInfo("Europe/Warsaw"))
    after = act(admin, "/admin/mutes/remove", back="/admin/mutes", person=person)
    assert status_text(after) == "Wyciszenie zdjęte." and "Nikt nie jest wyciszony." in after.text
    assert [a[0] for a in log_actions(admin)[:2]] == ["unmute", "mute"]
    assert log_actions(admin)[1][3:] == (person, "Obraźliwe wpisy")


def test_recent_comments_search_and_pages(admin, make_client):
    ewa, jan = make_client("Ewa"), make_client("Jan")
    ewa_id = ewa.get("/api/v1/me").json()["user"]["id"]
    for i in range(30):
        comment_id(ewa if i % 2 else jan, f"Komentarz numer {i}")
    comment_id(jan, "W obowiązkowym", slug="must-read")
    first = page(admin.get("/admin/comments"))
    assert len(first.find_all("article")) == 25
    assert "W obowiązkowym" in first.find("article").get_text()
    older = first.find("a", rel="next")["href"]
    assert len(page(admin.get(older)).find_all("article")) == 6
    by_ewa = page(admin.get(f"/admin/comments?author={ewa_id}&thread=open-news"))
    texts = [a.find(class_="body").get_text(strip=True) for a in by_ewa.find_all("article")]
    assert len(texts) == 15 and all(int(t.split()[-1]) % 2 for t in texts)
    selected = by_ewa.find("select", id="f-thread").find("option", selected=True)
    assert selected["value"] == "open-news"
    only_must = page(admin.get("/admin/comments?thread=must-read")).find_all("article")
    assert [a.find(class_="body").get_text(strip=True) for a in only_must] == ["W obowiązkowym"]


def test_audit_log_filters(admin, make_client):
    cid = comment_id(make_client("Ewa"), "Tekst")
    act(admin, f"/admin/comments/{cid}/hide", reason="Powód A")
    act(admin, "/admin/threads/must-read/lock", back="/admin/threads")
    rows = page(admin.get("/admin/log?lang=en")).find("tbody").find_all("tr")
    assert [r.find_all("td")[1].get_text() for r in rows] == ["lock", "hide", "sign-in"]
    hides = page(admin.get("/admin/log?action=hide")).find("tbody").find_all("tr")
    assert len(hides) == 1 and "Powód A" in hides[0].get_text()
    must = page(admin.get("/admin/log?thread=must-read")).find("tbody").find_all("tr")
    assert len(must) == 1
    nobody = page(admin.get("/admin/log?actor=nobody"))  # in English: remembered
    assert nobody.find("table") is None and "No entries." in nobody.get_text()
