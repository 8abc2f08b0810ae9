"""Bad input never gives a 500: random bodies, paths and query strings."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.service.kit import PASSWORD

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
FIELDS = st.dictionaries(
    st.sampled_from(["body", "parent", "name", "reason", "x"]), JSON, max_size=3
)
WRITES = [
    ("POST", "/api/v1/me"),
    ("POST", "/api/v1/threads/{slug}/comments"),
    ("PATCH", "/api/v1/comments/{id}"),
    ("DELETE", "/api/v1/comments/{id}"),
    ("PUT", "/api/v1/threads/{slug}/reactions/{kind}"),
    ("PUT", "/api/v1/comments/{id}/reactions/{kind}"),
    ("PUT", "/api/v1/threads/{slug}/acknowledgement"),
]
SEGMENT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%"),
    min_size=1,
    max_size=12,
)
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=150, deadline=None, suppress_health_check=HEALTH)
@given(
    write=st.sampled_from(WRITES),
    slug=st.sampled_from(["open-news", "closed-news", "hidden-news", "must-read"]) | SEGMENT,
    id_=st.sampled_from(["1", "2", "0", "99999999999999999999"]) | SEGMENT,
    kind=st.sampled_from(["like", "love"]) | SEGMENT,
    body=FIELDS | JSON,
)
def test_fuzz_writes_never_fail_with_500(client, write, slug, id_, kind, body):
    method, template = write
    path = template.format(
        slug=quote(slug, safe=""), id=quote(id_, safe=""), kind=quote(kind, safe="")
    )
    response = client.request(
        method, path, content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, (method, path, body, response.text)
    assert (
        response.headers["content-type"].startswith("application/json")
        or response.status_code == 204
    )


@settings(max_examples=100, deadline=None, suppress_health_check=HEALTH)
@given(path=SEGMENT, query=st.lists(SEGMENT, max_size=120))
def test_fuzz_reads_never_fail_with_500(client, path, query):
    slugs = "&".join("slug=" + quote(q, safe="") for q in query)
    for url in (f"/api/v1/threads/{quote(path, safe='')}", f"/api/v1/counts?{slugs}"):
        response = client.get(url)
        assert response.status_code < 500, (url, response.text)


# --- every route, both identity modes -------------------------------------------------------
#
# Random JSON (deep nesting, huge numbers, odd unicode, wrong types), raw bodies
# that are not JSON at all, random path parameters and query strings, sent to
# every route of the app as a reader, a moderator and nobody, in open and in
# header mode. Nothing may answer 5xx, every API error must have the one shape,
# and nothing may be logged as an unexpected error.

ODD_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=()),  # surrogates, controls, unassigned too
    max_size=12,
) | st.sampled_from(["²", "٣", "１", "\u202e", "\x00", "\ud800", "a" * 300, "-1", "1e9", " 1 "])
HUGE = st.integers(min_value=-(10**40), max_value=10**40) | st.sampled_from(
    [2**63, -(2**63) - 1, 10**30]
)
ODD_JSON = st.recursive(
    st.none() | st.booleans() | HUGE | st.floats() | ODD_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ODD_TEXT, inner, max_size=3),
    max_leaves=8,
)
NAMED_FIELDS = st.dictionaries(
    st.sampled_from(["body", "parent", "name", "reason", "until", "password", "kind", "x"]),
    ODD_JSON,
    max_size=3,
)
RAW_BODIES = st.sampled_from(
    [
        b"[" * 4000 + b"]" * 4000,
        b'{"body":' * 2000 + b"1" + b"}" * 2000,
        b"1" * 5000,
        b'{"body": 1e999999}',
        b'{"body": NaN, "parent": Infinity}',
        b"\xff\xfe\x00{",
        b'{"body": "\\ud800"}',
        b"",
        b"null",
        b'{"body": "x", "body": "y"}',
        b"body=x&reason=y&csrf=z",
    ]
)
PARAMS = {
    "slug": st.sampled_from(["open-news", "closed-news", "hidden-news", "must-read"]) | ODD_TEXT,
    "comment_id": st.sampled_from(["1", "2", "0", "%C2%B2", "99999999999999999999"]) | ODD_TEXT,
    "kind": st.sampled_from(["like", "love", "atom", "rss", "csv"]) | ODD_TEXT,
    "user_id": st.sampled_from(["jan", "u0123456789abcdef"]) | ODD_TEXT,
    "action": st.sampled_from(["hide", "unhide", "pin", "delete", "lock", "approve"]) | ODD_TEXT,
}
QUERY = st.lists(
    st.tuples(
        st.sampled_from(["lang", "limit", "before", "slug", "from", "to", "sort", "last_event_id",
                         "thread", "author", "action", "kind", "order"]) | ODD_TEXT,
        ODD_TEXT,
    ),
    max_size=4,
)  # fmt: skip
CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain",
     "application/x-www-form-urlencoded", None]
)  # fmt: skip
WHO = st.sampled_from(["nobody", "reader", "moderator"])


def _routes(routes, prefix: str = "") -> list[tuple[str, str]]:
    """(method, path template) of every route of the app, mounts included."""
    from starlette.routing import Mount, Route

    found = []
    for route in routes:
        if isinstance(route, Mount) and route.routes:
            found += _routes(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            found += [(method, prefix + route.path) for method in sorted(route.methods or ())]
    return found


def _quoted(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _fill(template: str, draw) -> str:
    import re

    return re.sub(r"\{(\w+)\}", lambda m: _quoted(draw(PARAMS[m[1]])), template)


def assert_error_shape(response) -> None:
    """An API answer >= 400 is the one JSON error shape of API.md."""
    assert response.headers["content-type"].startswith("application/json"), response.text
    error = response.json()["error"]
    assert {"code", "message", "field"} <= set(error), error
    assert isinstance(error["code"], str) and error["code"].isidentifier()
    assert isinstance(error["message"], str) and error["message"]


def _people(make_client, mode: str) -> dict:
    """A client per kind of person; the moderator has a session (open mode) or a login."""
    changes = {
        # Streams would never end under the test client: refuse every one at the bound.
        "max_anonymous_streams": 0,
        "max_streams_per_person": 0,
        "admin_password": PASSWORD,
    }
    if mode == "header":
        changes.update(auth="header", moderators=frozenset({"mod"}))
        people = {}
        for who, login in (("nobody", ""), ("reader", "jan"), ("moderator", "mod")):
            client = make_client(peer="127.0.0.1", **changes)
            if login:
                client.headers["x-forwarded-user"] = login
            people[who] = client
        return people
    moderator = make_client("Moderatorka", **changes)
    assert moderator.post("/api/v1/admin/session", json={"password": PASSWORD}).status_code == 200
    return {"nobody": make_client(**changes), "reader": make_client("Ewa", **changes),
            "moderator": moderator}  # fmt: skip


@pytest.fixture(params=["open", "header"])
def people(request, make_client) -> dict:
    people = _people(make_client, request.param)
    # Something to act on: a comment with a reply, by the reader.
    reader = people["reader"]
    first = reader.post("/api/v1/threads/open-news/comments", json={"body": "Pierwszy"})
    assert first.status_code == 201, first.text
    reply = {"body": "Odpowiedź", "parent": first.json()["id"]}
    assert reader.post("/api/v1/threads/open-news/comments", json=reply).status_code == 201
    return people


@settings(max_examples=400, deadline=None, suppress_health_check=HEALTH)
@given(data=st.data())
def test_fuzz_every_route_in_both_modes(people, caplog, data):
    any_client = next(iter(people.values()))
    routes = _routes(any_client.app.routes)
    method, template = data.draw(st.sampled_from(routes))
    method = data.draw(st.sampled_from([method, method, "GET", "POST", "PUT", "PATCH", "DELETE"]))
    path = _fill(template, data.draw)
    query = data.draw(QUERY)
    if query:
        path += "?" + "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in query)
    client = people[data.draw(WHO)]
    body = data.draw(RAW_BODIES | NAMED_FIELDS.map(_json) | ODD_JSON.map(_json) | st.just(None))
    headers = {}
    content_type = data.draw(CONTENT_TYPES)
    if content_type:
        headers["content-type"] = content_type
    caplog.clear()
    response = client.request(method, path, content=body, headers=headers)
    assert response.status_code < 500, (method, path, body, response.text)
    if response.status_code >= 400 and method != "HEAD" and not path.startswith("/admin"):
        assert_error_shape(response)
    unexpected = [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]
    assert not unexpected, [r.getMessage() for r in unexpected]


def _json(value: object) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")
