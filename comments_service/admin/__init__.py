"""The moderators' pages at /admin/: Jinja2 templates, Polish and English, no JavaScript.

- render.py    a page from its template; `page` and `act`, the shapes of every handler
- words.py     the pages' language and what they name in it (the strings: ../i18n/)
- queries.py   filters, listed articles, thread titles, links between pages of a list
- forms.py     reading form posts, refusing forged ones, flash messages
- comments.py  the queue, the latest comments, actions on one comment
- threads.py   discussions, locking them, the audit log
- mutes.py     muting and unmuting a person
- reports.py   engagement and must-read acknowledgements
- sign_in.py   signing in (open mode) and out

Reading is GET with query strings; every action is a POST form that
redirects (303) back with a flash message.
"""

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from .comments import comment_action, comments_page, queue_page
from .mutes import mute, mutes_page, unmute
from .render import HERE
from .reports import acknowledgements_page, reports_page
from .sign_in import sign_in, sign_in_page, sign_out
from .threads import log_page, thread_action, threads_page

ROUTES: list[BaseRoute] = [
    Route("/", queue_page, methods=["GET"]),
    Route("/sign-in", sign_in_page, methods=["GET"]),
    Route("/sign-in", sign_in, methods=["POST"]),
    Route("/sign-out", sign_out, methods=["POST"]),
    Route("/comments", comments_page, methods=["GET"]),
    Route("/comments/{comment_id}/{action}", comment_action, methods=["POST"]),
    Route("/threads", threads_page, methods=["GET"]),
    Route("/threads/{slug}/{action}", thread_action, methods=["POST"]),
    Route("/log", log_page, methods=["GET"]),
    Route("/mutes", mutes_page, methods=["GET"]),
    Route("/mutes", mute, methods=["POST"]),
    Route("/mutes/remove", unmute, methods=["POST"]),
    Route("/reports", reports_page, methods=["GET"]),
    Route("/reports/acknowledgements/{slug}", acknowledgements_page, methods=["GET"]),
    Mount("/static", StaticFiles(directory=HERE / "static"), name="admin-static"),
]
