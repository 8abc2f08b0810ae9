"""Reports of comments: once per person, the moderators' queue, and the threshold that hides."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer

from comments_service.config import RateLimit
from tests.service.kit import (
    API,
    OPEN,
    admin,
    assert_api_error,
    audit,
    events,
    find,
    post,
    thread,
)


def report(client, comment_id: str, reason: str = "Spam"):
    return client.post(f"{API}/comments/{comment_id}/flags", json={"reason": reason})


def test_report_once_per_person(make_client, anonymous):
    comment = post(make_client("Ewa"))
    reader = make_client("Jan")
    response = report(reader, comment["id"], "Reklama")
    assert response.status_code == 201, response.text
    flag = response.json()
    assert (flag["comment"], flag["thread"], flag["reason"]) == (comment["id"], OPEN, "Reklama")
    assert flag["user_name"] == "Jan" and flag["resolved"] is None
    assert_api_error(report(reader, comment["id"]), 409, "already_reported")
    assert_api_error(report(anonymous, comment["id"]), 401, "not_signed_in")


def test_report_own_or_missing_comment_is_refused(make_client):
    author = make_client("Ewa")
    comment = post(author)
    assert_api_error(report(author, comment["id"]), 403, "forbidden")
    assert_api_error(report(author, "424242"), 404, "comment_not_found")
    reader = make_client("Jan")
    assert author.delete(f"{API}/comments/{comment['id']}").status_code == 204
    assert_api_error(report(reader, comment["id"]), 404, "comment_not_found")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param({}, "missing_field", id="no-reason"),
        pytest.param({"reason": ""}, "empty", id="empty"),
        pytest.param({"reason": ["spam"]}, "invalid_field", id="list"),
        pytest.param({"reason": "r" * 501}, "too_long", id="too-long"),
    ],
)
def test_report_needs_a_reason(make_client, body, code):
    comment = post(make_client("Ewa"))
    reader = make_client("Jan")
    response = reader.post(f"{API}/comments/{comment['id']}/flags", json=body)
    assert_api_error(response, 422, code, "reason")


def test_three_reports_hide_the_comment_pending_review(person, settings):
    """Behind the company sign-in, where every report is a real colleague's."""
    author = person("ewa", "Ewa")
    comment = post(author, "Kontrowersyjne zdanie")
    reporters = [person(login, name) for login, name in (("jan", "Jan"), ("ala", "Ala"),
                                                           ("piotr", "Piotr"))]  # fmt: skip
    moderator = person("ola", "Ola", moderators=frozenset({"ola"}))

    for reporter in reporters[:2]:
        assert report(reporter, comment["id"]).status_code == 201
    assert find(author, comment["id"])["hidden"] is None  # two are not enough
    assert find(moderator, comment["id"])["flags"] == 2
    assert report(reporters[2], comment["id"], "Obraża").status_code == 201

    seen = find(reporters[0], comment["id"])
    assert seen["hidden"] == {"reason": "pending review", "auto": True}
    assert seen["body_html"] == ""
    assert thread(reporters[0])["thread"]["comment_count"] == 0
    hidden = find(moderator, comment["id"])["hidden"]
    assert hidden["auto"] is True and hidden["by"] == "system"
    assert events(settings.db)[-1][1]["comment"]["hidden"]["auto"] is True
    entry = audit(moderator, action="auto_hide")[0]
    assert entry["actor"] == "system" and entry["comment"] == comment["id"]
    assert entry["details"] == {"reports": 3}

    queue = moderator.get(f"{API}/moderation/flags").json()
    assert len(queue["items"]) == 1 and queue["next_before"] is None
    item = queue["items"][0]
    assert item["comment"]["id"] == comment["id"] and item["comment"]["thread"] == OPEN
    assert "Kontrowersyjne" in item["comment"]["body_html"]
    assert [r["user_name"] for r in item["reports"]] == ["Piotr", "Ala", "Jan"]  # newest first
    assert item["reports"][0]["reason"] == "Obraża"

    # The moderator finds nothing wrong: the reports close and the comment is back.
    dismissed = moderator.put(f"{API}/comments/{comment['id']}/flags/dismissed")
    assert dismissed.status_code == 200
    assert dismissed.json()["hidden"] is None and dismissed.json()["flags"] == 0
    assert find(reporters[0], comment["id"])["hidden"] is None
    assert thread(reporters[0])["thread"]["comment_count"] == 1
    assert moderator.get(f"{API}/moderation/flags").json()["items"] == []
    entry = audit(moderator, action="dismiss_reports")[0]
    assert entry["details"] == {"reports": 3, "unhidden": True} and entry["actor_name"] == "Ola"
    # Dismissing again changes nothing; the same people cannot report it again.
    assert moderator.put(f"{API}/comments/{comment['id']}/flags/dismissed").status_code == 200
    assert len(audit(moderator, action="dismiss_reports")) == 1
    assert_api_error(report(reporters[0], comment["id"]), 409, "already_reported")


