"""Who is asking: the SSO proxy's headers (header mode) or a signed cookie (open mode).

Header mode believes `X-Forwarded-User` and friends only from the peers in
COMMENTS_TRUSTED_PROXIES; from anyone else the headers are ignored. The peer
is the TCP peer: the server runs uvicorn without proxy-header rewriting, so a
client cannot pose as the proxy by sending X-Forwarded-For.

Open mode (the embedded default) lets a visitor pick a display name, kept
with a random id in a signed, HttpOnly, SameSite=Lax cookie. Its moderators
sign in with COMMENTS_ADMIN_PASSWORD (`admin_sign_in`, used by the admin pages
and POST /api/v1/admin/session): a second signed cookie, `kurier_admin`,
HttpOnly, SameSite=Strict, valid 12 hours, makes its holder a moderator.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

import orjson
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from starlette.requests import HTTPConnection

from .config import Settings
from .errors import ApiError, invalid

COOKIE = "kurier_user"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers accept
ADMIN_COOKIE = "kurier_admin"
ADMIN_MAX_AGE = 12 * 3600
NAME_MAX = 60
IDENTITY_HEADERS = (
    "x-forwarded-user",
    "x-forwarded-email",
    "x-forwarded-preferred-username",
    "x-forwarded-groups",
)


@dataclass(frozen=True)
class User:
    """A person: a stable id, the name others see, and whether they moderate."""

    id: str
    name: str
    moderator: bool = False
    email: str = ""

    def public(self) -> dict:
        return {"id": self.id, "name": self.name, "moderator": self.moderator}


class Identity:
    """Finds the user of a request according to the configured mode."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.serializer = URLSafeSerializer(settings.secret_key, salt="kurier-user")
        # The password is part of the salt: changing it ends every admin session.
        digest = hashlib.sha256(settings.admin_password.encode("utf-8", "surrogatepass"))
        self.admin_serializer = URLSafeTimedSerializer(
            settings.secret_key, salt="kurier-admin:" + digest.hexdigest()
        )

    def user(self, request: HTTPConnection) -> User | None:
        """The signed-in user, or None. Cached on the request."""
        if "kurier_user" not in request.scope:
            if self.settings.auth == "header":
                user = self._from_headers(request)
            else:
                user = self._from_cookie(request)
                if self.is_admin(request):
                    user = replace(user, moderator=True) if user else ADMIN_USER
            request.scope["kurier_user"] = user
        return request.scope["kurier_user"]

    def trusted_peer(self, request: HTTPConnection) -> bool:
        """Whether the TCP peer is one of the trusted proxies."""
        if request.client is None:
            return False
        try:
            address = ipaddress.ip_address(request.client.host)
        except ValueError:
            return False
        return any(address in network for network in self.settings.trusted_proxies)

    # --- header mode --------------------------------------------------------

    def _from_headers(self, request: HTTPConnection) -> User | None:
        if not self.trusted_peer(request):
            return None
        values = {}
        for name in IDENTITY_HEADERS:
            found = request.headers.getlist(name)
            if len(found) > 1:
                raise ApiError(
                    400,
                    "ambiguous_identity",
                    f"The {name} header was sent more than once.",
                )
            values[name] = found[0].strip() if found else ""
        login = values["x-forwarded-user"]
        if not login:
            return None
        groups = {g.strip() for g in values["x-forwarded-groups"].split(",") if g.strip()}
        group = self.settings.moderator_group
        return User(
            id=login,
            name=clean_name(values["x-forwarded-preferred-username"]) or login,
            moderator=login in self.settings.moderators or bool(group and group in groups),
            email=values["x-forwarded-email"],
        )

    # --- open mode ----------------------------------------------------------

    def _from_cookie(self, request: HTTPConnection) -> User | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        return self._verified(token)

    @lru_cache(maxsize=10_000)  # noqa: B019 - one Identity per app, kept for its life
    def _verified(self, token: str) -> User | None:
        """The person a cookie names, if its signature is ours.

        A token always verifies the same way, so the answer is kept: checking
        the signature was a tenth of the cost of reading a thread.
        """
        try:
            data = self.serializer.loads(token)
            return User(id=str(data["id"]), name=str(data["name"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    def sign_in(self, request: HTTPConnection, name: str) -> tuple[User, dict]:
        """Open mode: the person with their chosen name, and the cookie to set.

        The person keeps their id when they change their name.
        """
        current = self._from_cookie(request)
        user = User(id=current.id if current else "u" + secrets.token_hex(8), name=name)
        cookie = {
            "key": COOKIE,
            "value": self.serializer.dumps({"id": user.id, "name": user.name}),
            "max_age": COOKIE_MAX_AGE,
            "httponly": True,
            "samesite": "lax",
            "secure": request.url.scheme == "https",
            "path": "/",
        }
        if self.is_admin(request):
            user = replace(user, moderator=True)
        request.scope["kurier_user"] = user
        return user, cookie

    # --- open mode: moderators ------------------------------------------------

    def is_admin(self, request: HTTPConnection) -> bool:
        """Open mode: the request carries a valid, unexpired admin cookie."""
        token = request.cookies.get(ADMIN_COOKIE)
        if not token or not self.settings.admin_password or self.settings.auth != "open":
            return False
        try:
            return self.admin_serializer.loads(token, max_age=ADMIN_MAX_AGE) == "admin"
        except BadSignature:  # includes an expired signature
            return False

    def admin_sign_in(self, request: HTTPConnection, password: object) -> tuple[User, dict]:
        """Open mode: a moderator signs in with COMMENTS_ADMIN_PASSWORD.

        Returns the moderator and the cookie to set (`response.set_cookie(**cookie)`).
        Raises 409 `managed_identity` in header mode, 403 `admin_disabled`
        without a password configured, 429 `rate_limited` after 5 attempts a
        minute from one address (nobody is signed in yet, so the address is
        all there is to count by; every attempt counts, right or wrong), and
        401 `wrong_password`. Needs `request.app.state.store` for the limit,
        which is kept in the database so that all worker processes share it.
        """
        if self.settings.auth != "open":
            raise ApiError(
                409, "managed_identity", "Moderators come from the company sign-in here."
            )
        if not self.settings.admin_password:
            raise ApiError(403, "admin_disabled", "Moderator sign-in is not configured.")
        if not isinstance(password, str) or len(password) > 1024:
            raise invalid("password", "password is a text.")
        right = hmac.compare_digest(
            password.encode("utf-8", "surrogatepass"),
            self.settings.admin_password.encode("utf-8", "surrogatepass"),
        )
        current = self._from_cookie(request)
        user = replace(current, moderator=True) if current else ADMIN_USER
        address = request.client.host if request.client else "unknown"
        wait = request.app.state.store.admin_sign_in_attempt(address, right, user)
        if wait:
            raise ApiError(
                429,
                "rate_limited",
                f"Too many sign-in attempts; try again in {wait} s.",
                headers={"Retry-After": str(wait)},
            )
        if not right:
            raise ApiError(401, "wrong_password", "That is not the moderator password.", "password")
        cookie = {
            "key": ADMIN_COOKIE,
            "value": self.admin_serializer.dumps("admin"),
            "max_age": ADMIN_MAX_AGE,
            "httponly": True,
            "samesite": "strict",
            "secure": request.url.scheme == "https",
            "path": "/",
        }
        request.scope["kurier_user"] = user
        return user, cookie

    def admin_sign_out(self, request: HTTPConnection) -> dict:
        """The cookie to delete (`response.delete_cookie(**cookie)`) to end an admin session."""
        if self.settings.auth == "open":  # this request's user is no longer a moderator
            request.scope["kurier_user"] = self._from_cookie(request)
        return {
            "key": ADMIN_COOKIE,
            "path": "/",
            "httponly": True,
            "samesite": "strict",
            "secure": request.url.scheme == "https",
        }


ADMIN_USER = User(id="admin", name="Moderator", moderator=True)


def clean_name(value: object) -> str:
    """A display name without control characters and surrounding spaces."""
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFC", " ".join(value.split()))
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") for char in text):
        return ""
    return text


def parse_name(value: object) -> str:
    """The display name a person chose in open mode, or a 422."""
    name = clean_name(value)
    if not name:
        raise invalid("name", "Choose a display name of visible characters.")
    if len(name) > NAME_MAX:
        raise invalid("name", f"A display name has at most {NAME_MAX} characters.")
    return name


def me_body(user: User | None, auth: str) -> bytes:
    return orjson.dumps({"user": user.public() if user else None, "auth": auth})
