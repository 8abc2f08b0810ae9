"""Who is asking: the SSO proxy's headers (header mode) or a signed cookie (open mode).

Header mode believes `X-Forwarded-User` and friends only from the peers in
COMMENTS_TRUSTED_PROXIES; from anyone else the headers are ignored. The peer
is the TCP peer (or, with the word `unix` there, a connection over the
service's unix socket): the server runs uvicorn without proxy-header
rewriting, so a client cannot pose as the proxy by sending X-Forwarded-For.
With COMMENTS_PROXY_SECRET set, a trusted peer's request must also carry
`X-Kurier-Proxy-Secret` with that value, which only the front sets: a
request that reached the socket or port some other way gets no identity.

Identity headers are UTF-8 (what oauth2-proxy and mod_auth_openidc send);
one that is not, or that holds a control character, is refused (400
`invalid_identity`) rather than read as something else.

Open mode (the embedded default) lets a visitor pick a display name, kept
with a random id and the time it was made in a signed, HttpOnly,
SameSite=Lax cookie. Its moderators sign in with COMMENTS_ADMIN_PASSWORD
(`admin_sign_in`, used by the admin pages and POST /api/v1/admin/session):
a second signed cookie, `kurier_admin`, HttpOnly, SameSite=Strict, carries
the id of a session kept in the database for 12 hours; signing out ends
that session in every worker at once.

Cookies are `Secure` when readers use https: COMMENTS_PUBLIC_URL says so
(the service behind a TLS-terminating proxy only ever sees http).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import secrets
import unicodedata
from dataclasses import replace
from functools import lru_cache
from typing import Any

import orjson
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from starlette.requests import HTTPConnection

from . import times
from .config import Settings
from .errors import ApiError, invalid, rate_limited
from .peers import peer_name
from .store import Store
from .user import User
from .validation import visible_text

COOKIE = "kurier_user"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers accept
ADMIN_COOKIE = "kurier_admin"
ADMIN_MAX_AGE = 12 * 3600
NAME_MAX = 60
LOGIN_MAX = 200
IDENTITY_HEADERS = (
    "x-forwarded-user",
    "x-forwarded-email",
    "x-forwarded-preferred-username",
    "x-forwarded-groups",
)
PROXY_SECRET_HEADER = "x-kurier-proxy-secret"


class Identity:
    """Finds the user of a request according to the configured mode."""

    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store  # admin sessions and sign-in failures, shared by every worker
        self.proxy_secret = settings.proxy_secret.encode("ascii")
        self.serializer = URLSafeSerializer(settings.signing_keys, salt="kurier-user")
        # The password is part of the salt: changing it ends every admin session.
        digest = hashlib.sha256(settings.admin_password.encode("utf-8", "surrogatepass"))
        self.admin_serializer = URLSafeTimedSerializer(
            settings.signing_keys, salt="kurier-admin:" + digest.hexdigest()
        )

    def user(self, request: HTTPConnection) -> User | None:
        """The signed-in user, or None. Cached on the request."""
        if "kurier_user" not in request.scope:
            if self.settings.auth == "header":
                user = self._from_headers(request)
            else:
                user = self.cookie_user(request)
                if self.is_admin(request):
                    user = replace(user, moderator=True) if user else ADMIN_USER
            request.scope["kurier_user"] = user
        cached: User | None = request.scope["kurier_user"]
        return cached

    def trusted_peer(self, request: HTTPConnection) -> bool:
        """Whether the request came through a trusted proxy: its peer is one, and it
        carries COMMENTS_PROXY_SECRET when that is set."""
        if not self.settings.trusted_proxies.admit(request.scope):
            return False
        return not self.proxy_secret or self._carries_secret(request)

    def _carries_secret(self, request: HTTPConnection) -> bool:
        sent = request.headers.getlist(PROXY_SECRET_HEADER)
        # Compared in constant time, as bytes: Starlette decodes header bytes as Latin-1.
        return len(sent) == 1 and hmac.compare_digest(sent[0].encode("latin-1"), self.proxy_secret)

    def address(self, request: HTTPConnection) -> str:
        """The client's address, for limits that have no person to count by.

        The TCP peer, unless it is a trusted proxy: then the nearest address
        in X-Forwarded-For that is not one of ours (what a client put further
        left is its own claim, and not believed).
        """
        peer = peer_name(request.scope)
        if not self.trusted_peer(request):
            return peer
        hops = [
            hop.strip() for hop in ",".join(request.headers.getlist("x-forwarded-for")).split(",")
        ]
        for hop in reversed(hops):
            if not hop:
                continue
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                return peer  # a garbled chain: count it as the proxy's own
            if not self.settings.trusted_proxies.holds(hop):
                return hop
        return peer

    # --- header mode --------------------------------------------------------

    def _from_headers(self, request: HTTPConnection) -> User | None:
        if not self.trusted_peer(request):
            return None
        values = {name: _identity_header(request, name) for name in IDENTITY_HEADERS}
        login = values["x-forwarded-user"]
        if not login:
            return None
        if len(login) > LOGIN_MAX:
            raise ApiError(400, "invalid_identity", "The x-forwarded-user header is too long.")
        groups = {g.strip() for g in values["x-forwarded-groups"].split(",") if g.strip()}
        group = self.settings.moderator_group
        return User(
            id=login,
            name=clean_name(values["x-forwarded-preferred-username"]) or login,
            moderator=login in self.settings.moderators or bool(group and group in groups),
            email=values["x-forwarded-email"],
        )

    # --- open mode ----------------------------------------------------------

    def cookie_user(self, request: HTTPConnection) -> User | None:
        """Open mode: the person the request's signed cookie names, if any."""
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
            since = data.get("since", 0)
            since = since if type(since) is int else 0
            return User(id=str(data["id"]), name=str(data["name"]), since=since)
        except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
            return None

    def sign_in(self, request: HTTPConnection, name: str) -> tuple[User, dict[str, Any]]:
        """Open mode: the person with their chosen name, and the cookie to set.

        The person keeps their id (and its age) when they change their name;
        without a valid cookie a new identity is made (the caller limits how
        many per address: api.post_me).
        """
        current = self.cookie_user(request)
        if current is not None:
            user = User(id=current.id, name=name, since=current.since)
        else:
            user = User(id="u" + secrets.token_hex(8), name=name, since=times.unix())
        data = {"id": user.id, "name": user.name, "since": user.since}
        cookie = {
            "key": COOKIE,
            "value": self.serializer.dumps(data),
            "max_age": COOKIE_MAX_AGE,
            "httponly": True,
            "samesite": "lax",
            "secure": secure_cookies(request),
            "path": "/",
        }
        if self.is_admin(request):
            user = replace(user, moderator=True)
        request.scope["kurier_user"] = user
        return user, cookie

    # --- open mode: moderators ------------------------------------------------

    def _admin_token(self, request: HTTPConnection) -> str | None:
        """The session id in a valid, unexpired `kurier_admin` cookie (open mode only)."""
        token = request.cookies.get(ADMIN_COOKIE)
        if not token or not self.settings.admin_password or self.settings.auth != "open":
            return None
        try:
            session = self.admin_serializer.loads(token, max_age=ADMIN_MAX_AGE)
        except BadSignature:  # includes an expired signature
            return None
        return session if isinstance(session, str) and session else None

    def is_admin(self, request: HTTPConnection) -> bool:
        """Open mode: the request carries the cookie of a session that was not ended."""
        session = self._admin_token(request)
        return session is not None and self.store.sessions.active(session)

    async def admin_sign_in(
        self, request: HTTPConnection, password: object
    ) -> tuple[User, dict[str, Any]]:
        """Open mode: a moderator signs in with COMMENTS_ADMIN_PASSWORD.

        Returns the moderator and the cookie to set (`response.set_cookie(**cookie)`).
        Raises 409 `managed_identity` in header mode, 403 `admin_disabled`
        without a password configured, 401 `wrong_password` after a short
        delay, and 429 `rate_limited` once an address has had too many wrong
        passwords lately (store/limits.py ADMIN_FAILURES; the right password
        from an address without them always works, so a few wrong tries
        behind the office's proxy lock nobody out). The store keeps the
        failures and the sessions for all worker processes.
        """
        if self.settings.auth != "open":
            raise ApiError(
                409, "managed_identity", "Moderators come from the company sign-in here."
            )
        if not self.settings.admin_password:
            raise ApiError(403, "admin_disabled", "Moderator sign-in is not configured.")
        if not isinstance(password, str) or len(password) > 1024:
            raise invalid("password", "password is a text.")
        store, address = self.store, self.address(request)
        wait = store.limits.admin_sign_in_wait(address)
        if wait:
            raise rate_limited(wait, f"Too many wrong passwords; try again in {wait} s.")
        right = hmac.compare_digest(
            password.encode("utf-8", "surrogatepass"),
            self.settings.admin_password.encode("utf-8", "surrogatepass"),
        )
        if not right:
            store.limits.admin_sign_in_failed(address)
            # Slows guessing down without locking anyone out.
            await asyncio.sleep(self.settings.sign_in_failure_delay)
            raise ApiError(401, "wrong_password", "That is not the moderator password.", "password")
        current = self.cookie_user(request)
        user = replace(current, moderator=True) if current else ADMIN_USER
        session = store.sessions.start(user, address, ADMIN_MAX_AGE)
        cookie = {
            "key": ADMIN_COOKIE,
            "value": self.admin_serializer.dumps(session),
            "max_age": ADMIN_MAX_AGE,
            "httponly": True,
            "samesite": "strict",
            "secure": secure_cookies(request),
            "path": "/",
        }
        request.scope["kurier_user"] = user
        return user, cookie

    def admin_sign_out(self, request: HTTPConnection) -> dict[str, Any]:
        """End the request's admin session; the cookie to delete (`response.delete_cookie(**…)`)."""
        session = self._admin_token(request)
        if session is not None:
            self.store.sessions.end(session)
        if self.settings.auth == "open":  # this request's user is no longer a moderator
            request.scope["kurier_user"] = self.cookie_user(request)
        return {
            "key": ADMIN_COOKIE,
            "path": "/",
            "httponly": True,
            "samesite": "strict",
            "secure": secure_cookies(request),
        }


