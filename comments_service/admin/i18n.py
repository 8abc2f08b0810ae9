"""The admin pages' words in Polish and English, and the choice of language.

The language comes from `?lang=` (then remembered in a cookie), else the
cookie, else the browser's Accept-Language, else Polish. Moderators read
words, never configuration: reaction kinds, modes, actions and dates are
named here, and the names of settings appear only in small print for
whoever runs Kurier.
"""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup, escape
from starlette.requests import Request

LANGS = ("pl", "en")
DEFAULT_LANG = "pl"
LANG_COOKIE = "kurier_admin_lang"

STRINGS: dict[str, tuple[str, str]] = {
    # layout
    "site": ("Kurier — moderacja", "Kurier — moderation"),
    "site_name": ("Kurier", "Kurier"),
    "tagline": ("Moderacja", "Moderation"),
    "to_site": ("Wróć do serwisu", "Back to the site"),
    "skip": ("Przejdź do treści", "Skip to content"),
    "nav": ("Moderacja", "Moderation"),
    "nav_queue": ("Kolejka", "Queue"),
    "nav_comments": ("Komentarze", "Comments"),
    "nav_threads": ("Dyskusje", "Threads"),
    "nav_log": ("Dziennik", "Audit log"),
    "nav_mutes": ("Wyciszenia", "Mutes"),
    "nav_reports": ("Raporty", "Reports"),
    "other_lang": ("English", "Polski"),
    "other_lang_label": ("Switch to English", "Przełącz na polski"),
    "signed_in_as": ("Zalogowano jako", "Signed in as"),
    "sign_out": ("Wyloguj", "Sign out"),
    "messages": ("Komunikaty", "Messages"),
    # sign-in and refusals
    "sign_in_title": ("Logowanie moderatora", "Moderator sign-in"),
    "sign_in_intro": (
        "Podaj hasło moderatora. Przekazuje je osoba, która prowadzi Kuriera "
        "(polecenie {command} wypisuje je przy starcie).",
        "Enter the moderator password, given by whoever runs Kurier "
        "({command} prints it when it starts).",
    ),
    "operator_password": (
        "Dla administratorów: hasło ustawia zmienna {variable}.",
        "For operators: the password is set by {variable}.",
    ),
    "password": ("Hasło", "Password"),
    "sign_in": ("Zaloguj", "Sign in"),
    "forbidden_title": ("Brak dostępu", "No access"),
    "forbidden_header": (
        "Te strony są dla moderatorów. Wejdź przez firmowe logowanie kontem moderatora; "
        "jeśli potrzebujesz dostępu, poproś o niego osobę, która prowadzi Kuriera.",
        "These pages are for moderators. Come through the company sign-in with a "
        "moderator's account; if you need access, ask whoever runs Kurier.",
    ),
    "operator_moderators": (
        "Dla administratorów: moderatorów wskazują zmienne {logins} i {group}.",
        "For operators: moderators are named by {logins} and {group}.",
    ),
    "refused_title": ("Żądanie odrzucone", "Request refused"),
    "refused_csrf": (
        "Formularz wygasł albo nie pochodzi z tej strony. Wróć, odśwież stronę i spróbuj ponownie.",
        "The form has expired or did not come from this site. Go back, reload and try again.",
    ),
    "refused_form": ("Nieprawidłowy formularz.", "That form could not be read."),
    "back_to_admin": ("Wróć do moderacji", "Back to moderation"),
    # flash messages
    "ok_signed_in": ("Zalogowano.", "Signed in."),
    "ok_signed_out": ("Wylogowano.", "Signed out."),
    "ok_hide": ("Komentarz ukryty.", "Comment hidden."),
    "ok_unhide": ("Komentarz znów widoczny.", "Comment shown again."),
    "ok_dismiss": ("Zgłoszenia odrzucone.", "Reports dismissed."),
    "ok_delete": ("Komentarz usunięty.", "Comment deleted."),
    "ok_approve": ("Komentarz zatwierdzony.", "Comment approved."),
    "ok_reject": ("Komentarz odrzucony.", "Comment rejected."),
    "ok_pin": ("Komentarz przypięty.", "Comment pinned."),
    "ok_unpin": ("Komentarz odpięty.", "Comment unpinned."),
    "ok_lock": ("Dyskusja zamknięta.", "Thread locked."),
    "ok_unlock": ("Dyskusja otwarta.", "Thread unlocked."),
    "ok_mute": ("Osoba wyciszona.", "Person muted."),
    "ok_unmute": ("Wyciszenie zdjęte.", "Mute lifted."),
    "error": ("Nie udało się", "That did not work"),
    "err_wrong_password": ("To nie jest hasło moderatora.", "That is not the moderator password."),
    "err_rate_limited": (
        "Zbyt wiele prób logowania. Spróbuj ponownie za {wait} s.",
        "Too many sign-in attempts. Try again in {wait} s.",
    ),
    "err_admin_disabled": (
        "Logowanie moderatora jest wyłączone: osoba, która prowadzi Kuriera, "
        "nie ustawiła hasła moderatora.",
        "Moderator sign-in is switched off: whoever runs Kurier has not set a moderator password.",
    ),
    "err_managed_identity": (
        "Tutaj moderatorzy wchodzą przez firmowe logowanie.",
        "Here moderators come through the company sign-in.",
    ),
    "err_invalid_field_password": (
        "To nie jest hasło moderatora.",
        "That is not the moderator password.",
    ),
    "err_missing_field": ("Podaj powód.", "Give a reason."),
    "err_empty": ("Podaj powód.", "Give a reason."),
    "err_too_long": ("Powód jest za długi (do 500 znaków).", "The reason is too long (500 max)."),
    "err_until": (
        "Podaj datę w przyszłości, najdalej za rok.",
        "Give a date in the future, at most a year ahead.",
    ),
    "err_person": ("Podaj identyfikator osoby.", "Give the person's id."),
    "err_comment_not_found": ("Nie ma takiego komentarza.", "There is no such comment."),
    "err_thread_not_found": ("Nie ma takiej dyskusji.", "There is no such thread."),
    "err_comment_approved": (
        "Ten komentarz jest już widoczny: zamiast odrzucać, usuń go.",
        "That comment is public already: delete it instead.",
    ),
    "err_comment_deleted": ("Ten komentarz jest usunięty.", "That comment was deleted."),
    "err_comment_hidden": ("Moderator ukrył ten komentarz.", "A moderator hid that comment."),
    "err_thread_locked": (
        "Dyskusja pod tym artykułem jest zamknięta.",
        "The discussion of this article is closed.",
    ),
    "err_not_must_read": (
        "Ten artykuł nie prosi o potwierdzenie lektury.",
        "This article does not ask readers to confirm reading it.",
    ),
    "err_forbidden": ("Tylko moderatorzy mogą to zrobić.", "Only moderators can do that."),
    "err_invalid_field_reason": (
        "Powód nie może zawierać znaków sterujących.",
        "The reason may not hold control characters.",
    ),
    "err_invalid_field_comment_id": (
        "Przypiąć można tylko komentarz, który nie jest odpowiedzią.",
        "Only a comment that is not a reply can be pinned.",
    ),
    "err_invalid_field_from": (
        "Podaj datę „Od” z kalendarza, np. 2026-11-30.",
        "Give a “From” date of the calendar, e.g. 2026-11-30.",
    ),
    "err_invalid_field_to": (
        "Podaj datę „Do” z kalendarza, nie wcześniejszą niż data „Od”.",
        "Give a “To” date of the calendar, not before the “From” date.",
    ),
    "err_invalid_field_sort": (
        "Wybierz kolumnę z listy „Sortuj według”.",
        "Choose a column from the “Sort by” list.",
    ),
    "err_invalid_field_order": ("Wybierz kolejność z listy.", "Choose an order from the list."),
    "err_other": (
        "Nie udało się tego zrobić. Spróbuj ponownie, a jeśli to się powtórzy, "
        "powiedz o tym osobie, która prowadzi Kuriera.",
        "That could not be done. Try again; if it happens again, tell whoever runs Kurier.",
    ),
    # the queue
    "queue_title": ("Kolejka moderacji", "Moderation queue"),
    "reported": ("Zgłoszone komentarze", "Reported comments"),
    "no_reported": ("Brak zgłoszeń.", "No reports."),
    "pending": ("Czekają na zatwierdzenie", "Waiting for approval"),
    "no_pending": ("Nic nie czeka na zatwierdzenie.", "Nothing is waiting for approval."),
    "reports_of": ("Zgłoszenia", "Reports"),
    "reason": ("Powód", "Reason"),
    "reason_optional": ("Powód (opcjonalnie)", "Reason (optional)"),
    "hide": ("Ukryj", "Hide"),
    "unhide": ("Pokaż", "Show"),
    "dismiss": ("Odrzuć zgłoszenia", "Dismiss reports"),
    "delete": ("Usuń", "Delete"),
    "approve": ("Zatwierdź", "Approve"),
    "reject": ("Odrzuć", "Reject"),
    "pin": ("Przypnij", "Pin"),
    "unpin": ("Odepnij", "Unpin"),
    "mute_author": ("Wycisz autora", "Mute the author"),
    "hidden_because": ("Ukryty: {reason}", "Hidden: {reason}"),
    "hidden_auto": (
        "Ukryty automatycznie, czeka na przegląd",
        "Hidden automatically, pending review",
    ),
    "deleted": ("Usunięty", "Deleted"),
    "waiting": ("Czeka na zatwierdzenie", "Waiting for approval"),
    "pinned": ("Przypięty", "Pinned"),
    "open_reports": ("Otwarte zgłoszenia: {n}", "Open reports: {n}"),
    "by_on": ("{who}, {when}", "{who}, {when}"),
    "in_thread": ("w dyskusji", "in"),
    "comment_by": ("Komentarz: {who}", "Comment by {who}"),
    "actions": ("Działania", "Actions"),
    "older": ("Starsze", "Older"),
    "newest": ("Najnowsze", "Newest"),
    # comments
    "comments_title": ("Ostatnie komentarze", "Recent comments"),
    "search": ("Szukaj", "Search"),
    "filter": ("Filtruj", "Filter"),
    "thread": ("Dyskusja", "Thread"),
    "all_threads": ("Wszystkie", "All"),
    "author_id": ("Autor (identyfikator)", "Author (id)"),
    "author_hint_header": (
        "Login z firmowego logowania.",
        "The person's login of the company sign-in.",
    ),
    "author_hint_open": (
        "Identyfikator pokazany przy komentarzu jako „Autor (identyfikator)”.",
        "The id shown on each comment as “Author (id)”.",
    ),
    "no_comments": ("Brak komentarzy.", "No comments."),
    "author": ("Autor", "Author"),
    "comment": ("Komentarz", "Comment"),
    "when": ("Kiedy", "When"),
    "state": ("Stan", "State"),
    "visible": ("Widoczny", "Visible"),
    # threads
    "threads_title": ("Dyskusje", "Threads"),
    "article": ("Artykuł", "Article"),
    "mode": ("Tryb", "Mode"),
    "comments": ("Komentarze", "Comments"),
    "reports_open": ("Zgłoszenia", "Reports"),
    "pending_count": ("Oczekujące", "Pending"),
    "lock_state": ("Stan", "State"),
    "locked": ("Zamknięta", "Locked"),
    "unlocked": ("Otwarta", "Open"),
    "closed_by_article": ("Zamknięta w artykule", "Closed by the article"),
    "lock": ("Zamknij", "Lock"),
    "unlock": ("Otwórz", "Unlock"),
    "mode_open": ("otwarte", "open"),
    "mode_closed": ("zamknięte", "closed"),
    "mode_moderated": ("moderowane", "moderated"),
    "no_threads": ("Brak artykułów.", "No articles."),
    # audit log
    "log_title": ("Dziennik zdarzeń", "Audit log"),
    "actor": ("Kto (identyfikator)", "Who (id)"),
    "who": ("Kto", "Who"),
    "action": ("Działanie", "Action"),
    "all_actions": ("Wszystkie", "All"),
    "person": ("Osoba", "Person"),
    "details": ("Szczegóły", "Details"),
    "no_log": ("Brak wpisów.", "No entries."),
    "until_value": ("do {until}", "until {until}"),
    "system_actor": ("Kurier (automatycznie)", "Kurier (automatically)"),
    "auto_hide_reason": (
        "zgłoszenia kilku osób; czeka na moderatora",
        "reported by several people; pending a moderator's review",
    ),
    "action_hide": ("ukrycie", "hide"),
    "action_unhide": ("przywrócenie", "unhide"),
    "action_delete": ("usunięcie", "delete"),
    "action_pin": ("przypięcie", "pin"),
    "action_unpin": ("odpięcie", "unpin"),
    "action_lock": ("zamknięcie dyskusji", "lock"),
    "action_unlock": ("otwarcie dyskusji", "unlock"),
    "action_mute": ("wyciszenie", "mute"),
    "action_unmute": ("zdjęcie wyciszenia", "unmute"),
    "action_approve": ("zatwierdzenie", "approve"),
    "action_reject": ("odrzucenie", "reject"),
    "action_dismiss_reports": ("odrzucenie zgłoszeń", "dismiss reports"),
    "action_auto_hide": ("automatyczne ukrycie", "automatic hide"),
    "action_sign_in": ("logowanie", "sign-in"),
    # mutes
    "mutes_title": ("Wyciszenia", "Mutes"),
    "mute_new": ("Wycisz osobę", "Mute a person"),
    "person_id": ("Osoba (identyfikator)", "Person (id)"),
    "until": ("Do dnia", "Until"),
    "until_hint": (
        "Osoba znów może pisać od północy tego dnia.",
        "The person may write again from midnight of that day.",
    ),
    "mute": ("Wycisz", "Mute"),
    "unmute": ("Zdejmij wyciszenie", "Lift the mute"),
    "active_mutes": ("Obowiązujące wyciszenia", "Mutes in force"),
    "no_mutes": ("Nikt nie jest wyciszony.", "Nobody is muted."),
    "muted_by": ("Wyciszył(a)", "Muted by"),
    # reports
    "reports_title": ("Raporty", "Reports"),
    "engagement": ("Zaangażowanie", "Engagement"),
    "engagement_intro": (
        "Artykuły opublikowane w wybranym okresie i cała ich aktywność. Liczone są tylko "
        "widoczne komentarze; uczestnicy to osoby, które skomentowały, zareagowały, "
        "polubiły komentarz lub potwierdziły lekturę.",
        "Articles published in the chosen period, with all their activity. Only visible "
        "comments count; participants are the people who commented, reacted, liked a "
        "comment or confirmed reading.",
    ),
    "from": ("Od (data publikacji)", "From (publication date)"),
    "to": ("Do (data publikacji)", "To (publication date)"),
    "sort": ("Sortuj według", "Sort by"),
    "order": ("Kolejność", "Order"),
    "desc": ("malejąco", "descending"),
    "asc": ("rosnąco", "ascending"),
    "show": ("Pokaż", "Show"),
    "columns": ("Kolumny ({shown} z {total})", "Columns ({shown} of {total})"),
    "columns_legend": ("Kolumny tabeli", "The table's columns"),
    "columns_hint": (
        "Tytuł jest zawsze widoczny; plik CSV ma wszystkie kolumny.",
        "The title is always shown; the CSV file has every column.",
    ),
    "download_csv": ("Pobierz CSV", "Download CSV"),
    "no_articles": ("Brak artykułów w tym okresie.", "No articles in this period."),
    "col_slug": ("Identyfikator", "Slug"),
    "col_title": ("Tytuł", "Title"),
    "col_langs": ("Języki", "Languages"),
    "col_date": ("Data", "Date"),
    "col_must_read": ("Obowiązkowy", "Must-read"),
    "col_comments": ("Komentarze", "Comments"),
    "col_replies": ("Odpowiedzi", "Replies"),
    "col_reactions": ("Reakcje", "Reactions"),
    "col_likes": ("Polubienia", "Likes"),
    "col_participants": ("Uczestnicy", "Participants"),
    "col_acknowledgements": ("Potwierdzenia", "Acknowledgements"),
    "col_first_activity": ("Pierwsza aktywność", "First activity"),
    "col_last_activity": ("Ostatnia aktywność", "Last activity"),
    "reaction": ("Reakcja: {kind}", "Reaction: {kind}"),
    # the default reaction kinds (COMMENTS_REACTIONS), named as the comment widget names them
    "reaction_like": ("Lubię to", "Like"),
    "reaction_love": ("Super", "Love"),
    "reaction_celebrate": ("Gratulacje", "Celebrate"),
    "reaction_insightful": ("Przydatne", "Insightful"),
    "reaction_curious": ("Ciekawe", "Curious"),
    "lang_pl": ("polski", "Polish"),
    "lang_en": ("angielski", "English"),
    "yes": ("tak", "yes"),
    "no": ("nie", "no"),
    "acks": ("Potwierdzenia lektury", "Must-read acknowledgements"),
    "acks_intro": (
        "Potwierdzenie sprzed ostatniej aktualizacji artykułu już się nie liczy: "
        "czytelnik jest proszony o ponowne potwierdzenie.",
        "A confirmation from before the article's latest update no longer counts: "
        "the reader is asked to confirm again.",
    ),
    "acks_updated": (
        "Artykuł zaktualizowano {date}. Potwierdzenia sprzed tej aktualizacji już się nie liczą.",
        "The article was updated on {date}. Confirmations from before that update no longer count.",
    ),
    "acks_not_updated": (
        "Artykuł nie był aktualizowany po publikacji: liczą się wszystkie potwierdzenia.",
        "The article has not been updated since it was published: every confirmation counts.",
    ),
    "updated_on": ("zaktualizowany {date}", "updated on {date}"),
    "no_must_read": ("Brak artykułów obowiązkowych.", "No must-read articles."),
    "ack_count": ("Potwierdzenia", "Acknowledgements"),
    "who_and_when": ("Kto i kiedy", "Who and when"),
    "acks_of": ("Potwierdzenia: {title}", "Acknowledgements: {title}"),
    "login": ("Login", "Login"),
    "person_key": ("Identyfikator", "Id"),
    "name": ("Imię i nazwisko", "Name"),
    "acknowledged_at": ("Data potwierdzenia", "Confirmed on"),
    "outdated": ("Nieaktualne", "Outdated"),
    "outdated_yes": (
        "tak — sprzed aktualizacji artykułu",
        "yes — from before the article was updated",
    ),
    "no_acks": ("Nikt jeszcze nie potwierdził.", "Nobody has confirmed yet."),
    "counted": (
        "Liczone: {count}, nieaktualne: {outdated}",
        "Counted: {count}, outdated: {outdated}",
    ),
    "back_to_reports": ("Wróć do raportów", "Back to reports"),
    "csv_file": ("Plik CSV", "CSV file"),
    # dates in words: "12 listopada 2026", "12 November 2026"
    "long_date": ("{day} {month} {year}", "{day} {month} {year}"),
    "month_1": ("stycznia", "January"),
    "month_2": ("lutego", "February"),
    "month_3": ("marca", "March"),
    "month_4": ("kwietnia", "April"),
    "month_5": ("maja", "May"),
    "month_6": ("czerwca", "June"),
    "month_7": ("lipca", "July"),
    "month_8": ("sierpnia", "August"),
    "month_9": ("września", "September"),
    "month_10": ("października", "October"),
    "month_11": ("listopada", "November"),
    "month_12": ("grudnia", "December"),
}


