"""Reactions to articles and likes of comments: set and taken back, idempotent."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from ..errors import invalid
from ..schemas.answers import Reactions
from .endpoint import SIGNED_IN, WRITER, Endpoint
from .http import article, json_response, signed_in, store, write


async def set_reaction(request: Request, on: bool) -> Response:
    """PUT (on) or DELETE a reaction to the article."""
    found = article(request)
    user = signed_in(request)
    reactions, kind = store(request).reactions, request.path_params["kind"]
    return json_response(
        await write(request, lambda: reactions.set_reaction(found, user, kind, on))
    )


async def set_like(request: Request, on: bool) -> Response:
    """PUT (on) or DELETE a like of a comment."""
    user = signed_in(request)
    if request.path_params["kind"] != "like":
        raise invalid("kind", "Comments take one reaction: like.")
    result = store(request).reactions.set_like(request.path_params["comment_id"], user, on)
    return json_response(result)


ON_OFF = (("PUT", True, "Add"), ("DELETE", False, "Take back"))

ENDPOINTS = [
    *(Endpoint(method, "/threads/{slug}/reactions/{kind}", partial(set_reaction, on=on),
               f"{verb} your reaction to the article (a kind of COMMENTS_REACTIONS)", SIGNED_IN,
               Reactions, errors=(*WRITER, 422))
      for method, on, verb in ON_OFF),
    *(Endpoint(method, "/comments/{comment_id}/reactions/{kind}", partial(set_like, on=on),
               f"{verb} your like of a comment (kind: like)", "signed in, not its author",
               Reactions, errors=(*WRITER, 409, 422))
      for method, on, verb in ON_OFF),
]  # fmt: skip