ADMIN_USER = User(id="admin", name="Moderator", moderator=True)


def secure_cookies(request: HTTPConnection) -> bool:
    """Whether cookies must be `Secure`: readers use https (COMMENTS_PUBLIC_URL) or this request."""
    public_url = request.app.state.settings.public_url
    return public_url.startswith("https://") or request.url.scheme == "https"


def _identity_header(request: HTTPConnection, name: str) -> str:
    """One identity header as text: UTF-8, sent at most once, no control characters."""
    found = request.headers.getlist(name)
    if len(found) > 1:
        raise ApiError(400, "ambiguous_identity", f"The {name} header was sent more than once.")
    if not found:
        return ""
    try:
        # Starlette hands header bytes over as Latin-1; proxies send UTF-8.
        value = found[0].encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise ApiError(400, "invalid_identity", f"The {name} header is not UTF-8 text.") from None
    value = value.strip()
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ApiError(400, "invalid_identity", f"The {name} header holds a control character.")
    return unicodedata.normalize("NFC", value)


def clean_name(value: object) -> str:
    """A display name without control characters and surrounding spaces ("" if unusable)."""
    return visible_text(value)


def parse_name(value: object) -> str:
    """The display name a person chose in open mode, or a 422."""
    name = clean_name(value)
    if not name:
        raise invalid("name", "Choose a display name of visible characters.")
    if len(name) > NAME_MAX:
        raise invalid("name", f"A display name has at most {NAME_MAX} characters.")
    return name


def me_body(user: User | None, settings: Settings) -> bytes:
    """GET /me: who is asking, how people sign in here, and where they sign out."""
    return orjson.dumps({
        "user": user.public() if user else None,
        "auth": settings.auth,
        "sign_out": settings.sign_out_url or None,
    })  # fmt: skip
