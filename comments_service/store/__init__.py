"""The domain: threads, comments, reactions, acknowledgements and moderation over TinyDB tables.

`Store` is the one object the routes use; each concern lives in a module of
its own and reads or writes its tables only through the store:

- threads.py         a thread's document and `ThreadWrite.save`, the one way
                     a change is written (version, counters, change log)
- comment.py         a stored comment and its state (public, waiting, hidden, deleted)
- comments.py        writing, editing and deleting comments
- views.py           what readers see (hidden and waiting comments stop here)
- reactions.py       article reactions and comment likes
- acknowledgements.py must-read confirmations
- moderation.py      hide, pin, approve, reject, lock; readers' reports
- flags.py, queues.py, audit.py, people.py (mutes), sessions.py (admin sessions)
- limits.py          every rate limit; streams.py open event streams per person, across workers
- feed.py, engagement.py, imports.py  reads for the feeds and reports, and imports
- changelog.py, commits.py, tables.py, context.py

Every change is one write transaction that reads, changes and writes, so
several worker processes can share the database; each change readers can
see is appended to the change log in that transaction.
"""

from __future__ import annotations

from ..articles import ArticleIndex
from ..config import Settings
from ..storage import Database
from .acknowledgements import Acknowledgements
from .audit import Audit
from .changelog import ChangeLog
from .comment import Comment, is_public
from .comments import Comments, Text, parse_parent, prepare_text
from .context import Context
from .engagement import Engagement
from .feed import Feed
from .flags import Flags
from .imports import Imports
from .limits import Limits
from .moderation import Moderation
from .people import People
from .queues import Queues
from .reactions import Reactions
from .sessions import AdminSessions
from .streams import StreamCounts
from .tables import Tables
from .threads import Threads
from .views import ThreadViews

__all__ = ["Comment", "Store", "Text", "is_public", "parse_parent", "prepare_text"]


class Store:
    """Every part of the domain, built once per worker over one database."""

    def __init__(self, db: Database, settings: Settings, articles: ArticleIndex):
        self.db = db
        self.settings = settings
        self.articles = articles
        self.log = ChangeLog(db)
        self.ctx = ctx = Context(db, settings, articles, Tables.open(db), self.log)
        self.threads = Threads(ctx)
        self.audit = Audit(ctx)
        self.limits = Limits(ctx)
        self.people = People(ctx, self.audit)
        self.sessions = AdminSessions(ctx, self.audit)
        self.flags = Flags(ctx)
        self.acks = Acknowledgements(ctx, self.threads)
        self.views = ThreadViews(ctx, self.threads, self.acks)
        self.comments = Comments(
            ctx, self.threads, self.views, self.people, self.limits, self.flags, self.audit
        )
        self.reactions = Reactions(ctx, self.threads, self.comments, self.people, self.limits)
        self.moderation = Moderation(
            ctx, self.threads, self.views, self.comments, self.flags, self.limits, self.audit
        )
        self.queues = Queues(ctx, self.views, self.flags)
        self.feed = Feed(ctx, self.threads)
        self.engagement = Engagement(ctx)
        self.imports = Imports(ctx, self.threads)
        self.stream_counts = StreamCounts(ctx)
