"""The admin pages: server-rendered HTML for moderators; the route table is at the bottom.

Every page works without JavaScript: reading is GET with query strings,
every action is a POST form that redirects (303) back with a flash message.
Comment text appears only as the sanitised `body_html`; everything else is
escaped by the templates.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import reports
from ..errors import ApiError, not_found, not_must_read
from ..identity import secure_cookies
from ..store.audit import ACTIONS, SYSTEM_ID
from ..store.moderation import AUTO_HIDE_REASON
from ..store.queues import QUIET_THREAD
from ..user import User
from ..validation import parse_page, parse_reason, parse_until
from . import forms
from .i18n import (
    LANG_COOKIE,
    LANGS,
    STRINGS,
    choose_lang,
    long_date,
    markup_translator,
    reaction_name,
    translator,
)

HERE = Path(__file__).parent
ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
NO_STORE = {"cache-control": "private, no-store"}
PAGE_SIZE = 25
PERSON_MAX = 200
SLUG_MAX = 200
# The engagement table's columns unless the moderator chooses others (?col=, repeated);
# the rest are a click away, and always in the CSV file.
MAIN_COLUMNS = ("title", "date", "comments", "reactions", "participants", "acknowledgements")


# --- rendering --------------------------------------------------------------------------


def _user(request: Request) -> User | None:
    try:
        return request.app.state.identity.user(request)
    except ApiError:  # e.g. an identity header sent twice: nobody
        return None


def _here(request: Request) -> str:
    """This page's address without ?lang=, for `back` fields and the language switch."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return request.url.path + ("?" + urlencode(query) if query else "")


def render(
    request: Request, template: str, user: User | None, status: int = 200, **data
) -> HTMLResponse:
    """A page in the chosen language, with the layout's shared values."""
    lang, from_query = choose_lang(request)
    other = LANGS[1 - LANGS.index(lang)]
    here = _here(request)
    joiner = "&" if "?" in here else "?"
    flash = forms.take_flash(request)
    settings = request.app.state.settings
    t = translator(lang)
    html = ENV.get_template(template).render(
        t=t,
        tm=markup_translator(lang),
        lang=lang,
        other_lang=other,
        switch_url=f"{here}{joiner}lang={other}",
        here=here,
        user=user,
        auth=settings.auth,
        csrf=forms.csrf_token(request, user),
        flash=flash,
        local=_local_time(settings.timezone),
        day=lambda value: _local_day(settings.timezone, t, value),
        column_name=lambda column: _column_name(t, column),
        site_url=_site_address(request),
        system_id=SYSTEM_ID,
        auto_hide_reason=AUTO_HIDE_REASON,
        **data,
    )
    response = HTMLResponse(html, status_code=status, headers=NO_STORE)
    if from_query:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/admin",
            secure=secure_cookies(request),
        )  # fmt: skip
    if flash is not None:
        response.delete_cookie(forms.FLASH_COOKIE, path="/admin")
    forms.set_browser_key(request, response)
    return response


@lru_cache(maxsize=4)
def _local_time(zone_name: str):
    """A formatter of the service's ISO UTC times in the moderators' time zone."""
    zone = ZoneInfo(zone_name)

    def local(value: str) -> str:
        try:
            moment = datetime.fromisoformat(value).astimezone(zone)
        except (TypeError, ValueError):
            return str(value)
        return moment.strftime("%Y-%m-%d %H:%M ") + (moment.tzname() or zone_name)

    return local


def _local_day(zone_name: str, t, value: str | datetime | None) -> str:
    """A time as the day it falls on in the moderators' time zone, in words."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return long_date(t, moment.astimezone(ZoneInfo(zone_name)))


def _column_name(t, column: str) -> str:
    """An engagement column's heading: a reaction kind by its name, the rest by theirs."""
    if column.startswith("reaction_"):
        return t("reaction", kind=reaction_name(t, column.removeprefix("reaction_")))
    return t(f"col_{column}")


