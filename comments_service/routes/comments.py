"""Comments: written, edited and deleted by their authors (and deleted by moderators)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..schemas.answers import Comment
from ..schemas.requests import CommentEdit, NewComment, OptionalReason
from ..state import app_state
from ..store import parse_parent, prepare_text
from .endpoint import IDENTITY, SIGNED_IN, WRITER, Endpoint
from .http import (
    article,
    json_response,
    no_content,
    read_body,
    read_reason,
    signed_in,
    store,
    write,
)


async def post_comment(request: Request) -> Response:
    found = article(request)
    user = signed_in(request)
    data = await read_body(request, NewComment)
    text, parent = prepare_text(data.body), parse_parent(data.parent)
    comments = store(request).comments
    comment = await write(request, lambda: comments.add(found, user, text, parent))
    app_state(request).metrics.comments_posted.inc()
    return json_response(comment, status=201)


async def patch_comment(request: Request) -> Response:
    user = signed_in(request)
    data = await read_body(request, CommentEdit)
    text, comments = prepare_text(data.body), store(request).comments
    comment_id = request.path_params["comment_id"]
    return json_response(await write(request, lambda: comments.edit(comment_id, user, text)))


async def delete_comment(request: Request) -> Response:
    """Its author or a moderator deletes a comment; a moderator may say why: {"reason"}."""
    user = signed_in(request)
    reason = await read_reason(request)
    comments, comment_id = store(request).comments, request.path_params["comment_id"]
    await write(request, lambda: comments.delete(comment_id, user, reason))
    return no_content()


ENDPOINTS = [
    Endpoint("POST", "/threads/{slug}/comments", post_comment, "Write a comment or a reply",
             SIGNED_IN, Comment, status=201, body=NewComment, errors=(*WRITER, 409)),
    Endpoint("PATCH", "/comments/{comment_id}", patch_comment, "Edit your comment; `edited` "
             "is set", "its author", Comment, body=CommentEdit, errors=(*WRITER, 409)),
    Endpoint("DELETE", "/comments/{comment_id}", delete_comment, "Delete a comment; deleting "
             "again changes nothing", "its author, a moderator", status=204,
             body=OptionalReason, errors=(IDENTITY, 401, 404)),
]  # fmt: skip
