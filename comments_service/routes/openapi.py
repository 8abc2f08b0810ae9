"""The OpenAPI 3.1 document, made from the route table and served at /api/v1/openapi.json.

Paths, parameters, bodies and answers come from the `Endpoint`s; the schemas
are the msgspec classes of comments_service/schemas/, with their `required`
lists, so the document says what the tests check real answers against.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from .. import __version__
from ..schemas.answers import Error
from .endpoint import ANYONE, API, JSON, Endpoint, Param

REF = "#/components/schemas/{name}"
ERRORS = {
    400: "malformed_json; in header mode ambiguous_identity (an identity header sent twice) "
    "or invalid_identity (one that is not clean UTF-8)",
    401: "not_signed_in (open mode: no display name chosen yet), or wrong_password",
    403: "origin_not_allowed, forbidden, thread_locked, muted (with until), admin_disabled, "
    "identity_too_new (open mode: a name made minutes ago reports)",
    404: "thread_not_found or comment_not_found",
    409: "a conflict with the current state: see error.code",
    413: "body_too_large: a body over 64 KiB",
    415: "unsupported_media_type: a body not sent as application/json",
    422: "an invalid field or parameter, named in error.field",
    429: "rate_limited or too_many_streams: see the Retry-After header",
    503: "the service cannot answer now: shutting_down (see Retry-After), or at /healthz "
    "a database it cannot read",
}
PATH_PARAMS = {
    "slug": "the article's slug",
    "comment_id": "a comment's id (ASCII digits)",
    "kind": "a kind of reaction",
    "user_id": "a person's id",
}
INFO = {
    "title": "Kurier comments API",
    "version": __version__,
    "description": "Comments, reactions and acknowledgements for Kurier's articles. "
    "State-changing requests need an allowed Origin and, with a body, "
    "Content-Type: application/json.",
}


def document(endpoints: Sequence[Endpoint]) -> dict[str, Any]:
    """The OpenAPI document of `endpoints`."""
    shapes = _shapes(endpoints)
    refs, components = msgspec.json.schema_components(shapes, ref_template=REF)
    schema_of = dict(zip(shapes, refs, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        item = paths.setdefault(endpoint.path, {})
        if endpoint.mount != API:
            item["servers"] = [{"url": endpoint.mount or "/"}]
        item[endpoint.method.lower()] = _operation(endpoint, schema_of)
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "servers": [{"url": API}],
        "paths": paths,
        "components": {"schemas": components},
    }


def _shapes(endpoints: Sequence[Endpoint]) -> list[Any]:
    """Every shape the endpoints take or give, each once."""
    found: dict[Any, None] = {Error: None}
    for endpoint in endpoints:
        for shape in (endpoint.body, endpoint.answer, *dict(endpoint.other_answers).values()):
            if shape is not None:
                found[shape] = None
    return list(found)


def _operation(endpoint: Endpoint, schema_of: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    description = f"Who: {endpoint.who}. {endpoint.description}".strip()
    operation: dict[str, Any] = {"summary": endpoint.summary, "description": description}
    parameters = [_path_param(name) for name in endpoint.path_params]
    parameters += [_param(param) for param in endpoint.params]
    if parameters:
        operation["parameters"] = parameters
    if endpoint.body is not None:
        content = {JSON: {"schema": schema_of[endpoint.body]}}
        operation["requestBody"] = {"required": endpoint.body_required, "content": content}
    operation["responses"] = _responses(endpoint, schema_of)
    return operation


def _responses(endpoint: Endpoint, schema_of: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    if endpoint.answer is None:
        success: dict[str, Any] = {"description": "done; no content"}
    else:
        content = {endpoint.media_type: {"schema": schema_of[endpoint.answer]}}
        success = {"description": endpoint.summary, "content": content}
    responses = {str(endpoint.status): success}
    others = dict(endpoint.other_answers)
    for status in endpoint.statuses:
        content = {JSON: {"schema": schema_of[others.get(status, Error)]}}
        responses[str(status)] = {"description": ERRORS[status], "content": content}
    return responses


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": PATH_PARAMS[name],
            "schema": {"type": "string"}}  # fmt: skip


def _param(param: Param) -> dict[str, Any]:
    schema = msgspec.json.schema(param.type)
    found = {"name": param.name, "in": param.where, "required": param.required,
             "description": param.description, "schema": schema}  # fmt: skip
    if schema.get("type") == "array":
        found.update(style="form", explode=True)
    return found


def openapi_endpoint(documented: Sequence[Endpoint]) -> Endpoint:
    """GET /openapi.json: the document of `documented` and of itself, made at the first ask."""
    made: list[bytes] = []

    async def get_openapi(request: Request) -> Response:
        if not made:
            made.append(msgspec.json.encode(document([*documented, endpoint])))
        return Response(made[0], media_type="application/json")

    endpoint = Endpoint("GET", "/openapi.json", get_openapi, "This document (OpenAPI 3.1)",
                        ANYONE, dict[str, Any])  # fmt: skip
    return endpoint