def _site_address(request: Request) -> str:
    """The newsroom's address, for the link back to it: from the articles' absolute
    addresses in articles.json, else COMMENTS_PUBLIC_URL, else this server's root."""
    for article in request.app.state.articles.articles().values():
        for lang, absolute in article.absolute_urls.items():
            relative = article.urls.get(lang, "")
            if absolute.startswith(("http://", "https://")) and absolute.endswith(relative):
                return absolute[: len(absolute) - len(relative)].rstrip("/") + "/"
    public_url = request.app.state.settings.public_url
    return public_url + "/" if public_url else "/"


def _message(t, error: ApiError) -> str:
    """An error in the page's language: by its code and field, else a general sentence
    (the API's own sentence is English, and names fields as configured)."""
    if error.code == "rate_limited":
        return t("err_rate_limited", wait=error.headers.get("Retry-After", "60"))
    if error.field == "until":
        return t("err_until")
    for key in (f"err_{error.code}_{error.field}", f"err_{error.code}"):
        if key in STRINGS:
            return t(key)
    return t("err_other")


def _refused(request: Request, user: User | None, key: str, status: int) -> HTMLResponse:
    return render(request, "refused.html", user, status=status, message_key=key)


def _not_moderator(request: Request, user: User | None) -> Response:
    """Open mode: to the sign-in form; header mode: a 403 page (the proxy decides who)."""
    if request.app.state.settings.auth == "open":
        return RedirectResponse("/admin/sign-in", status_code=303, headers=NO_STORE)
    return render(request, "forbidden.html", user, status=403)


Build = Callable[[Request, User], tuple[str, dict]]


async def _page(request: Request, current: str, build: Build) -> Response:
    """A moderator's page: `build` gives the template and its data (or raises ApiError)."""
    user = _user(request)
    if user is None or not user.moderator:
        return _not_moderator(request, user)
    try:
        template, data = build(request, user)
        status = 200
    except ApiError as error:
        lang, _ = choose_lang(request)
        template, status = "error.html", error.status
        data = {"message": _message(translator(lang), error)}
    return render(request, template, user, status=status, current=current, **data)


async def _act(request: Request, operation: Callable[[dict, User], str]) -> Response:
    """A moderator's form post: checked, done, and back with a flash message."""
    user = _user(request)
    try:
        form = await forms.read_form(request)
    except forms.FormError:
        return _refused(request, user, "refused_form", 400)
    if user is None or not user.moderator:
        return _not_moderator(request, user)
    if not forms.genuine(request, form, user):
        return _refused(request, user, "refused_csrf", 403)
    response = RedirectResponse(forms.back_to(form), status_code=303, headers=NO_STORE)
    try:
        done = operation(form, user)
    except ApiError as error:
        lang, _ = choose_lang(request)
        forms.set_flash(request, response, "error", "error", _message(translator(lang), error))
    else:
        forms.set_flash(request, response, "ok", f"ok_{done}")
    return response


def _query(request: Request, name: str, limit: int = SLUG_MAX) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value[:limit] or None


def _articles(request: Request) -> list:
    """The articles that have a discussion, newest first."""
    found = sorted(
        (a for a in request.app.state.articles.articles().values() if not a.hidden),
        key=lambda a: a.slug,
    )
    dated = [a for a in found if a.published is not None]
    dated.sort(key=lambda a: a.published.timestamp(), reverse=True)
    return dated + [a for a in found if a.published is None]


# --- sign-in and sign-out -------------------------------------------------------------


async def sign_in_page(request: Request) -> Response:
    user = _user(request)
    if request.app.state.settings.auth != "open":
        if user is not None and user.moderator:
            return RedirectResponse("/admin/", status_code=303, headers=NO_STORE)
        return render(request, "forbidden.html", user, status=403)
    return render(request, "sign_in.html", user)


