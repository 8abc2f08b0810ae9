"""Every route answers what the route table declares, and the OpenAPI document says the same.

Real requests go to every route, as nobody, readers and a moderator, in open
and header mode; each answer, success or error, must have a status its route
declares and decode into the declared shape: no field missing, none unknown,
every value of its type.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import msgspec
import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from comments_service.config import RateLimit
from comments_service.routes import ENDPOINTS
from comments_service.routes.endpoint import API, EVENTS, Endpoint
from comments_service.schemas.answers import Error
from tests.service.kit import (
    PASSWORD,
    Worker,
    admin,
    assert_api_error,
    iso,
    run,
)

COMMENTS = f"{API}/threads/{{slug}}/comments"
COMMENT = f"{API}/comments/{{comment_id}}"


class Calls:
    """Requests made from the route table's own templates, and the answers they got."""

    def __init__(self) -> None:
        self.made: list[tuple[Endpoint, Any]] = []
        self.sent: dict[Endpoint, tuple[TestClient, str, Any]] = {}  # a call that succeeded

    def __call__(
        self, client: TestClient, method: str, template: str, json: Any = None,
        raw: bytes | None = None, params: Any = None, **values: str,
    ) -> Any:  # fmt: skip
        endpoint = next(e for e in ENDPOINTS if (e.method, e.full_path) == (method, template))
        headers = {"content-type": "application/json"} if raw is not None else None
        response = client.request(method, template.format(**values), json=json, content=raw,
                                  params=params, headers=headers)  # fmt: skip
        self.made.append((endpoint, response))
        if response.status_code == endpoint.status and raw is None:
            self.sent.setdefault(endpoint, (client, template.format(**values), json))
        return response

    def created(self, *args: Any, **values: str) -> str:
        """Post a comment; its id."""
        response = self(*args, **values)
        assert response.status_code == 201, response.text
        return response.json()["id"]


def expected_shape(endpoint: Endpoint, status: int) -> Any:
    """The shape the route declares for an answer with `status`."""
    if status == endpoint.status:
        return endpoint.answer
    return dict(endpoint.other_answers).get(status, Error)


def assert_declared(endpoint: Endpoint, response: Any) -> None:
    """The answer's status is declared, and its body decodes into the declared shape."""
    status, where = response.status_code, f"{endpoint.method} {endpoint.full_path}"
    assert status in (endpoint.status, *endpoint.statuses), (where, status, response.text)
    shape = expected_shape(endpoint, status)
    media = response.headers.get("content-type", "")
    if shape is None:
        assert response.content == b"", where
    elif status == endpoint.status and endpoint.media_type != "application/json":
        assert media.startswith(endpoint.media_type), (where, media)
    else:
        assert media.startswith("application/json"), (where, media)
        try:
            msgspec.json.decode(response.content, type=shape, strict=True)
        except msgspec.ValidationError as error:
            pytest.fail(f"{where} {status}: {error}\n{response.text[:3000]}")


# --- a session that calls every route ----------------------------------------------------


def _people(make_client) -> dict[str, TestClient]:
    """Open mode: nobody, two readers, one whose comments wait, a moderator."""
    return {
        "nobody": make_client(admin_password=PASSWORD),
        "ewa": make_client("Ewa", admin_password=PASSWORD),
        "jan": make_client("Jan", admin_password=PASSWORD),
        "waiting": make_client("Piotr", admin_password=PASSWORD, premoderation=True),
        "mod": admin(make_client, "Moderatorka"),
    }


def _me_and_sessions(call: Calls, p: dict, make_client, header_client) -> None:
    for who in ("nobody", "ewa", "mod"):
        call(p[who], "GET", f"{API}/me")
    call(make_client(), "POST", f"{API}/me", json={"name": "Ola"})
    call(p["nobody"], "POST", f"{API}/me", json={"name": 5})
    call(p["nobody"], "POST", f"{API}/me", json={})
    call(p["nobody"], "POST", f"{API}/me", raw=b"[")
    sso = header_client()
    sso.headers["x-forwarded-user"] = "jnowak"
    call(sso, "POST", f"{API}/me", json={"name": "Jan"})
    call(sso, "POST", f"{API}/admin/session", json={"password": PASSWORD})
    unreadable = header_client()
    unreadable.headers["x-forwarded-user"] = "j" * 201
    call(unreadable, "GET", f"{API}/me")
    call(unreadable, "GET", f"{API}/threads/{{slug}}", slug="open-news")
    session = make_client(admin_password=PASSWORD)
    call(session, "POST", f"{API}/admin/session", json={"password": "wrong"})
    call(session, "POST", f"{API}/admin/session", json={"password": PASSWORD})
    call(session, "DELETE", f"{API}/admin/session")
    call(make_client(), "POST", f"{API}/admin/session", json={"password": PASSWORD})