def test_flag_threshold_is_configurable(person):
    comment = post(person("ewa", "Ewa", flag_threshold=1))
    reader = person("jan", "Jan", flag_threshold=1)
    assert report(reader, comment["id"]).status_code == 201
    assert find(reader, comment["id"])["hidden"]["auto"] is True


def test_open_mode_reports_never_hide_by_themselves(make_client):
    """Names are free in open mode: three fresh ones must not silence anyone."""
    author = make_client("Ewa")
    comment = post(author, "Niewygodna prawda")
    for name in ("Jan", "Ala", "Piotr", "Kasia"):
        assert report(make_client(name), comment["id"]).status_code == 201
    assert find(author, comment["id"])["hidden"] is None
    assert thread(author)["thread"]["comment_count"] == 1
    moderator = admin(make_client, "Ola")
    queue = moderator.get(f"{API}/moderation/flags").json()["items"]
    assert [item["comment"]["id"] for item in queue] == [comment["id"]]
    assert queue[0]["comment"]["flags"] == 4 and queue[0]["comment"]["hidden"] is None
    assert audit(moderator, action="auto_hide") == []


def test_open_mode_a_new_name_reports_after_a_few_minutes(make_client, clock):
    comment = post(make_client("Ewa"))
    newcomer = make_client("Jan", report_min_age=300)
    response = report(newcomer, comment["id"])
    error = assert_api_error(response, 403, "identity_too_new")
    assert 290 <= int(response.headers["retry-after"]) <= 300
    assert "minutes" in error["message"]
    # Five minutes later the same name may report.
    clock.advance(seconds=301)
    assert report(newcomer, comment["id"]).status_code == 201


def test_open_mode_names_made_before_their_age_was_kept_may_report(make_client, settings):
    """A cookie from before Kurier recorded when a name was made is at least that old."""
    comment = post(make_client("Ewa"))
    old = URLSafeSerializer(settings.secret_key, salt="kurier-user").dumps(
        {"id": "u0123456789abcdef", "name": "Stary Jan"}
    )
    reader = make_client(report_min_age=300)
    reader.cookies.set("kurier_user", old)
    assert report(reader, comment["id"]).status_code == 201


def test_reports_per_person_are_limited(make_client):
    author = make_client("Ewa")
    comments = [post(author, f"komentarz {n}") for n in range(3)]
    reader = make_client("Jan", report_rate_limit=RateLimit(2, 3600))
    for comment in comments[:2]:
        assert report(reader, comment["id"]).status_code == 201
    response = report(reader, comments[2]["id"])
    assert_api_error(response, 429, "rate_limited")
    assert int(response.headers["retry-after"]) > 60
    assert report(make_client("Ala", report_rate_limit=RateLimit(2, 3600)),
                  comments[2]["id"]).status_code == 201  # fmt: skip


def test_hiding_a_reported_comment_resolves_its_reports(make_client):
    comment = post(make_client("Ewa"))
    assert report(make_client("Jan"), comment["id"]).status_code == 201
    moderator = admin(make_client, "Ola")
    moderator.put(f"{API}/comments/{comment['id']}/hidden", json={"reason": "Spam"})
    assert moderator.get(f"{API}/moderation/flags").json()["items"] == []
    entry = audit(moderator, action="hide")[0]
    assert entry["details"] == {"reports": 1}


def test_deleting_a_reported_comment_resolves_its_reports(make_client):
    comment = post(make_client("Ewa"))
    assert report(make_client("Jan"), comment["id"]).status_code == 201
    moderator = admin(make_client, "Ola")
    assert moderator.delete(f"{API}/comments/{comment['id']}").status_code == 204
    assert moderator.get(f"{API}/moderation/flags").json()["items"] == []
    assert audit(moderator, action="delete")[0]["details"] == {"reports": 1}


def test_flag_queue_pages_newest_report_first(make_client):
    author = make_client("Ewa")
    comments = [post(author, f"komentarz {n}") for n in range(3)]
    reader = make_client("Jan")
    for comment in (comments[1], comments[0], comments[2]):
        assert report(reader, comment["id"]).status_code == 201
    moderator = admin(make_client, "Ola")
    first = moderator.get(f"{API}/moderation/flags", params={"limit": 2}).json()
    assert [i["comment"]["id"] for i in first["items"]] == [comments[2]["id"], comments[0]["id"]]
    rest = moderator.get(
        f"{API}/moderation/flags", params={"limit": 2, "before": first["next_before"]}
    ).json()
    assert [i["comment"]["id"] for i in rest["items"]] == [comments[1]["id"]]
    assert rest["next_before"] is None


def test_reports_go_on_in_a_locked_thread(make_client):
    comment = post(make_client("Ewa"))
    moderator = admin(make_client, "Ola")
    moderator.put(f"{API}/threads/{OPEN}/lock")
    assert report(make_client("Jan"), comment["id"]).status_code == 201
