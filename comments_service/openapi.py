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
        400: "malformed JSON, or an identity header sent twice (ambiguous_identity) or "
        "not clean UTF-8 (invalid_identity)",
        401: "not signed in (open mode: no display name chosen yet), or wrong_password",
        403: "not allowed: origin_not_allowed, forbidden, thread_locked, muted (with until), "
        "admin_disabled, identity_too_new (open mode: a name made minutes ago reports)",
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

REASON = {"type": "string", "minLength": 1, "maxLength": 500}
MODERATOR = (401, 403)
PAGE = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    {
        "name": "before",
        "in": "query",
        "schema": {"type": "integer"},
        "description": "next_before of the previous page",
    },
]
USER_ID = {"name": "user_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _optional_reason() -> dict:
    body = _body({"reason": REASON}, [])
    return {**body, "required": False}


def _moderation(summary: str, parameters: list, response: dict, *errors: int) -> dict:
    """A moderator's action: an optional {"reason"} body, recorded in the audit log."""
    return {
        "summary": summary,
        "parameters": parameters,
        "requestBody": _optional_reason(),
        "responses": {"200": response, **_errors(*MODERATOR, 404, 422, *errors)},
    }


def _list(summary: str, item: dict, parameters: list = ()) -> dict:
    page = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": item},
            "next_before": {"type": ["integer", "null"]},
        },
    }
    return {
        "get": {
            "summary": summary,
            "parameters": [*PAGE, *parameters],
            "responses": {"200": _json(page, "newest first"), **_errors(*MODERATOR, 422)},
        }
    }


MODERATED = _json(_ref("ModeratedComment"), "the comment as moderators see it")
MODERATION_PATHS = {
    "/admin/session": {
        "post": {
            "summary": "Open mode: a moderator signs in with COMMENTS_ADMIN_PASSWORD "
            "(5 attempts a minute per client address)",
            "requestBody": _body({"password": {"type": "string"}}, ["password"]),
            "responses": {
                "200": _json(_ref("Me"), "signed in; sets the kurier_admin cookie (12 hours)"),
                **_errors(400, 401, 403, 409, 415, 422, 429),
            },
        },
        "delete": {
            "summary": "End the moderator session",
            "responses": {"200": _json(_ref("Me"), "signed out"), **_errors(403)},
        },
    },
    "/comments/{comment_id}/hidden": {
        "put": {
            **_moderation("Hide a comment; readers see the reason instead", [COMMENT_ID],
                          MODERATED, 409),
            "requestBody": _body({"reason": REASON}, ["reason"]),
        },
        "delete": _moderation("Show a hidden comment again", [COMMENT_ID], MODERATED),
    },
    "/comments/{comment_id}/pinned": {
        "put": _moderation("Pin a top-level comment", [COMMENT_ID], MODERATED, 409),
        "delete": _moderation("Unpin a comment", [COMMENT_ID], MODERATED, 409),
    },
    "/comments/{comment_id}/approved": {
        "put": _moderation("Approve a comment waiting for pre-moderation", [COMMENT_ID],
                           MODERATED),
        "delete": _moderation(
            "Reject (remove) a comment waiting for pre-moderation",
            [COMMENT_ID],
            _json({"type": "object", "properties": {"id": {"type": "string"},
                                                    "rejected": {"const": True}}}, "removed"),
            409,
        ),
    },
    "/comments/{comment_id}/flags": {
        "post": {
            "summary": "Report a comment to the moderators (once per person)",
            "parameters": [COMMENT_ID],
            "requestBody": _body({"reason": REASON}, ["reason"]),
            "responses": {
                "201": _json(_ref("Flag"), "reported"),
                **_errors(400, 409, 429, *WRITE),
            },
        }
    },
    "/comments/{comment_id}/flags/dismissed": {
        "put": _moderation("Dismiss a comment's open reports (shows it again if they hid it)",
                           [COMMENT_ID], MODERATED),
    },
    "/threads/{slug}/lock": {
        method: _moderation(summary, [SLUG], _json(_ref("ThreadState"), "the thread's state"))
        for method, summary in (("put", "Lock a thread"), ("delete", "Unlock a thread"))
    },
    "/people/{user_id}/mute": {
        "put": {
            "summary": "Mute a person until a time (at most a year ahead)",
            "parameters": [USER_ID],
            "requestBody": _body(
                {"until": {"type": "string", "format": "date-time"}, "reason": REASON},
                ["until", "reason"],
            ),
            "responses": {
                "200": _json(_ref("Mute"), "muted"),
                **_errors(400, *MODERATOR, 422),
            },
        },
        "delete": _moderation(
            "Unmute a person",
            [USER_ID],
            _json({"type": "object", "properties": {"user": {"type": "string"},
                                                    "muted": {"const": False}}}, "unmuted"),
        ),
    },
    "/moderation/flags": _list(
        "Comments with open reports, the latest reported first",
        {"type": "object", "properties": {"comment": _ref("ModeratedComment"),
                                          "reports": {"type": "array", "items": _ref("Flag")}}},
    ),
    "/moderation/pending": _list("Comments waiting for pre-moderation", _ref("ModeratedComment")),
    "/moderation/log": _list(
        "The audit log",
        _ref("AuditEntry"),
        [
            {"name": name, "in": "query", "schema": {"type": "string"}}
            for name in ("thread", "actor", "action")
        ],
    ),
    "/moderation/mutes": {
        "get": {
            "summary": "The mutes that still apply, newest first",
            "responses": {
                "200": _json(
                    {"type": "object",
                     "properties": {"items": {"type": "array", "items": _ref("Mute")}}},
                    "mutes",
                ),
                **_errors(*MODERATOR),
            },
        }
    },
}  # fmt: skip


