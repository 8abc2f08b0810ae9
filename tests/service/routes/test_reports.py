"""Engagement and acknowledgement reports: values on a seeded database, CSV, permissions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from comments_service.routes import reports
from tests.service.kit import assert_api_error, write_articles

KINDS = ("like", "love", "celebrate", "insightful", "curious")
ENGAGEMENT = "/api/v1/reports/engagement"
HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1", "-2", "@SUM(A1:A9)",
           "\tTab", "\rReturn",
           # A spreadsheet set up for Polish splits cells at ";": what follows one is a cell.
           ";=1+1", "; @SUM(A1)", ",-3"]  # fmt: skip
ARTICLES = [
    {"slug": "alpha", "lang": "pl", "title": "Alfa", "date": "2026-10-05T09:00:00+02:00",
     "must_read": False, "comments": "open", "url": "news/alpha.html"},
    {"slug": "alpha", "lang": "en", "title": "Alpha", "date": "2026-10-05T09:00:00+02:00",
     "must_read": False, "comments": "open", "url": "en/news/alpha.html"},
    {"slug": "beta", "lang": "pl", "title": "Beta", "date": "2026-11-10T23:30:00+01:00",
     "must_read": False, "comments": "moderated", "url": "news/beta.html"},
    {"slug": "must", "lang": "pl", "title": "Ćwiczenia pożarowe", "must_read": True,
     "date": "2026-11-20T09:00:00+01:00", "comments": "open", "url": "news/must.html"},
    {"slug": "secret", "lang": "pl", "title": "Ukryte", "date": "2026-11-15T09:00:00+01:00",
     "must_read": False, "comments": "hidden", "url": "news/secret.html"},
    {"slug": "undated", "lang": "pl", "title": "Bez daty", "must_read": False,
     "comments": "open", "url": "news/undated.html"},
]  # fmt: skip


def person(login: str, name: str | None = None, email: str = "") -> dict:
    return {
        "x-forwarded-user": login,
        "x-forwarded-preferred-username": name or login.capitalize(),
        "x-forwarded-email": email or f"{login}@example.com",
    }


EWA, JAN, OLA, PIOTR = person("ewa"), person("jan"), person("ola"), person("piotr")
MOD = person("mod", "Moderatorka")


@pytest.fixture
def sso(settings, header_client):
    """Header mode behind a trusted proxy; `mod` moderates."""
    write_articles(settings.articles, ARTICLES)

    def make(**changes) -> TestClient:
        return header_client(**{"moderators": frozenset({"mod"}), **changes})

    return make


def post(client, who: dict, slug: str, body: str, parent: str | None = None) -> dict:
    response = client.post(
        f"/api/v1/threads/{slug}/comments", json={"body": body, "parent": parent}, headers=who
    )
    assert response.status_code == 201, response.text
    return response.json()


def ok(response) -> None:
    assert response.status_code in (200, 204), response.text


@pytest.fixture
def seeded(sso) -> TestClient:
    """alpha: 4 comments (one hidden, one deleted), reactions and likes; beta: one waiting
    and one approved comment; must: two acknowledgements and a comment."""
    client = sso()
    first = post(client, EWA, "alpha", "Pierwszy")
    post(client, JAN, "alpha", "Odpowiedź", parent=first["id"])
    rude = post(client, OLA, "alpha", "Niegrzeczny")
    ok(client.put(f"/api/v1/comments/{rude['id']}/reactions/like", headers=JAN))
    ok(client.put(f"/api/v1/comments/{rude['id']}/hidden", json={"reason": "Off"}, headers=MOD))
    gone = post(client, EWA, "alpha", "Pomyłka")
    ok(client.delete(f"/api/v1/comments/{gone['id']}", headers=EWA))
    for who, kind in ((JAN, "like"), (OLA, "love"), (PIOTR, "like")):
        ok(client.put(f"/api/v1/threads/alpha/reactions/{kind}", headers=who))
    ok(client.put(f"/api/v1/comments/{first['id']}/reactions/like", headers=OLA))
    post(client, EWA, "beta", "Czeka na moderację")
    approved = post(client, JAN, "beta", "Zatwierdzony")
    ok(client.put(f"/api/v1/comments/{approved['id']}/approved", headers=MOD))
    ok(client.put("/api/v1/threads/must/acknowledgement", headers=EWA))
    ok(client.put("/api/v1/threads/must/acknowledgement", headers=JAN))
    post(client, OLA, "must", "Przeczytane")
    return client


def rows_by_slug(response) -> dict[str, dict]:
    assert response.status_code == 200, response.text
    return {row["slug"]: row for row in response.json()["articles"]}


def read_csv(response) -> list[dict]:
    """The CSV as Excel would open it: a byte order mark, then UTF-8."""
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


# --- engagement ---------------------------------------------------------------------------


def test_engagement_counts_public_activity_only(seeded):
    rows = rows_by_slug(seeded.get(ENGAGEMENT, headers=MOD))
    assert set(rows) == {"alpha", "beta", "must", "undated"}  # hidden articles have no thread
    alpha = rows["alpha"]
    assert alpha["title"] == "Alfa" and alpha["langs"] == ["en", "pl"]
    assert alpha["date"] == "2026-10-05" and alpha["must_read"] is False
    assert (alpha["comments"], alpha["replies"]) == (2, 1)  # hidden and deleted left out
    assert alpha["reactions"] == {"like": 2, "love": 1, "celebrate": 0, "insightful": 0,
                                  "curious": 0}  # fmt: skip
    assert alpha["likes"] == 1  # the like of the hidden comment does not count
    assert alpha["participants"] == 4  # Ewa, Jan, Ola (reacted, liked), Piotr (reacted)
    assert alpha["acknowledgements"] is None  # not a must-read
    assert alpha["first_activity"] <= alpha["last_activity"]
    thread = seeded.get("/api/v1/threads/alpha").json()
    assert alpha["first_activity"] == thread["comments"][0]["created"]
    beta = rows["beta"]
    assert (beta["comments"], beta["participants"]) == (1, 1)  # the waiting one is not counted
    must = rows["must"]
    assert (must["acknowledgements"], must["comments"], must["participants"]) == (2, 1, 3)
    undated = rows["undated"]
    assert undated["date"] is None and undated["comments"] == 0
    assert undated["first_activity"] is None and undated["last_activity"] is None


def test_engagement_csv_has_the_columns_and_values_of_the_json(seeded):
    data = seeded.get(ENGAGEMENT, headers=MOD).json()
    response = seeded.get(ENGAGEMENT + ".csv", headers=MOD)
    assert 'filename="engagement.csv"' in response.headers["content-disposition"]
    rows = read_csv(response)
    expected = ["slug", "title", "langs", "date", "must_read", "comments", "replies",
                *(f"reaction_{kind}" for kind in KINDS), "reactions", "likes", "participants",
                "acknowledgements", "first_activity", "last_activity"]  # fmt: skip
    assert list(rows[0]) == expected == data["columns"]
    assert [row["slug"] for row in rows] == [row["slug"] for row in data["articles"]]
    alpha = next(row for row in rows if row["slug"] == "alpha")
    assert alpha["langs"] == "en pl" and alpha["must_read"] == "no"
    assert (alpha["comments"], alpha["replies"], alpha["reaction_like"]) == ("2", "1", "2")
    assert (alpha["reactions"], alpha["likes"], alpha["participants"]) == ("3", "1", "4")
    assert alpha["acknowledgements"] == ""
    must = next(row for row in rows if row["slug"] == "must")
    assert must["title"] == "Ćwiczenia pożarowe" and must["acknowledgements"] == "2"


def test_engagement_date_range_selects_articles_by_publication_day(seeded):
    def slugs(query: str) -> list[str]:
        return sorted(rows_by_slug(seeded.get(ENGAGEMENT + query, headers=MOD)))

    assert slugs("?from=2026-11-01") == ["beta", "must"]
    assert slugs("?to=2026-11-10") == ["alpha", "beta"]  # 23:30 +01:00 is still the 10th
    assert slugs("?from=2026-11-10&to=2026-11-10") == ["beta"]
    assert slugs("?from=2026-11-11&to=2026-11-19") == []
    response = seeded.get(ENGAGEMENT + ".csv?from=2026-11-01&to=2026-11-30", headers=MOD)
    assert "engagement-2026-11-01-2026-11-30.csv" in response.headers["content-disposition"]
    assert [row["slug"] for row in read_csv(response)] == ["must", "beta"]


SORTED = [  # the query, the articles in the order it gives, what it shows
    ("", "must beta alpha undated", "default-date-desc"),
    ("?sort=date&order=asc", "alpha beta must undated", "date-asc"),
    ("?sort=comments", "alpha beta must undated", "comments-desc"),
    ("?sort=comments&order=asc", "undated beta must alpha", "comments-asc-ties-by-slug"),
    ("?sort=title", "alpha beta undated must", "title-asc"),
    ("?sort=reaction_love", "alpha beta must undated", "kind"),
    ("?sort=acknowledgements&order=asc", "must alpha beta undated", "no-value-last"),
    ("?sort=participants&order=desc", "alpha must beta undated", "participants"),
]


@pytest.mark.parametrize(
    ("query", "expected"), [pytest.param(q, slugs.split(), id=i) for q, slugs, i in SORTED]
)
def test_engagement_sorting(seeded, query, expected):
    response = seeded.get(ENGAGEMENT + query, headers=MOD)
    assert [row["slug"] for row in response.json()["articles"]] == expected
    csv_rows = read_csv(seeded.get(ENGAGEMENT + ".csv" + query, headers=MOD))
    assert [row["slug"] for row in csv_rows] == expected


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        pytest.param("?from=2026-13-01", "from", "invalid_field", id="no-such-month"),
        pytest.param("?from=2026-02-30", "from", "invalid_field", id="no-such-day"),
        pytest.param("?to=yesterday", "to", "invalid_field", id="not-a-date"),
        pytest.param("?from=26-1-1", "from", "invalid_field", id="short-date"),
        pytest.param("?from=2026-12-01&to=2026-11-01", "to", "invalid_field", id="reversed"),
        pytest.param("?sort=bogus", "sort", "invalid_field", id="sort"),
        pytest.param("?sort=reaction_angry", "sort", "invalid_field", id="unknown-kind"),
        pytest.param("?order=up", "order", "invalid_field", id="order"),
        pytest.param("?sort=date&sort=title", "sort", "invalid_field", id="twice"),
        pytest.param("?format=xlsx", "format", "unknown_parameter", id="unknown"),
    ],
)
def test_engagement_bad_parameters_are_422(seeded, query, field, code):
    for path in (ENGAGEMENT, ENGAGEMENT + ".csv"):
        assert_api_error(seeded.get(path + query, headers=MOD), 422, code, field)


def test_reports_are_for_moderators(seeded):
    paths = [ENGAGEMENT, ENGAGEMENT + ".csv", "/api/v1/reports/acknowledgements/must",
             "/api/v1/reports/acknowledgements/must.csv"]  # fmt: skip
    for path in paths:
        assert_api_error(seeded.get(path), 401, "not_signed_in")
        assert_api_error(seeded.get(path, headers=EWA), 403, "forbidden")
        assert seeded.get(path, headers=MOD).status_code == 200


def test_reports_group_of_moderators(sso):
    client = sso(moderators=frozenset(), moderator_group="comms")
    headers = {**EWA, "x-forwarded-groups": "staff,comms"}
    assert client.get(ENGAGEMENT, headers=headers).status_code == 200
    assert_api_error(client.get(ENGAGEMENT, headers=EWA), 403, "forbidden")


def test_engagement_csv_neutralises_formulas_in_titles(sso, settings):
    hostile = [
        {"slug": f"h{i}", "lang": "pl", "title": title, "date": "2026-11-01T09:00:00+01:00",
         "must_read": False, "comments": "open", "url": f"news/h{i}.html"}
        for i, title in enumerate(HOSTILE)
    ]  # fmt: skip
    client = sso()
    write_articles(settings.articles, hostile)
    rows = read_csv(client.get(ENGAGEMENT + ".csv?sort=slug", headers=MOD))
    assert [row["title"] for row in rows] == ["'" + title for title in HOSTILE]


# --- acknowledgements ---------------------------------------------------------------------


def test_acknowledgements_say_who_and_when(seeded):
    report = seeded.get("/api/v1/reports/acknowledgements/must", headers=MOD).json()
    assert report["slug"] == "must" and report["title"] == "Ćwiczenia pożarowe"
    assert report["auth"] == "header" and report["count"] == 2 and report["outdated"] == 0
    people = report["people"]
    assert [(p["id"], p["name"], p["email"]) for p in people] == [
        ("ewa", "Ewa", "ewa@example.com"),
        ("jan", "Jan", "jan@example.com"),
    ]
    assert all(p["acknowledged_at"].endswith("Z") and not p["outdated"] for p in people)
    response = seeded.get("/api/v1/reports/acknowledgements/must.csv", headers=MOD)
    assert 'filename="acknowledgements-must.csv"' in response.headers["content-disposition"]
    rows = read_csv(response)
    assert list(rows[0]) == ["login", "name", "email", "acknowledged_at", "outdated"]
    assert [(r["login"], r["name"], r["outdated"]) for r in rows] == [
        ("ewa", "Ewa", "no"),
        ("jan", "Jan", "no"),
    ]
    assert rows[0]["acknowledged_at"] == people[0]["acknowledged_at"]


def test_acknowledgements_before_an_update_are_flagged_and_not_counted(seeded, settings, clock):
    updated = clock.now + timedelta(seconds=1)  # after Ewa's and Jan's confirmations
    entries = [
        {**entry, "modified": updated.isoformat()} if entry["slug"] == "must" else entry
        for entry in ARTICLES
    ]
    write_articles(settings.articles, entries)
    clock.advance(minutes=1)
    ok(seeded.put("/api/v1/threads/must/acknowledgement", headers=OLA))
    report = seeded.get("/api/v1/reports/acknowledgements/must", headers=MOD).json()
    assert report["modified"] == updated.isoformat()
    assert (report["count"], report["outdated"]) == (1, 2)
    flags = {p["id"]: p["outdated"] for p in report["people"]}
    assert flags == {"ewa": True, "jan": True, "ola": False}
    rows = read_csv(seeded.get("/api/v1/reports/acknowledgements/must.csv", headers=MOD))
    assert {r["login"]: r["outdated"] for r in rows} == {"ewa": "yes", "jan": "yes", "ola": "no"}
    engagement = rows_by_slug(seeded.get(ENGAGEMENT, headers=MOD))
    assert engagement["must"]["acknowledgements"] == 1


def test_acknowledgements_csv_neutralises_hostile_names(sso):
    client = sso()
    for i, name in enumerate(HOSTILE[:4]):  # the proxy's header holds no tab or return
        ok(client.put("/api/v1/threads/must/acknowledgement", headers=person(f"p{i}", name)))
    rows = read_csv(client.get("/api/v1/reports/acknowledgements/must.csv", headers=MOD))
    assert sorted(row["name"] for row in rows) == sorted("'" + name for name in HOSTILE[:4])
    assert all(not row["name"].startswith(("=", "+", "-", "@")) for row in rows)


@pytest.mark.parametrize(
    "text",
    [pytest.param(t, id=repr(t)) for t in ["zwykły", "a;b", "x; y", "10", "ok=1", ";", "; tak"]],
)
def test_csv_keeps_harmless_cells_as_they_are(text):
    assert reports.neutralise(text) == text


def test_csv_quotes_every_cell_so_no_separator_splits_one():
    """Excel in Polish splits at ";" unless the cell is quoted."""
    text = reports.to_csv(["a", "b"], [["x;=1+1", "y"]]).decode("utf-8-sig")
    assert text.splitlines() == ['"a","b"', '"x;=1+1","y"']


@pytest.mark.parametrize(
    ("slug", "status", "code"),
    [
        pytest.param("nothing", 404, "thread_not_found", id="unknown"),
        pytest.param("secret", 404, "thread_not_found", id="hidden"),
        pytest.param("alpha", 409, "not_must_read", id="not-must-read"),
    ],
)
def test_acknowledgements_of_other_articles(seeded, slug, status, code):
    for suffix in ("", ".csv"):
        path = f"/api/v1/reports/acknowledgements/{slug}{suffix}"
        assert_api_error(seeded.get(path, headers=MOD), status, code)


def test_acknowledgements_in_open_mode_give_id_and_name(make_client, settings):
    write_articles(settings.articles, ARTICLES)
    reader = make_client("Ewa Kowalska")
    ok(reader.put("/api/v1/threads/must/acknowledgement"))
    admin = make_client(admin_password="correct horse")
    assert_api_error(admin.get(ENGAGEMENT), 401, "not_signed_in")
    response = admin.post("/api/v1/admin/session", json={"password": "correct horse"})
    assert response.status_code == 200, response.text
    report = admin.get("/api/v1/reports/acknowledgements/must").json()
    assert report["auth"] == "open"
    assert [p["name"] for p in report["people"]] == ["Ewa Kowalska"]
    me = reader.get("/api/v1/me").json()["user"]
    rows = read_csv(admin.get("/api/v1/reports/acknowledgements/must.csv"))
    assert list(rows[0]) == ["id", "name", "acknowledged_at", "outdated"]
    assert (rows[0]["id"], rows[0]["name"]) == (me["id"], "Ewa Kowalska")