async def sign_in(request: Request) -> Response:
    """Open mode: check the moderator password (rate-limited per address by identity.py)."""
    user = _user(request)
    try:
        form = await forms.read_form(request)
    except forms.FormError:
        return _refused(request, user, "refused_form", 400)
    if not forms.genuine(request, form, user):
        return _refused(request, user, "refused_csrf", 403)
    identity = request.app.state.identity
    try:
        moderator, cookie = await identity.admin_sign_in(request, form.get("password", ""))
    except ApiError as error:
        lang, _ = choose_lang(request)
        status = error.status if error.status != 409 else 403
        response = render(
            request, "sign_in.html", user, status=status,
            error=_message(translator(lang), error),
        )  # fmt: skip
        response.headers.update(error.headers)
        return response
    response = RedirectResponse("/admin/", status_code=303, headers=NO_STORE)
    response.set_cookie(**cookie)
    forms.set_flash(request, response, "ok", "ok_signed_in")
    return response


async def sign_out(request: Request) -> Response:
    user = _user(request)
    try:
        form = await forms.read_form(request)
    except forms.FormError:
        return _refused(request, user, "refused_form", 400)
    if not forms.genuine(request, form, user):
        return _refused(request, user, "refused_csrf", 403)
    target = "/admin/sign-in" if request.app.state.settings.auth == "open" else "/admin/"
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    if request.app.state.settings.auth == "open":
        response.delete_cookie(**request.app.state.identity.admin_sign_out(request))
    forms.set_flash(request, response, "ok", "ok_signed_out")
    return response


# --- the queue --------------------------------------------------------------------------


def _queue(request: Request, user: User) -> tuple:
    store = request.app.state.store
    _, before = parse_page(None, request.query_params.get("before"))
    flagged = store.queues.reported(user, limit=PAGE_SIZE, before=before)
    pending = store.queues.waiting(user, limit=PAGE_SIZE)
    return "queue.html", {"flagged": flagged, "pending": pending, "titles": _titles(request)}


def _titles(request: Request) -> dict[str, dict]:
    """Each thread's title and page address, for naming comments' threads."""
    lang, _ = choose_lang(request)
    return {
        a.slug: {"title": a.title(lang), "url": "/" + a.url(lang).lstrip("/")}
        for a in request.app.state.articles.articles().values()
    }


async def queue_page(request: Request) -> Response:
    return await _page(request, "queue", _queue)


# --- recent comments --------------------------------------------------------------------


def _comments(request: Request, user: User) -> tuple:
    thread, author = _query(request, "thread"), _query(request, "author", PERSON_MAX)
    _, before = parse_page(None, request.query_params.get("before"))
    page = request.app.state.store.queues.recent(
        user, limit=PAGE_SIZE, before=before, thread=thread, author=author
    )
    query = {k: v for k, v in (("thread", thread), ("author", author)) if v}
    older = None
    if page["next_before"] is not None:
        older = "/admin/comments?" + urlencode({**query, "before": page["next_before"]})
    return "comments.html", {
        "page": page,
        "thread": thread or "",
        "author": author or "",
        "articles": _articles(request),
        "titles": _titles(request),
        "older": older,
        "newest": "/admin/comments" + ("?" + urlencode(query) if query else ""),
        "paged": before is not None,
    }


async def comments_page(request: Request) -> Response:
    return await _page(request, "comments", _comments)


def _comment_action(action: str, form: dict, user: User, request: Request) -> str:
    store = request.app.state.store
    comment_id = request.path_params["comment_id"]
    reason = parse_reason(form.get("reason") or None, required=action == "hide")
    operations = {
        "hide": lambda: store.moderation.hide(comment_id, user, reason),
        "unhide": lambda: store.moderation.unhide(comment_id, user, reason),
        "dismiss": lambda: store.moderation.dismiss_reports(comment_id, user, reason),
        "delete": lambda: store.comments.delete(comment_id, user, reason),
        "approve": lambda: store.moderation.approve(comment_id, user, reason),
        "reject": lambda: store.moderation.reject(comment_id, user, reason),
        "pin": lambda: store.moderation.pin(comment_id, user, True, reason),
        "unpin": lambda: store.moderation.pin(comment_id, user, False, reason),
    }
    operations[action]()
    return action


