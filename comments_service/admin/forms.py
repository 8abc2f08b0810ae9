"""The admin pages' form posts: reading them, refusing forged ones, and flash messages.

The API's guard (security.py) accepts only JSON for state changes; these are
plain HTML form posts, so they carry their own defence against cross-site
request forgery, two checks that must both pass:

- the browser's Origin (or Referer) is an allowed origin, as for the API;
- a token in the form equal to an HMAC, under the service's secret key, of
  a random value in this browser's `kurier_admin_csrf` cookie (HttpOnly,
  SameSite=Strict) and the signed-in person's id: a page of another site
  can neither read the token nor make the browser send the cookie, and a
  token stops working when the person signs in or out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import parse_qsl

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from ..identity import secure_cookies
from ..security import MAX_BODY, origin_allowed, request_origin
from ..state import app_state
from ..user import User

CSRF_COOKIE = "kurier_admin_csrf"
CSRF_FIELD = "csrf"
FLASH_COOKIE = "kurier_admin_flash"
ADMIN_PATH = "/admin/"


class FormError(Exception):
    """A post that cannot be read (wrong type, too large, malformed)."""


def browser_key(request: Request) -> str | None:
    """This browser's random CSRF value, if it has one."""
    value = request.cookies.get(CSRF_COOKIE, "")
    return value if 20 <= len(value) <= 100 else None


def ensure_browser_key(request: Request) -> str:
    """The browser's CSRF value, made for this response if it has none yet."""
    key = browser_key(request) or request.scope.get("kurier_new_csrf")
    if not key:
        key = request.scope["kurier_new_csrf"] = secrets.token_urlsafe(32)
    return key


def set_browser_key(request: Request, response: Response) -> None:
    """Send the CSRF cookie made while rendering, if one was."""
    key = request.scope.get("kurier_new_csrf")
    if key:
        response.set_cookie(
            CSRF_COOKIE,
            key,
            httponly=True,
            samesite="strict",
            secure=secure_cookies(request),
            path="/admin",
        )


def csrf_token(request: Request, user: User | None) -> str:
    """The token the forms of this page carry."""
    secret = app_state(request).settings.secret_key.encode()
    message = f"{ensure_browser_key(request)}\x00{user.id if user else ''}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def genuine(request: Request, form: dict[str, str], user: User | None) -> bool:
    """Whether a form post came from our own page in this browser (see the module docstring)."""
    allowed = app_state(request).settings.own_origins
    if not origin_allowed(request_origin(request.headers), request.headers, allowed):
        return False
    if browser_key(request) is None:
        return False
    return hmac.compare_digest(form.get(CSRF_FIELD, ""), csrf_token(request, user))


async def read_form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body of at most MAX_BODY bytes, as a dict."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise FormError("not a form")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise FormError("too large")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise FormError("malformed") from None
    return dict(pairs)


def back_to(form: dict[str, str], default: str = ADMIN_PATH) -> str:
    """Where to go after an action: a page of the admin pages, never elsewhere."""
    target = form.get("back", "")
    if target.startswith(ADMIN_PATH) and "\\" not in target and "//" not in target:
        return target
    return default


# --- flash messages: one message carried across the redirect after an action -------------


def _flash_serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(app_state(request).settings.signing_keys, salt="kurier-admin-flash")


def set_flash(
    request: Request, response: Response, kind: str, key: str, text: str = "", **values: object
) -> None:
    """Remember a message (signed, so no one else can plant one) for the next page."""
    value = _flash_serializer(request).dumps({"kind": kind, "key": key, "text": text, **values})
    response.set_cookie(
        FLASH_COOKIE,
        value,
        max_age=120,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/admin",
    )


def take_flash(request: Request) -> dict[str, Any] | None:
    """The message left by the previous action, if any (the page then clears it)."""
    token = request.cookies.get(FLASH_COOKIE)
    if not token:
        return None
    try:
        data = _flash_serializer(request).loads(token)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None