def _mutes(call: Calls, p: dict) -> None:
    mute, until = f"{API}/people/{{user_id}}/mute", iso(timedelta(days=2))
    call(p["mod"], "PUT", mute, json={"until": until, "reason": "spam"}, user_id="spammer")
    call(p["mod"], "PUT", mute, json={"until": "jutro", "reason": "spam"}, user_id="spammer")
    call(p["mod"], "PUT", mute, json={"until": until}, user_id="spammer")
    call(p["ewa"], "PUT", mute, json={"until": until, "reason": "spam"}, user_id="spammer")
    call(p["nobody"], "PUT", mute, json={"until": until, "reason": "x"}, user_id="spammer")
    call(p["mod"], "GET", f"{API}/moderation/mutes")
    call(p["ewa"], "GET", f"{API}/moderation/mutes")
    call(p["mod"], "DELETE", mute, json={"reason": 7}, user_id="spammer")
    call(p["mod"], "DELETE", mute, user_id="spammer")


def _threads(call: Calls, p: dict, make_client) -> None:
    thread = f"{API}/threads/{{slug}}"
    for who in ("nobody", "ewa", "jan", "waiting", "mod"):
        call(p[who], "GET", thread, slug="open-news")
    call(p["ewa"], "GET", thread, slug="no-such-news")
    call(p["nobody"], "GET", f"{API}/counts", params={"slug": ["open-news", "must-read", "x"]})
    call(p["nobody"], "GET", f"{API}/counts")
    ack = f"{thread}/acknowledgement"
    call(p["ewa"], "PUT", ack, slug="must-read")
    call(p["ewa"], "PUT", ack, slug="open-news")
    call(p["nobody"], "PUT", ack, slug="must-read")
    reaction = f"{thread}/reactions/{{kind}}"
    call(p["ewa"], "PUT", reaction, slug="open-news", kind="love")
    call(p["jan"], "PUT", reaction, slug="open-news", kind="like")
    call(p["jan"], "DELETE", reaction, slug="open-news", kind="like")
    call(p["ewa"], "PUT", reaction, slug="open-news", kind="angry")
    call(p["nobody"], "PUT", reaction, slug="open-news", kind="like")
    hasty = make_client("Szybka", rate_limit=RateLimit(1, 3600))
    for _ in range(2):
        call(hasty, "POST", COMMENTS, json={"body": "Szybko"}, slug="open-news")


def _comments(call: Calls, p: dict) -> tuple[str, str]:
    """Write, edit, like and delete; the ids of a comment and of its reply."""
    first = call.created(
        p["ewa"], "POST", COMMENTS, json={"body": "**Pierwszy**"}, slug="open-news"
    )
    reply = {"body": "Odpowiedź", "parent": first}
    second = call.created(p["jan"], "POST", COMMENTS, json=reply, slug="open-news")
    for who, body, slug in (("nobody", {"body": "x"}, "open-news"),
                            ("ewa", {"body": "x"}, "no-such-news"),
                            ("ewa", {"body": "x"}, "closed-news"),
                            ("ewa", {"body": 12}, "open-news"),
                            ("ewa", {"body": "x", "author": "Szef"}, "open-news")):  # fmt: skip
        call(p[who], "POST", COMMENTS, json=body, slug=slug)
    call(p["ewa"], "PATCH", COMMENT, json={"body": "Poprawiony"}, comment_id=first)
    call(p["jan"], "PATCH", COMMENT, json={"body": "Cudzy"}, comment_id=first)
    call(p["ewa"], "PATCH", COMMENT, json={"body": ""}, comment_id=first)
    call(p["ewa"], "PATCH", COMMENT, json={"body": "x"}, comment_id="999999")
    like = f"{COMMENT}/reactions/{{kind}}"
    call(p["jan"], "PUT", like, comment_id=first, kind="like")
    call(p["ewa"], "PUT", like, comment_id=second, kind="like")
    call(p["ewa"], "DELETE", like, comment_id=second, kind="like")
    call(p["ewa"], "PUT", like, comment_id=first, kind="like")
    call(p["jan"], "PUT", like, comment_id=first, kind="love")
    call(p["jan"], "PUT", like, comment_id="999999", kind="like")
    gone = call.created(p["ewa"], "POST", COMMENTS, json={"body": "Do usunięcia"}, slug="open-news")
    call(p["ewa"], "DELETE", COMMENT, comment_id=gone)
    call(p["jan"], "DELETE", COMMENT, comment_id=first)
    call(p["jan"], "DELETE", COMMENT, json={"reason": 5}, comment_id=second)
    call(p["ewa"], "DELETE", COMMENT, comment_id="999999")
    return first, second


