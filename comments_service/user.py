"""A person as the service knows them, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import forbidden, not_signed_in


@dataclass(frozen=True)
class User:
    """A person: a stable id, the name others see, and whether they moderate."""

    id: str
    name: str
    moderator: bool = False
    email: str = ""
    since: int = 0  # open mode: when the identity was made (Unix time; 0: before Kurier kept it)

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "moderator": self.moderator}


def require_moderator(user: User | None) -> User:
    """The user, if they moderate: 401 when nobody is signed in, else 403."""
    if user is None:
        raise not_signed_in()
    if not user.moderator:
        raise forbidden("Only moderators can do that.")
    return user


def require_user(user: User | None) -> User:
    """The user, or 401 when nobody is signed in."""
    if user is None:
        raise not_signed_in()
    return user