COMMENT_ACTIONS = ("hide", "unhide", "dismiss", "delete", "approve", "reject", "pin", "unpin")


async def comment_action(request: Request) -> Response:
    action = request.path_params["action"]
    if action not in COMMENT_ACTIONS:
        return _refused(request, _user(request), "refused_form", 404)
    return await _act(request, lambda form, user: _comment_action(action, form, user, request))


# --- threads ----------------------------------------------------------------------------


def _threads(request: Request, user: User) -> tuple:
    store = request.app.state.store
    states = store.queues.threads(user)
    lang, _ = choose_lang(request)
    rows = []
    for article in _articles(request):
        rows.append({
            "slug": article.slug,
            "title": article.title(lang),
            "mode": article.comments,
            "closed": article.closed,
            **states.get(article.slug, QUIET_THREAD),
        })  # fmt: skip
    return "threads.html", {"threads": rows}


async def threads_page(request: Request) -> Response:
    return await _page(request, "threads", _threads)


async def thread_action(request: Request) -> Response:
    on = request.path_params["action"] == "lock"
    if request.path_params["action"] not in ("lock", "unlock"):
        return _refused(request, _user(request), "refused_form", 404)

    def operation(form: dict, user: User) -> str:
        article = request.app.state.articles.get(request.path_params["slug"])
        if article is None or article.hidden:
            raise ApiError(404, "thread_not_found", "There is no such thread.")
        reason = parse_reason(form.get("reason") or None, required=False)
        request.app.state.store.moderation.lock(article, user, on, reason)
        return "lock" if on else "unlock"

    return await _act(request, operation)


# --- audit log --------------------------------------------------------------------------


def _log(request: Request, user: User) -> tuple:
    thread, actor = _query(request, "thread"), _query(request, "actor", PERSON_MAX)
    action = _query(request, "action")
    if action is not None and action not in ACTIONS:
        action = None
    _, before = parse_page(None, request.query_params.get("before"))
    page = request.app.state.store.audit.log(
        user, limit=PAGE_SIZE, before=before, thread=thread, actor=actor, action=action
    )
    older = None
    if page["next_before"] is not None:
        query = {k: v for k, v in (("thread", thread), ("actor", actor), ("action", action)) if v}
        older = "/admin/log?" + urlencode({**query, "before": page["next_before"]})
    return "log.html", {
        "page": page,
        "thread": thread or "",
        "actor": actor or "",
        "action": action or "",
        "actions": ACTIONS,
        "articles": _articles(request),
        "titles": _titles(request),
        "older": older,
        "paged": before is not None,
    }


async def log_page(request: Request) -> Response:
    return await _page(request, "log", _log)


# --- mutes ------------------------------------------------------------------------------


def _mutes(request: Request, user: User) -> tuple:
    mutes = request.app.state.store.people.active_mutes(user)
    return "mutes.html", {"mutes": mutes["items"], "person": _query(request, "person", PERSON_MAX)}


async def mutes_page(request: Request) -> Response:
    return await _page(request, "mutes", _mutes)


def _person(form: dict) -> str:
    person = form.get("person", "").strip()
    if not person or len(person) > PERSON_MAX:
        raise ApiError(422, "person", "Give the person's id.", "person")
    return person


async def mute(request: Request) -> Response:
    def operation(form: dict, user: User) -> str:
        person = _person(form)
        day = form.get("until", "").strip()
        # A day from the date field: the mute ends as that day begins, in the
        # moderators' time zone (COMMENTS_TIMEZONE).
        if len(day) == 10:
            zone = ZoneInfo(request.app.state.settings.timezone)
            with contextlib.suppress(ValueError):  # else parse_until says what is wrong
                day = datetime.fromisoformat(day).replace(tzinfo=zone).isoformat()
        until = parse_until(day)
        reason = parse_reason(form.get("reason") or None, required=True)
        request.app.state.store.people.mute(person, user, until, reason)
        return "mute"

    return await _act(request, operation)


