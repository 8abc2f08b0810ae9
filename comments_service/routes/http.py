"""What every handler uses: JSON answers, request bodies, who is asking, the article, writes.

Handlers are `async` and call SQLite inline: its short queries are faster on
the event loop than through a thread pool.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

import msgspec
import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..articles import Article
from ..errors import ApiError, invalid, not_found, not_signed_in
from ..schemas import Body
from ..schemas.requests import GivenReason, OptionalReason
from ..state import app_state
from ..store import Store
from ..user import User, require_moderator
from ..validation import parse_reason

T = TypeVar("T")
B = TypeVar("B", bound=Body)
NO_STORE = {"cache-control": "private, no-store"}
# msgspec's words for JSON types, as a sentence says them.
_TYPE_WORDS = {
    "str": "a text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "null": "null",
    "array": "a list",
    "object": "an object",
}
_WRONG_TYPE = re.compile(r"Expected `(.+)`, got `(\w+)` - at `\$\.(\w+)")


def json_response(content: object, status: int = 200) -> Response:
    """JSON that no cache keeps; `content` may be bytes serialised already."""
    body = content if isinstance(content, bytes) else orjson.dumps(content)
    return Response(body, status_code=status, media_type="application/json", headers=NO_STORE)


def no_content() -> Response:
    return Response(status_code=204, headers=NO_STORE)


def store(request: Request) -> Store:
    return app_state(request).store


def current_user(request: Request) -> User | None:
    """Who is asking, or None."""
    return app_state(request).identity.user(request)


def signed_in(request: Request) -> User:
    """Who is asking, or 401."""
    user = current_user(request)
    if user is None:
        raise not_signed_in()
    return user


def moderator(request: Request) -> User:
    """The moderator asking: 401 for nobody, 403 `forbidden` for a reader."""
    return require_moderator(current_user(request))


def article(request: Request, slug: str | None = None) -> Article:
    """The article a thread belongs to; hidden threads do not exist."""
    slug = slug if slug is not None else request.path_params["slug"]
    found = app_state(request).articles.get(slug)
    if found is None or found.hidden:
        raise not_found("thread")
    return found


async def write(request: Request, operation: Callable[[], T]) -> T:
    """Run a store operation in the next group commit (store/commits.py)."""
    return await app_state(request).commits.run(operation)


# --- request bodies --------------------------------------------------------------------


async def read_body(request: Request, shape: type[B]) -> B:
    """The body as `shape`: 400 if it is not a JSON object, 422 naming the field at fault."""
    raw = await request.body()
    try:
        # The standard parser, not orjson: it keeps an unpaired surrogate
        # ("\ud800") as text, so validation can refuse it with a 422 that
        # names the field instead of a vague 400.
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: thousands of nested [ or {
        raise ApiError(400, "malformed_json", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed_json", "The body must be a JSON object.")
    try:
        return msgspec.convert(data, shape)
    # UnicodeEncodeError: a name with an unpaired surrogate, which no field has.
    except (msgspec.ValidationError, UnicodeEncodeError) as error:
        raise refusal(data, shape, error) from None


async def read_optional_body(request: Request, shape: type[B]) -> B:
    """As read_body, but no body at all is `shape` with its defaults."""
    if not (await request.body()).strip():
        return shape()
    return await read_body(request, shape)


@overload
async def read_reason(request: Request, required: Literal[True]) -> str: ...
@overload
async def read_reason(request: Request, required: bool = ...) -> str | None: ...


async def read_reason(request: Request, required: bool = False) -> str | None:
    """The reason of {"reason"}: a body that must hold one, or one that may be left out."""
    if required:
        return parse_reason((await read_body(request, GivenReason)).reason, required=True)
    return parse_reason((await read_optional_body(request, OptionalReason)).reason, required=False)


def refusal(data: dict[str, Any], shape: type[Body], error: Exception) -> ApiError:
    """msgspec's complaint as the API's 422: an unknown field first, then a missing one,
    then a value of the wrong type (its values are checked where they are used)."""
    fields = msgspec.structs.fields(shape)
    names = {info.encode_name for info in fields}
    for name in data:
        if name not in names:
            return invalid(name, f"Unknown field '{name}'.", code="unknown_field")
    for info in fields:
        if info.required and info.encode_name not in data:
            name = info.encode_name
            return invalid(name, f"The field '{name}' is required.", code="missing_field")
    found = _WRONG_TYPE.match(str(error))
    if found is None:  # no complaint these bodies can raise: say it as it is
        return ApiError(422, "invalid_field", f"{error}.")
    expected, got, name = found.groups()
    wanted = " or ".join(_TYPE_WORDS.get(word, word) for word in expected.split(" | "))
    return invalid(name, f"'{name}' is {wanted}, not {_TYPE_WORDS.get(got, got)}.")
