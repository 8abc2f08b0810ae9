"""What the service keeps on Starlette's `app.state`, typed: one place says what is there.

create_app sets `settings`, `metrics` and `articles`; the lifespan sets the rest when a
worker starts. Handlers read them through `app_state(request)`.
"""

from __future__ import annotations

from typing import Protocol

from starlette.requests import HTTPConnection

from .articles import ArticleIndex
from .config import Settings
from .events import ChangeFeed
from .identity import Identity
from .metrics import Metrics
from .storage import Database
from .store import Store
from .store.commits import GroupCommit


class AppState(Protocol):
    """`app.state` as the service fills it."""

    settings: Settings
    articles: ArticleIndex
    db: Database
    store: Store
    identity: Identity
    commits: GroupCommit
    events: ChangeFeed
    metrics: Metrics


def app_state(request: HTTPConnection) -> AppState:
    """The state of the app serving `request`."""
    state: AppState = request.app.state  # Starlette's State: attributes set at run time
    return state
