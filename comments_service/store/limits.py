"""Rate limits: every write a person can repeat, new open-mode names, wrong admin passwords.

One algorithm (GCRA: a burst of `count`, then one per `period / count`) with
its state in the `limits` table, so every worker process counts alike.
Limits are keyed on the person, never the address — a whole office shares
one — except where there is no person yet to count by.
"""

from __future__ import annotations

import time

from ..config import RateLimit
from ..errors import rate_limited
from ..user import User
from .context import Context
from .tables import Q, Search

# Each limited action of a person: its Settings field and the refusal's message.
ACTIONS = {
    "comment": ("rate_limit", "You are commenting too fast; try again in {wait} s."),
    "edit": ("edit_rate_limit", "You are editing too fast; try again in {wait} s."),
    "reaction": ("reaction_rate_limit", "You are reacting too fast; try again in {wait} s."),
    "report": ("report_rate_limit", "You have sent many reports; try again in {wait} s."),
}
# Wrong admin passwords per address: ten at once, then one a minute.
ADMIN_FAILURES = RateLimit(10, 600)


class Limits:
    """Counts events against limits; refuses with 429 and the seconds to wait."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.table = ctx.tables.limits

    def take(self, action: str, user: User) -> None:
        """Count one `action` (comment, edit, reaction, report) of the person, or refuse.

        Every write a person can repeat has a limit, since each one reaches
        every open stream of the thread. Call inside the write's transaction.
        """
        field, message = ACTIONS[action]
        wait = self.wait(f"{action}:{user.id}", getattr(self.ctx.settings, field))
        if wait:
            raise rate_limited(wait, message.format(wait=wait))

    def search_of(self, action: str, user: User) -> Search:
        """The search ``take(action, user)`` makes, for ``Database.prefetch``."""
        return self.table, Q.key == f"{action}:{user.id}"

    def take_identity(self, address: str) -> None:
        """Open mode: count one new identity made from `address`, or refuse (429).

        Identities cost nothing to make, and every per-person limit counts
        per identity: this is what keeps a script from minting its way past
        them. An office shares one address, so the limit is generous.
        """
        with self.ctx.db.transaction():
            wait = self.wait(f"identity:{address}", self.ctx.settings.identity_rate_limit)
        if wait:
            raise rate_limited(wait, f"Too many new names from here; try again in {wait} s.")

    def admin_sign_in_wait(self, address: str) -> int:
        """Seconds `address` must wait before trying the admin password again (0: go ahead).

        Only wrong passwords count (ADMIN_FAILURES): nobody is signed in yet,
        so the address is all there is to count by, and a right password
        from an address without many recent failures always gets in.
        """
        return self.wait(f"admin-failures:{address}", ADMIN_FAILURES, take=False)

    def admin_sign_in_failed(self, address: str) -> None:
        """Count a wrong admin password from `address`."""
        with self.ctx.db.transaction():
            self.wait(f"admin-failures:{address}", ADMIN_FAILURES)

    def wait(self, key: str, limit: RateLimit, take: bool = True) -> int:
        """Count one event under `key` (GCRA); 0 if allowed, else the seconds to wait.

        With take=False only says whether an event would be allowed now.
        """
        now = time.time()
        state = self.table.get(Q.key == key)
        tat = max(state["tat"] if state else now, now)
        allowed_at = tat - limit.period + limit.interval
        if now < allowed_at:
            return max(1, int(allowed_at - now + 0.999))
        if not take:
            return 0
        if state is None:
            self.table.insert({"key": key, "tat": tat + limit.interval})
        else:
            self.table.update({"tat": tat + limit.interval}, doc_ids=[state.doc_id])
        return 0
