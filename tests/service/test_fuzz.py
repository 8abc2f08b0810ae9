"""Bad input never gives a 500: random bodies, paths and query strings."""

from __future__ import annotations

import json
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