def _moderation(call: Calls, p: dict, first: str, second: str) -> None:
    call(p["mod"], "PUT", f"{COMMENT}/hidden", json={"reason": "Poza tematem"}, comment_id=first)
    for who in ("ewa", "mod", "nobody"):  # a hidden comment as readers and moderators see it
        call(p[who], "GET", f"{API}/threads/{{slug}}", slug="open-news")
    call(p["jan"], "PUT", f"{COMMENT}/hidden", json={"reason": "x"}, comment_id=first)
    call(p["nobody"], "PUT", f"{COMMENT}/hidden", json={"reason": "x"}, comment_id=first)
    call(p["mod"], "PUT", f"{COMMENT}/hidden", json={}, comment_id=first)
    call(p["mod"], "PUT", f"{COMMENT}/hidden", json={"reason": "x"}, comment_id="999999")
    call(p["mod"], "DELETE", f"{COMMENT}/hidden", comment_id=first)
    call(p["mod"], "PUT", f"{COMMENT}/pinned", json={"reason": "Ważne"}, comment_id=first)
    call(p["mod"], "PUT", f"{COMMENT}/pinned", comment_id=second)
    call(p["mod"], "DELETE", f"{COMMENT}/pinned", comment_id=first)
    flags = f"{COMMENT}/flags"
    call(p["jan"], "POST", flags, json={"reason": "Spam"}, comment_id=first)
    call(p["jan"], "POST", flags, json={"reason": "Spam"}, comment_id=first)
    call(p["ewa"], "POST", flags, json={"reason": "Spam"}, comment_id=first)
    call(p["ewa"], "POST", flags, json={"reason": ["Spam"]}, comment_id=second)
    call(p["mod"], "GET", f"{API}/moderation/flags")
    call(p["mod"], "PUT", f"{COMMENT}/flags/dismissed", comment_id=first)
    waiting = [
        call.created(p["waiting"], "POST", COMMENTS, json={"body": text}, slug="open-news")
        for text in ("Czeka", "Też czeka", "I ten")
    ]
    call(p["waiting"], "GET", f"{API}/threads/{{slug}}", slug="open-news")
    call(p["mod"], "GET", f"{API}/moderation/pending", params={"limit": "1"})
    call(p["mod"], "PUT", f"{COMMENT}/approved", comment_id=waiting[0])
    call(p["mod"], "DELETE", f"{COMMENT}/approved", json={"reason": "Nie"}, comment_id=waiting[1])
    call(p["mod"], "DELETE", f"{COMMENT}/approved", comment_id=first)
    lock = f"{API}/threads/{{slug}}/lock"
    call(p["mod"], "PUT", lock, json={"reason": "Koniec"}, slug="open-news")
    call(p["ewa"], "POST", COMMENTS, json={"body": "Jeszcze"}, slug="open-news")
    call(p["mod"], "DELETE", lock, slug="open-news")
    call(p["mod"], "DELETE", lock, slug="no-such-news")
    call(p["mod"], "DELETE", COMMENT, json={"reason": "Spam"}, comment_id=second)
    call(p["mod"], "GET", f"{API}/moderation/log", params={"limit": "3"})
    call(p["mod"], "GET", f"{API}/moderation/log", params={"action": "bogus"})
    call(p["mod"], "GET", f"{API}/moderation/pending", params={"limit": "0"})


def _reports_and_the_rest(call: Calls, p: dict, make_client) -> None:
    reports = f"{API}/reports"
    for suffix in ("", ".csv"):
        call(p["mod"], "GET", f"{reports}/engagement{suffix}", params={"sort": "comments"})
        call(p["mod"], "GET", f"{reports}/engagement{suffix}", params={"sort": "bogus"})
        call(p["ewa"], "GET", f"{reports}/engagement{suffix}")
        call(p["nobody"], "GET", f"{reports}/engagement{suffix}")
        for slug in ("must-read", "open-news", "no-such-news"):
            call(p["mod"], "GET", f"{reports}/acknowledgements/{{slug}}{suffix}", slug=slug)
    call(p["nobody"], "GET", "/healthz")
    call(p["nobody"], "GET", "/readyz")
    call(p["nobody"], "GET", f"{API}/openapi.json")
    events = f"{API}/threads/{{slug}}/events"
    call(p["nobody"], "GET", events, slug="no-such-news")
    call(p["nobody"], "GET", events, params={"last_event_id": "abc"}, slug="open-news")
    bounded = make_client("Czytelnik", max_streams_per_person=0)
    call(bounded, "GET", events, slug="open-news")


