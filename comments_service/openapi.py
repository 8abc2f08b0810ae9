"""The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json.

Kept as data beside the route table; a test fails when a route is missing here.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response

from . import __version__


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _errors(*statuses: int) -> dict:
    texts = {
        400: "malformed JSON or a repeated identity header",
        401: "not signed in (open mode: no display name chosen yet)",
        403: "not allowed: origin_not_allowed, forbidden, thread_locked",
        404: "unknown thread or comment",
        409: "conflict with the current state",
        413: "body over 64 KiB",
        415: "body not sent as application/json",
        422: "an invalid field (see error.field)",
        429: "rate limited or too many open streams: see the Retry-After header",
        503: "the service is stopping: see the Retry-After header",
    }
    return {str(s): _json(_ref("Error"), texts[s]) for s in statuses}


WRITE = (401, 403, 404, 413, 415, 422)
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
COMMENT_ID = {
    "name": "comment_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
}
KIND = {"name": "kind", "in": "path", "required": True, "schema": {"type": "string"}}


def _body(properties: dict, required: list[str]) -> dict:
    schema = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    return {"required": True, "content": {"application/json": {"schema": schema}}}


BODY_TEXT = {
    "type": "string",
    "minLength": 1,
    "maxLength": 5000,
    "description": "Markdown",
}

PATHS = {
    "/me": {
        "get": {
            "summary": "Who is asking",
            "responses": {"200": _json(_ref("Me"), "the signed-in person, or null")},
        },
        "post": {
            "summary": "Open mode: choose a display name (kept in a signed cookie)",
            "requestBody": _body({"name": {"type": "string", "maxLength": 60}}, ["name"]),
            "responses": {
                "200": _json(_ref("Me"), "signed in"),
                **_errors(400, 403, 409, 415, 422),
            },
        },
    },
    "/counts": {
        "get": {
            "summary": "Comment and reaction counts of up to 100 threads",
            "parameters": [
                {
                    "name": "slug",
                    "in": "query",
                    "required": True,
                    "schema": {
                        "type": "array",
                        "items": {"type": "string"},
                        "maxItems": 100,
                    },
                    "style": "form",
                    "explode": True,
                }
            ],
            "responses": {
                "200": _json(
                    {"type": "object", "additionalProperties": _ref("Counts")},
                    "counts by slug; unknown threads are left out",
                ),
                **_errors(422),
            },
        }
    },
    "/threads/{slug}": {
        "get": {
            "summary": "A thread with its comments",
            "parameters": [SLUG],
            "responses": {
                "200": _json(_ref("ThreadView"), "the thread"),
                **_errors(404),
            },
        }
    },
    "/threads/{slug}/comments": {
        "post": {
            "summary": "Write a comment or a reply",
            "parameters": [SLUG],
            "requestBody": _body(
                {"body": BODY_TEXT, "parent": {"type": ["string", "null"]}}, ["body"]
            ),
            "responses": {
                "201": _json(_ref("Comment"), "created"),
                **_errors(400, 409, 429, *WRITE),
            },
        }
    },
    "/threads/{slug}/reactions/{kind}": {
        method: {
            "summary": f"{verb} a reaction to the article (idempotent)",
            "parameters": [SLUG, KIND],
            "responses": {
                "200": _json(_ref("Reactions"), "the counts and yours"),
                **_errors(*WRITE),
            },
        }
        for method, verb in (("put", "Add"), ("delete", "Remove"))
    },
    "/threads/{slug}/acknowledgement": {
        "put": {
            "summary": "Confirm having read a must-read article",
            "parameters": [SLUG],
            "responses": {
                "200": _json(_ref("Acknowledgement"), "confirmed"),
                **_errors(409, *WRITE),
            },
        }
    },
    "/threads/{slug}/events": {
        "get": {
            "summary": "The thread's changes as they happen (Server-Sent Events)",
            "description": "Events, each with an id, a name and one line of JSON: "
            "comment {comment, comment_count} (new or edited), "
            "comment_deleted {id, placeholder, comment_count}, like {id, likes}, "
            "reactions {reactions}, acknowledgements {ack_count}, and reset {} when "
            "missed changes are no longer kept (refetch the thread). A ': ping' "
            "comment every 15 s. With Last-Event-ID (or ?last_event_id=) the "
            "thread's changes after it come first; without, the stream starts now. "
            "At most COMMENTS_MAX_STREAMS open streams per person per worker process.",
            "parameters": [
                SLUG,
                {"name": "Last-Event-ID", "in": "header", "schema": {"type": "string"}},
                {"name": "last_event_id", "in": "query", "schema": {"type": "integer"}},
            ],
            "responses": {
                "200": {
                    "description": "a stream of events, until the client or the server ends it",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                **_errors(404, 422, 429, 503),
            },
        }
    },
    "/comments/{comment_id}": {
        "patch": {
            "summary": "Edit your comment",
            "parameters": [COMMENT_ID],
            "requestBody": _body({"body": BODY_TEXT}, ["body"]),
            "responses": {
                "200": _json(_ref("Comment"), "edited"),
                **_errors(400, 409, *WRITE),
            },
        },
        "delete": {
            "summary": "Delete your comment (moderators: any comment)",
            "parameters": [COMMENT_ID],
            "responses": {"204": {"description": "deleted"}, **_errors(*WRITE)},
        },
    },
    "/comments/{comment_id}/reactions/{kind}": {
        method: {
            "summary": f"{verb} your like of a comment (idempotent; kind is 'like')",
            "parameters": [COMMENT_ID, KIND],
            "responses": {
                "200": _json(_ref("Reactions"), "the count and yours"),
                **_errors(409, *WRITE),
            },
        }
        for method, verb in (("put", "Add"), ("delete", "Remove"))
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3.1"}},
        }
    },
}

STRING_OR_NULL = {"type": ["string", "null"]}
SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "field"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "field": STRING_OR_NULL,
                },
            }
        },
    },
    "User": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "moderator": {"type": "boolean"},
        },
    },
    "Me": {
        "type": "object",
        "properties": {
            "user": {"oneOf": [_ref("User"), {"type": "null"}]},
            "auth": {"enum": ["open", "header"]},
        },
    },
    "Counts": {
        "type": "object",
        "properties": {
            "comments": {"type": "integer"},
            "reactions": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
            },
        },
    },
    "Reactions": {
        "type": "object",
        "properties": {
            "reactions": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
            },
            "mine": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Acknowledgement": {
        "type": "object",
        "properties": {
            "acknowledged": {"type": "boolean"},
            "acknowledged_at": {"type": "string", "format": "date-time"},
            "ack_count": {"type": "integer"},
        },
    },
    "Comment": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "parent": STRING_OR_NULL,
            "author": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "name": {"type": "string"},
                        },
                    },
                    {"type": "null"},
                ],
                "description": "null for a deleted comment's placeholder",
            },
            "article_author": {"type": "boolean"},
            "body_html": {"type": "string", "description": "sanitised HTML"},
            "body": {
                "type": "string",
                "description": "Markdown source, for its author only",
            },
            "created": {"type": "string", "format": "date-time"},
            "edited": {"type": ["string", "null"], "format": "date-time"},
            "deleted": {"type": "boolean"},
            "pinned": {"type": "boolean"},
            "reactions": {
                "type": "object",
                "properties": {"like": {"type": "integer"}},
            },
            "mine": {"type": "boolean", "description": "written by the caller"},
            "my_reactions": {"type": "array", "items": {"type": "string"}},
            "replies": {"type": "array", "items": _ref("Comment")},
        },
    },
    "ThreadView": {
        "type": "object",
        "properties": {
            "thread": {
                "type": "object",
                "properties": {
                    "slug": {"type": "string"},
                    "locked": {"type": "boolean"},
                    "comments_mode": {"enum": ["open", "moderated", "closed"]},
                    "comment_count": {"type": "integer"},
                    "reactions": {
                        "type": "object",
                        "additionalProperties": {"type": "integer"},
                    },
                    "mine": {"type": "array", "items": {"type": "string"}},
                    "must_read": {"type": "boolean"},
                    "acknowledged": {"type": "boolean"},
                    "acknowledged_at": STRING_OR_NULL,
                    "ack_count": {"type": "integer"},
                    "last_event_id": {
                        "type": "integer",
                        "description": "the thread's latest event: resume its events after it",
                    },
                },
            },
            "comments": {"type": "array", "items": _ref("Comment")},
        },
    },
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Kurier comments API",
        "version": __version__,
        "description": "Comments, reactions and acknowledgements for Kurier's articles. "
        "State-changing requests need an allowed Origin and, with a body, "
        "Content-Type: application/json.",
    },
    "servers": [{"url": "/api/v1"}],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS},
}
_DOCUMENT_JSON = orjson.dumps(DOCUMENT)


async def get_openapi(request: Request) -> Response:
    return Response(_DOCUMENT_JSON, media_type="application/json")
