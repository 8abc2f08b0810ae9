"""Open mode's moderator sessions: started by the admin password, ended by signing out.

The `kurier_admin` cookie carries only a secret naming the session; the
session itself is kept here, so signing out ends it in every worker at
once. Only a hash of the secret is stored: a copy of the database does not
let anyone into the admin pages.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from .. import times
from ..user import User
from .audit import Audit
from .context import Context
from .tables import Q


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class AdminSessions:
    """Start, check and end admin sessions."""

    def __init__(self, ctx: Context, audit: Audit):
        self.ctx = ctx
        self.table = ctx.tables.sessions
        self.audit = audit

    def start(self, user: User, address: str, lifetime: int) -> str:
        """Start a session (audited as a sign-in); the secret that names it, for the cookie."""
        secret = secrets.token_urlsafe(32)
        now = time.time()
        with self.ctx.db.transaction():
            self.table.remove(Q.expires < now)
            session = {"sid": _hash(secret), "user": user.id, "address": address,
                       "at": times.iso(times.now()), "expires": now + lifetime}  # fmt: skip
            self.table.insert(session)
            self.audit.record(user, "sign_in", details={"address": address})
        return secret

    def active(self, secret: str) -> bool:
        """Whether the session named by `secret` was started and has not ended."""
        session = self.table.get(Q.sid == _hash(secret))
        return session is not None and session["expires"] > time.time()

    def end(self, secret: str) -> None:
        """End a session: its cookie stops working in every worker at once."""
        with self.ctx.db.transaction():
            self.table.remove(Q.sid == _hash(secret))