@pytest.fixture
def calls(make_client, header_client) -> Calls:
    """Every route called, with answers of success and of error."""
    call, people = Calls(), _people(make_client)
    _me_and_sessions(call, people, make_client, header_client)
    _mutes(call, people)
    _threads(call, people, make_client)
    first, second = _comments(call, people)
    _moderation(call, people, first, second)
    _reports_and_the_rest(call, people, make_client)
    return call


def test_schema_every_answer_has_a_declared_status_and_shape(calls):
    for endpoint, response in calls.made:
        assert_declared(endpoint, response)


def test_schema_every_route_is_called_and_succeeds(calls):
    succeeded = {(e.method, e.full_path) for e, r in calls.made if r.status_code == e.status}
    everything = {(e.method, e.full_path) for e in ENDPOINTS if e.media_type != EVENTS}
    assert everything - succeeded == set()


def test_schema_every_route_reads_the_body_it_declares(calls):
    """A call that succeeded, sent again with an unknown field or without a required one."""
    with_body = [endpoint for endpoint in ENDPOINTS if endpoint.body is not None]
    assert with_body and all(endpoint in calls.sent for endpoint in with_body)
    for endpoint in with_body:
        client, path, body = calls.sent[endpoint]
        extra = client.request(endpoint.method, path, json={**(body or {}), "zzz": 1})
        assert_api_error(extra, 422, "unknown_field", "zzz")
        for info in msgspec.structs.fields(endpoint.body):
            if info.required:
                fewer = {k: v for k, v in body.items() if k != info.encode_name}
                response = client.request(endpoint.method, path, json=fewer)
                assert_api_error(response, 422, "missing_field", info.encode_name)


def test_schema_event_stream_answers_as_declared(settings):
    endpoint = next(e for e in ENDPOINTS if e.media_type == EVENTS)

    async def scenario(worker: Worker) -> None:
        stream = await worker.stream(endpoint.full_path.format(slug="open-news"))
        assert stream.status == endpoint.status
        assert stream.response_headers["content-type"].startswith(endpoint.media_type)

    run(settings, scenario)


# --- the OpenAPI document ----------------------------------------------------------------


def _refs(node: Any) -> set[str]:
    """Every component a piece of the document refers to."""
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[1]} if "$ref" in node else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


@pytest.fixture
def document(anonymous) -> dict:
    response = anonymous.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def _served(app) -> set[tuple[str, str]]:
    """(path, method) of every route under /api/v1, and of /healthz and /readyz (/metrics,
    for Prometheus, is no part of the API)."""
    served = set()
    for route in app.routes:
        if isinstance(route, Mount) and route.path == API:
            served |= {(API + r.path, m) for r in route.routes for m in r.methods - {"HEAD"}}
        elif isinstance(route, Route) and route.path in ("/healthz", "/readyz"):
            served |= {(route.path, m) for m in route.methods - {"HEAD"}}
    return served


def _documented(document: dict) -> set[tuple[str, str]]:
    found = set()
    for path, item in document["paths"].items():
        base = item.get("servers", document["servers"])[0]["url"].rstrip("/")
        found |= {(base + path, method.upper()) for method in item if method != "servers"}
    return found


def test_openapi_documents_every_route_of_the_app(anonymous, document):
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": API}]
    assert _documented(document) == _served(anonymous.app)
    assert {(e.full_path, e.method) for e in ENDPOINTS} == _served(anonymous.app)


def test_openapi_operations_declare_answers_errors_and_parameters(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "servers":
                continue
            statuses = set(operation["responses"])
            assert any(status.startswith("2") for status in statuses), (path, method)
            for status, answer in operation["responses"].items():
                assert answer["description"], (path, method, status)
                if status >= "400":
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema["$ref"].endswith(("/Error", "/Health")), (path, method, status)
            named = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert named == set(re.findall(r"\{(\w+)\}", path)), (path, method)


def test_openapi_schemas_are_all_used_and_list_what_is_required(document):
    schemas = document["components"]["schemas"]
    used = _refs(document["paths"])
    while True:
        more = used | _refs([schemas[name] for name in used])
        if more == used:
            break
        used = more
    assert used == set(schemas), "unreferenced: " + ", ".join(sorted(set(schemas) - used))
    for name, schema in schemas.items():
        assert schema["type"] == "object", name
        assert schema["additionalProperties"] is False, name
        assert set(schema.get("required", ())) <= set(schema["properties"]), name
    assert set(schemas["Comment"]["required"]) >= {"id", "author", "body_html", "replies"}
    assert "body" not in schemas["Comment"]["required"]  # for its author only
    assert set(schemas["ModeratedComment"]["required"]) >= {"thread", "flags"}
    assert schemas["Error"]["required"] == ["error"]
    assert set(schemas["ErrorDetail"]["required"]) == {"code", "message", "field"}