def _report(summary: str, schema: dict, parameters: list, *errors: int) -> dict:
    """A moderators' report: JSON, or CSV (UTF-8 with BOM) at the same path plus .csv."""
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": "the report",
                    "content": {
                        "application/json": {"schema": schema},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                **_errors(*MODERATOR, *errors),
            },
        }
    }


ENGAGEMENT_QUERY = [
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "articles published on or after this day"},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "articles published on or before this day"},
    {"name": "sort", "in": "query", "schema": {"type": "string"},
     "description": "a column name (default date)"},
    {"name": "order", "in": "query", "schema": {"enum": ["asc", "desc"]}},
]  # fmt: skip
ENGAGEMENT = {"type": "object", "properties": {
    "from": {"type": ["string", "null"]}, "to": {"type": ["string", "null"]},
    "sort": {"type": "string"}, "order": {"type": "string"},
    "columns": {"type": "array", "items": {"type": "string"}},
    "articles": {"type": "array", "items": {"type": "object"}},
}}  # fmt: skip
ACKNOWLEDGEMENTS = {"type": "object", "properties": {
    "slug": {"type": "string"}, "title": {"type": "string"},
    "modified": {"type": ["string", "null"]}, "count": {"type": "integer"},
    "outdated": {"type": "integer"}, "auth": {"type": "string"},
    "people": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "email": {"type": "string"},
        "acknowledged_at": {"type": "string"}, "outdated": {"type": "boolean"}}}},
}}  # fmt: skip
REPORT_PATHS = {
    f"/reports/engagement{suffix}": _report(
        "Engagement per article", ENGAGEMENT, ENGAGEMENT_QUERY, 422
    )
    for suffix in ("", ".csv")
} | {
    f"/reports/acknowledgements/{{slug}}{suffix}": _report(
        "Who confirmed reading a must-read article, and when", ACKNOWLEDGEMENTS, [SLUG], 404, 409
    )
    for suffix in ("", ".csv")
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
                **_errors(400, 403, 409, 415, 422, 429),
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
                **_errors(429, *WRITE),
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
            "A replayed comment is sent as the thread shows it now (never older text; "
            "a removal when it is gone). At most COMMENTS_MAX_STREAMS open streams per "
            "person, and COMMENTS_MAX_STREAMS_PER_ADDRESS for readers without a name, "
            "per worker process.",
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
                **_errors(400, 409, 429, *WRITE),
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
                **_errors(409, 429, *WRITE),
            },
        }
        for method, verb in (("put", "Add"), ("delete", "Remove"))
    },
    **MODERATION_PATHS,
    **REPORT_PATHS,
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
            "article_author": {
                "type": "boolean",
                "description": "written by one of the article's authors, by their login "
                "(header mode only; a display name proves nothing)",
            },
            "body_html": {"type": "string", "description": "sanitised HTML"},
            "body": {
                "type": "string",
                "description": "Markdown source, for its author only",
            },
            "created": {"type": "string", "format": "date-time"},
            "edited": {"type": ["string", "null"], "format": "date-time"},
            "deleted": {"type": "boolean"},
            "pinned": {"type": "boolean"},
            "approved": {
                "type": "boolean",
                "description": "false while it waits for pre-moderation (its author, moderators)",
            },
            "hidden": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {"reason": {"type": "string"}, "auto": {"type": "boolean"}},
                    },
                    {"type": "null"},
                ],
                "description": "hidden by a moderator (or by reports: auto): the reason "
                "stands in for the text; moderators also get by, by_name, at",
            },
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
                    "lock_reason": STRING_OR_NULL,
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

SCHEMAS.update(
    {
        "ModeratedComment": {
            "allOf": [_ref("Comment")],
            "properties": {
                "thread": {"type": "string"},
                "flags": {"type": "integer", "description": "open reports"},
            },
            "description": "a comment as moderators see it: body_html even when hidden",
        },
        "ThreadState": {
            "type": "object",
            "properties": {
                "slug": {"type": "string"},
                "locked": {"type": "boolean"},
                "lock_reason": STRING_OR_NULL,
                "comments_mode": {"type": "string"},
            },
        },
        "Flag": {
            "type": "object",
            "properties": {
                **{name: {"type": "string"} for name in ("id", "comment", "thread", "user")},
                "user_name": {"type": "string"},
                "reason": {"type": "string"},
                "at": {"type": "string", "format": "date-time"},
                "resolved": {"type": ["object", "null"]},
            },
        },
        "AuditEntry": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "at": {"type": "string", "format": "date-time"},
                "actor": {"type": "string"},
                "actor_name": {"type": "string"},
                "action": {"type": "string"},
                "thread": STRING_OR_NULL,
                "comment": STRING_OR_NULL,
                "person": STRING_OR_NULL,
                "reason": STRING_OR_NULL,
                "details": {"type": "object"},
            },
        },
        "Mute": {
            "type": "object",
            "properties": {
                "user": {"type": "string"},
                "user_name": {"type": "string"},
                "until": {"type": "string", "format": "date-time"},
                "reason": {"type": "string"},
                "by": {"type": "string"},
                "by_name": {"type": "string"},
                "at": {"type": "string", "format": "date-time"},
            },
        },
    }
)

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