async def unmute(request: Request) -> Response:
    def operation(form: dict, user: User) -> str:
        reason = parse_reason(form.get("reason") or None, required=False)
        request.app.state.store.people.unmute(_person(form), user, reason)
        return "unmute"

    return await _act(request, operation)


# --- reports ----------------------------------------------------------------------------


def _reports(request: Request, user: User) -> tuple:
    kinds = request.app.state.settings.reactions
    params = {
        k: v for k, v in request.query_params.items() if k in reports.ENGAGEMENT_PARAMETERS and v
    }
    lang, _ = choose_lang(request)
    try:
        query = reports.parse_engagement_query(_Params(params), kinds)
        error = None
    except ApiError as problem:
        query, error = reports.EngagementQuery(), _message(translator(lang), problem)
    articles = request.app.state.articles.articles()
    rows = reports.engagement(request.app.state.store, articles.values(), query)
    if query.start or query.end or error:  # must-read articles of every date
        everything = reports.EngagementQuery()
        rows_all = reports.engagement(request.app.state.store, articles.values(), everything)
    else:
        rows_all = rows
    must_read = [
        {**row, "updated": articles[row["slug"]].modified} for row in rows_all if row["must_read"]
    ]
    chosen, asked = _chosen_columns(request, kinds)
    return "reports.html", {
        "rows": rows,
        "must_read": must_read,
        "query": query,
        "error": error,
        "columns": reports.engagement_columns(kinds),
        "choosable": [c for c in reports.engagement_columns(kinds) if c not in ("slug", "title")],
        "shown": chosen,
        "titles": _titles(request),
        "sortable": _sort_links(query, kinds, asked),
        "csv_url": "/api/v1/reports/engagement.csv"
        + ("?" + urlencode(params) if params and not error else ""),
    }


def _chosen_columns(request: Request, kinds) -> tuple[list[str], list[str]]:
    """The engagement table's columns, in the report's order, the title first: the ones
    asked for with ?col= (the form always sends col=title), else MAIN_COLUMNS. Then
    the columns for the sorting links to keep: none when none were asked for."""
    asked = request.query_params.getlist("col")
    wanted = set(asked) if asked else set(MAIN_COLUMNS)
    known = [c for c in reports.engagement_columns(kinds) if c not in ("slug", "title")]
    chosen = ["title", *(column for column in known if column in wanted)]
    return chosen, (chosen if asked else [])


class _Params(dict):
    """Query parameters as parse_engagement_query reads them (one value each)."""

    def getlist(self, name: str) -> list[str]:
        return [self[name]]


def _sort_links(query: reports.EngagementQuery, kinds, columns: list[str]) -> dict[str, dict]:
    """For each column: the address that sorts by it (keeping the chosen `columns`), and
    its aria-sort value."""
    links = {}
    keep = [("col", column) for column in columns]
    for column in reports.engagement_columns(kinds):
        current = query.sort == column
        order = ("asc" if query.order == "desc" else "desc") if current else None
        params = {"from": query.start, "to": query.end, "sort": column, "order": order}
        pairs = [(k, v) for k, v in params.items() if v] + keep
        links[column] = {
            "url": "/admin/reports?" + urlencode(pairs),
            "aria": ("ascending" if query.order == "asc" else "descending") if current else None,
        }
    return links


async def reports_page(request: Request) -> Response:
    return await _page(request, "reports", _reports)


def _acknowledgements(request: Request, user: User) -> tuple:
    article = request.app.state.articles.get(request.path_params["slug"])
    if article is None or article.hidden:
        raise not_found("thread")
    if not article.must_read:
        raise not_must_read()
    report = request.app.state.store.acks.report(article)
    lang, _ = choose_lang(request)
    return "acknowledgements.html", {
        "report": report,
        "title": article.title(lang),
        "csv_url": f"/api/v1/reports/acknowledgements/{article.slug}.csv",
    }


async def acknowledgements_page(request: Request) -> Response:
    return await _page(request, "reports", _acknowledgements)


ROUTES = [
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
