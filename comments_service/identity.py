"""Who is asking: the SSO proxy's headers (header mode) or a signed cookie (open mode).

Header mode believes `X-Forwarded-User` and friends only from the peers in
COMMENTS_TRUSTED_PROXIES; from anyone else the headers are ignored. The peer
is the TCP peer: the server runs uvicorn without proxy-header rewriting, so a
client cannot pose as the proxy by sending X-Forwarded-For.

Open mode (the embedded default) lets a visitor pick a display name, kept
with a random id in a signed, HttpOnly, SameSite=Lax cookie.
"""

from __future__ import annotations

import ipaddress
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import orjson
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import HTTPConnection

from .config import Settings
from .errors import ApiError, invalid

COOKIE = "kurier_user"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers accept
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

    def user(self, request: HTTPConnection) -> User | None:
        """The signed-in user, or None. Cached on the request."""
        if "kurier_user" not in request.scope:
            if self.settings.auth == "header":
                user = self._from_headers(request)
            else:
                user = self._from_cookie(request)
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
        request.scope["kurier_user"] = user
        return user, cookie


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