def translator(lang: str):
    """t(key, **values): the text in `lang`, with {values} filled in."""
    index = LANGS.index(lang)

    def t(key: str, **values: object) -> str:
        pair = STRINGS.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t


def markup_translator(lang: str):
    """Like translator(), for texts with markup among their values (e.g. a `<code>`):
    the text is escaped, and so is every value that is not markup already."""
    t = translator(lang)
    return lambda key, **values: Markup(escape(t(key))).format(**values)


def reaction_name(t, kind: str) -> str:
    """A reaction kind's name: the default kinds have one in each language; a kind an
    operator added (COMMENTS_REACTIONS) is shown as configured."""
    key = f"reaction_{kind}"
    return t(key) if key in STRINGS else kind


def long_date(t, moment: datetime) -> str:
    """A day in words, as readers write it: '12 listopada 2026', '12 November 2026'."""
    month = t(f"month_{moment.month}")
    return t("long_date", day=moment.day, month=month, year=moment.year)


def choose_lang(request: Request) -> tuple[str, bool]:
    """The page's language, and whether it came from ?lang= (so the cookie is to be set)."""
    asked = request.query_params.get("lang", "")
    if asked in LANGS:
        return asked, True
    remembered = request.cookies.get(LANG_COOKIE, "")
    if remembered in LANGS:
        return remembered, False
    return _from_accept_language(request.headers.get("accept-language", "")), False


def _from_accept_language(header: str) -> str:
    """The best of pl and en by the browser's preferences (q values honoured)."""
    best, best_q = DEFAULT_LANG, 0.0
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        # Earlier entries win ties, as the header lists them by preference.
        if primary in LANGS and q > best_q and q > 0:
            best, best_q = primary, q - position * 1e-6
    return best
