"""`make check` (python -m kurier.check): one exact `path:line: message` per mistake."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from kurier.check import Problem, check, main
from kurier.frontmatter import FIELDS
from pelican.settings import read_settings

from tests.site.build import CONTENT, PELICANCONF, REPO

ARTICLE = "content/news/2026/piknik.md"
TRANSLATION = "content/news/2026/piknik.en.md"
PAGE = "content/pages/kontakt.md"
CHANNELS = (
    "Firma, Ludzie, Kadry i benefity, Bezpieczeństwo pracy, "
    "IT i cyberbezpieczeństwo, Z oddziałów, Zrównoważony rozwój"
)

# A small valid site: an article, its translation, a page and an image. Line
# numbers in the expected messages refer to these texts.
VALID_TREE = {
    ARTICLE: """\
Title: Letni piknik w Łodzi
Date: 2026-01-05 10:00
Modified: 2026-01-06 09:00
Category: Ludzie
Tags: piknik, integracja
Summary: Zapraszamy całe rodziny na piknik nad jeziorem.
Image: {static}/images/piknik.jpg
ImageAlt: Pracownicy przy grillu nad jeziorem
Expires: 2026-12-31

Szczegóły na stronie [kontaktowej]({filename}/pages/kontakt.md),
po angielsku [tutaj](/en/news/letni-piknik-w-lodzi.html)
i <a href="{filename}piknik.en.md">tu</a>.

![Mapa dojazdu]({static}/images/piknik.jpg)

```markdown
Code is not checked: [x]({filename}nie-ma-takiego.md)
```
""",
    TRANSLATION: """\
Title: Summer picnic in Łódź
Date: 2026-01-05 10:00
Category: People
Lang: en
Slug: letni-piknik-w-lodzi
Summary: Families welcome at the lakeside picnic.
Comments: moderated
Pinned: yes

See the [Polish version]({filename}piknik.md)
and the [contact page](/pages/kontakt-z-redakcja.html).
Neither is `[code](/news/nie-ma-takiego.html)`.
""",
    PAGE: """\
Title: Kontakt z redakcją

Napisz do nas. Aktualności: [piknik](/news/letni-piknik-w-lodzi.html).
""",
}
DRAFT = """\
Title: Szkic
Category: firma
Status: draft
Summary: Jeszcze nie gotowe.

Tekst.
"""
SCHEDULED = """\
Title: Jutro
Date: 2099-01-01 09:00
Category: firma
Summary: Zaplanowane.

Tekst.
"""
NEW_ARTICLE = """\
Title: Nowy artykuł
Date: 2026-02-01 08:00
Category: IT
Slug: Nowy_Artykul
Summary: Nowość.

Tekst.
"""
UNSLUGGABLE = """\
Title: !!!
Date: 2026-02-01 08:00
Category: IT
Summary: Nic.

Tekst.
"""
DUPLICATE = """\
Title: Letni piknik w Łodzi
Date: 2026-02-01 08:00
Category: firma
Summary: Drugi raz to samo.

Tekst.
"""


def edit(path: str, old: str | None, new: str) -> tuple[str, str | None, str]:
    """Replace `old` with `new` in `path`; with old=None, write a new file."""
    return (path, old, new)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The valid tree in tmp_path/content; tmp_path is the checker's cwd."""
    for rel, text in VALID_TREE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    (tmp_path / "content/images").mkdir()
    (tmp_path / "content/images/piknik.jpg").write_bytes(b"\xff\xd8\xff\xe0 tiny")
    return tmp_path


def apply(root: Path, *edits: tuple[str, str | None, str]) -> None:
    for rel, old, new in edits:
        file = root / rel
        if old is None:
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(new, encoding="utf-8")
            continue
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {rel}"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")


def run_check(
    cwd: Path, *folders: str, settings: Path = PELICANCONF
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kurier.check",
            "--settings",
            str(settings),
            *folders,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


ERRORS = [
    pytest.param(
        [edit(PAGE, "Title: Kontakt z redakcją\n", "")],
        [
            f"{TRANSLATION}:11: broken link /pages/kontakt-z-redakcja.html: "
            "there is no page with slug 'kontakt-z-redakcja' in language pl",
            f"{PAGE}:1: Title is missing (add a 'Title: ...' line to the front matter)",
        ],
        id="missing-title",
    ),
    pytest.param(
        [edit(ARTICLE, "Date: 2026-01-05 10:00\n", "")],
        [f"{ARTICLE}:1: Date is missing (add a 'Date: YYYY-MM-DD HH:MM' line to the front matter)"],
        id="missing-date",
    ),
    pytest.param(
        [edit(ARTICLE, "Category: Ludzie\n", "")],
        [
            f"{ARTICLE}:1: Category is missing "
            f"(add a 'Category: ...' line naming a channel: {CHANNELS})"
        ],
        id="missing-category",
    ),
    pytest.param(
        [edit(TRANSLATION, "Title: Summer picnic in Łódź", "Title:")],
        [f"{TRANSLATION}:1: Title is empty"],
        id="empty-title",
    ),
    pytest.param(
        [edit(ARTICLE, "Date: 2026-01-05 10:00", "Date:")],
        [f"{ARTICLE}:2: Date is empty"],
        id="empty-date",
    ),
    pytest.param(
        [edit(TRANSLATION, "Category: People", "Category:  ")],
        [f"{TRANSLATION}:3: Category is empty"],
        id="empty-category",
    ),
    pytest.param(
        [edit(ARTICLE, "Date: 2026-01-05 10:00", "Date: 2026-13-45 10:00")],
        [f"{ARTICLE}:2: cannot read Date '2026-13-45 10:00' (write it as YYYY-MM-DD HH:MM)"],
        id="bad-date",
    ),
    pytest.param(
        [edit(ARTICLE, "Modified: 2026-01-06 09:00", "Modified: wczoraj")],
        [f"{ARTICLE}:3: cannot read Modified 'wczoraj' (write it as YYYY-MM-DD HH:MM)"],
        id="bad-modified",
    ),
    pytest.param(
        [edit(ARTICLE, "Expires: 2026-12-31", "Expires: koniec roku")],
        [f"{ARTICLE}:9: cannot read Expires 'koniec roku' (write it as YYYY-MM-DD HH:MM)"],
        id="bad-expires",
    ),
    pytest.param(
        [edit(ARTICLE, "Category: Ludzie", "Category: Sport")],
        [f"{ARTICLE}:4: Category: unknown channel 'Sport' (channels: {CHANNELS})"],
        id="unknown-channel",
    ),
    pytest.param(
        [edit(TRANSLATION, "Lang: en", "Lang: de")],
        [f"{TRANSLATION}:4: Lang: unknown language 'de' (use pl or en)"],
        id="unknown-lang",
    ),
    pytest.param(
        [edit(TRANSLATION, "Lang: en", "Lang: EN")],
        [f"{TRANSLATION}:4: write Lang as 'en', not 'EN'"],
        id="lang-case",
    ),
    pytest.param(
        [edit(TRANSLATION, "Lang: en\n", "")],
        [f"{TRANSLATION}:1: Lang is missing: a file named piknik.en.md needs 'Lang: en'"],
        id="lang-missing-for-suffix",
    ),
    pytest.param(
        [edit(TRANSLATION, "Lang: en", "Lang: pl")],
        [
            f"{TRANSLATION}:4: Lang 'pl' does not match the file name piknik.en.md "
            "(write 'Lang: en')"
        ],
        id="lang-not-suffix",
    ),
    pytest.param(
        [edit(ARTICLE, "Image: {static}/images/piknik.jpg", "Image: images/brak.jpg")],
        [f"{ARTICLE}:7: Image 'images/brak.jpg' not found: there is no content/images/brak.jpg"],
        id="image-missing",
    ),
    pytest.param(
        [
            edit("content/news/2026/zdjecie.jpg", None, "JPEG"),
            edit(
                ARTICLE,
                "Image: {static}/images/piknik.jpg",
                "Image: news/2026/zdjecie.jpg",
            ),
        ],
        [
            f"{ARTICLE}:7: Image 'news/2026/zdjecie.jpg' is outside the static folders "
            "(images, extra/robots.txt), so it is not copied to the site"
        ],
        id="image-outside-static",
    ),
    pytest.param(
        [edit(ARTICLE, "ImageAlt: Pracownicy przy grillu nad jeziorem\n", "")],
        [
            f"{ARTICLE}:7: Image needs an ImageAlt: "
            "describe the picture for readers who cannot see it"
        ],
        id="image-without-alt",
    ),
    pytest.param(
        [edit(ARTICLE, "ImageAlt: Pracownicy przy grillu nad jeziorem", "ImageAlt:")],
        [f"{ARTICLE}:8: ImageAlt is empty: describe the picture for readers who cannot see it"],
        id="empty-imagealt",
    ),
    pytest.param(
        [edit(TRANSLATION, "Slug: letni-piknik-w-lodzi", "Slug: summer-picnic")],
        [
            f"{TRANSLATION}:5: Slug 'summer-picnic' differs from the slug "
            f"'letni-piknik-w-lodzi' of {ARTICLE}: translations share one slug "
            "(add 'Slug: letni-piknik-w-lodzi')",
            f"{ARTICLE}:12: broken link /en/news/letni-piknik-w-lodzi.html: "
            "there is no article with slug 'letni-piknik-w-lodzi' in language en",
        ],
        id="translation-slug",
    ),
    pytest.param(
        [edit(TRANSLATION, "Slug: letni-piknik-w-lodzi\n", "")],
        [
            f"{TRANSLATION}:1: slug 'summer-picnic-in-lodz' (from Title) differs from "
            f"the slug 'letni-piknik-w-lodzi' of {ARTICLE}: translations share one "
            "slug (add 'Slug: letni-piknik-w-lodzi')",
            f"{ARTICLE}:12: broken link /en/news/letni-piknik-w-lodzi.html: "
            "there is no article with slug 'letni-piknik-w-lodzi' in language en",
        ],
        id="translation-slug-from-title",
    ),
    pytest.param(
        [edit("content/news/2026/nowy.md", None, NEW_ARTICLE)],
        [
            "content/news/2026/nowy.md:4: Slug 'Nowy_Artykul' may use only lowercase "
            "letters a-z, digits and hyphens, e.g. 'nowy-artykul'"
        ],
        id="bad-slug",
    ),
    pytest.param(
        [edit("content/news/2026/wykrzyknik.md", None, UNSLUGGABLE)],
        ["content/news/2026/wykrzyknik.md:1: Title '!!!' gives an empty slug: add a Slug"],
        id="empty-slug",
    ),
    pytest.param(
        [edit("content/news/2026/zz-kopia.md", None, DUPLICATE)],
        [
            "content/news/2026/zz-kopia.md:1: slug 'letni-piknik-w-lodzi' (from Title) "
            f"is already used by {ARTICLE} (Lang pl): "
            "give this article a different Slug"
        ],
        id="duplicate-slug",
    ),
    pytest.param(
        [edit(ARTICLE, "Expires: 2026-12-31", "Expires: 2026-01-05")],
        [
            f"{ARTICLE}:9: Expires 2026-01-05 00:00 is not after "
            "Date 2026-01-05 10:00: "
            "the article would expire before it appears"
        ],
        id="expires-before-date",
    ),
    pytest.param(
        [edit(ARTICLE, "Expires: 2026-12-31", "Expires: 2026-01-05 10:00")],
        [
            f"{ARTICLE}:9: Expires 2026-01-05 10:00 is not after "
            "Date 2026-01-05 10:00: "
            "the article would expire before it appears"
        ],
        id="expires-at-date",
    ),
    pytest.param(
        [edit(ARTICLE, "Modified: 2026-01-06 09:00", "Modified: 2026-01-04 09:00")],
        [f"{ARTICLE}:3: Modified 2026-01-04 09:00 is earlier than Date 2026-01-05 10:00"],
        id="modified-before-date",
    ),
    pytest.param(
        [edit(ARTICLE, "{filename}/pages/kontakt.md", "{filename}/pages/kontakty.md")],
        [
            f"{ARTICLE}:11: broken link {{filename}}/pages/kontakty.md: "
            "there is no article or page content/pages/kontakty.md"
        ],
        id="broken-filename-link",
    ),
    pytest.param(
        [
            edit(
                ARTICLE,
                'href="{filename}piknik.en.md"',
                'href="{filename}piknik.de.md"',
            )
        ],
        [
            f"{ARTICLE}:13: broken link {{filename}}piknik.de.md: "
            "there is no article or page content/news/2026/piknik.de.md"
        ],
        id="broken-relative-html-link",
    ),
    pytest.param(
        [
            edit(
                PAGE,
                "Napisz do nas.",
                "Napisz do [nas][r].\n\n[r]: {filename}../news/brak.md",
            )
        ],
        [
            f"{PAGE}:5: broken link {{filename}}../news/brak.md: "
            "there is no article or page content/news/brak.md"
        ],
        id="broken-reference-link",
    ),
    pytest.param(
        [
            edit(
                ARTICLE,
                "![Mapa dojazdu]({static}/images/piknik.jpg)",
                "![Mapa]({static}/images/mapa.png)",
            )
        ],
        [
            f"{ARTICLE}:15: broken link {{static}}/images/mapa.png: "
            "there is no file content/images/mapa.png"
        ],
        id="broken-static-link",
    ),
    pytest.param(
        [
            edit(
                ARTICLE,
                "![Mapa dojazdu]({static}/images/piknik.jpg)",
                "[PDF]({attach}piknik.md)",
            )
        ],
        [
            f"{ARTICLE}:15: link {{attach}}piknik.md: content/news/2026/piknik.md is "
            "outside the static folders (images, extra/robots.txt), "
            "so it is not copied to the site"
        ],
        id="link-outside-static",
    ),
    pytest.param(
        [
            edit(
                PAGE,
                "/news/letni-piknik-w-lodzi.html",
                "/news/zimowy-piknik.html#program",
            )
        ],
        [
            f"{PAGE}:3: broken link /news/zimowy-piknik.html#program: "
            "there is no article with slug 'zimowy-piknik' in language pl"
        ],
        id="broken-site-link",
    ),
    pytest.param(
        [
            edit(
                TRANSLATION,
                "(/pages/kontakt-z-redakcja.html)",
                "(/en/pages/kontakt-z-redakcja.html)",
            )
        ],
        [
            f"{TRANSLATION}:11: broken link /en/pages/kontakt-z-redakcja.html: "
            "there is no page with slug 'kontakt-z-redakcja' in language en"
        ],
        id="broken-translated-site-link",
    ),
    pytest.param(
        [
            edit(
                PAGE,
                "/news/letni-piknik-w-lodzi.html",
                "/pl/news/letni-piknik-w-lodzi.html",
            )
        ],
        [
            f"{PAGE}:3: broken link /pl/news/letni-piknik-w-lodzi.html: "
            "articles in pl have no /pl/ in their address"
        ],
        id="default-lang-prefix",
    ),
    pytest.param(
        [
            edit("content/news/2026/szkic.md", None, DRAFT),
            edit(PAGE, "Napisz do nas.", "[Szkic]({filename}../news/2026/szkic.md)"),
        ],
        [
            f"{PAGE}:3: link {{filename}}../news/2026/szkic.md: "
            "content/news/2026/szkic.md "
            "will not be on the site when this one is (Status: draft)"
        ],
        id="link-to-draft",
    ),
    pytest.param(
        [
            edit("content/news/2026/jutro.md", None, SCHEDULED),
            edit(PAGE, "/news/letni-piknik-w-lodzi.html", "/news/jutro.html"),
        ],
        [
            f"{PAGE}:3: link /news/jutro.html: content/news/2026/jutro.md "
            "will not be on the site when this one is (scheduled for 2099-01-01 09:00)"
        ],
        id="link-to-scheduled",
    ),
    pytest.param(
        [edit(TRANSLATION, "Comments: moderated", "Status: gotowe")],
        [f"{TRANSLATION}:7: unknown Status 'gotowe' (use draft or published)"],
        id="unknown-status",
    ),
    pytest.param(
        [edit(TRANSLATION, "Comments: moderated", "Comments: wyłączone")],
        [f"{TRANSLATION}:7: unknown Comments 'wyłączone' (use open, moderated, closed or hidden)"],
        id="unknown-comments",
    ),
    pytest.param(
        [edit(TRANSLATION, "Pinned: yes", "Pinned: może")],
        [f"{TRANSLATION}:8: Pinned must be yes or no, not 'może'"],
        id="bad-flag",
    ),
    pytest.param(
        [edit(ARTICLE, "Expires: 2026-12-31", "Expire: 2026-12-31")],
        [f"{ARTICLE}:9: unknown field 'Expire' (did you mean Expires?)"],
        id="unknown-field",
    ),
    pytest.param(
        [edit(ARTICLE, "Expires: 2026-12-31", "Xyzzy: 1")],
        [
            f"{ARTICLE}:9: unknown field 'Xyzzy' (fields: Title, Date, Modified, "
            "Category, Tags, Authors, Author, AuthorLogins, Summary, Image, ImageAlt, "
            "Lang, Slug, Status, Pinned, MustRead, Expires, Comments, Shareable, Template)"
        ],
        id="unknown-field-no-suggestion",
    ),
    pytest.param(
        [edit(TRANSLATION, "Pinned: yes", "date: 2026-01-06 10:00")],
        [f"{TRANSLATION}:8: Date is given twice (first on line 2)"],
        id="field-twice",
    ),
    pytest.param(
        [
            edit(
                TRANSLATION,
                "Title: Summer picnic in Łódź",
                "Title: Summer picnic\n    in Łódź",
            )
        ],
        [f"{TRANSLATION}:2: Title must be on one line"],
        id="title-on-two-lines",
    ),
    pytest.param(
        [edit(PAGE, "redakcją\n\n", "redakcją\n")],
        [
            f"{PAGE}:2: not a 'Key: value' line: leave a blank line between "
            "the front matter and the text"
        ],
        id="no-blank-line-after-front-matter",
    ),
    pytest.param(
        [edit(TRANSLATION, "Pinned: yes", "AuthorLogins: a.nowak, , j.kowalski")],
        [
            f"{TRANSLATION}:8: AuthorLogins 'a.nowak, , j.kowalski' "
            "has an empty login between commas"
        ],
        id="author-logins-empty-item",
    ),
    pytest.param(
        [edit(TRANSLATION, "Pinned: yes", "AuthorLogins: a.nowak,")],
        [f"{TRANSLATION}:8: AuthorLogins 'a.nowak,' has an empty login between commas"],
        id="author-logins-trailing-comma",
    ),
    pytest.param(
        [edit(TRANSLATION, "Pinned: yes", "AuthorLogins:")],
        [
            f"{TRANSLATION}:8: AuthorLogins is empty "
            "(write logins separated by commas, or remove the line)"
        ],
        id="author-logins-empty",
    ),
    pytest.param(
        [edit(TRANSLATION, "Pinned: yes", "AuthorLogins: a.nowak, jan kowalski")],
        [
            f"{TRANSLATION}:8: AuthorLogins: login 'jan kowalski' contains whitespace "
            "(separate logins with commas)"
        ],
        id="author-logins-whitespace",
    ),
    pytest.param(
        [edit(TRANSLATION, "Pinned: yes", "AuthorLogins: a.nowak\x1b")],
        [
            f"{TRANSLATION}:8: AuthorLogins: login 'a.nowak\\x1b' contains "
            "a control character (U+001B)"
        ],
        id="author-logins-control-character",
    ),
    pytest.param(
        [edit(TRANSLATION, "Pinned: yes", "AuthorLogins: " + "x" * 201)],
        [
            f"{TRANSLATION}:8: AuthorLogins: login '{'x' * 20}…' is 201 characters long "
            "(at most 200)"
        ],
        id="author-logins-too-long",
    ),
    pytest.param(
        [edit(TRANSLATION, "Pinned: yes", "AuthorLogins: a.nowak,\n    j.kowalski")],
        [f"{TRANSLATION}:9: AuthorLogins must be on one line"],
        id="author-logins-on-two-lines",
    ),
    pytest.param(
        [edit(TRANSLATION, "Pinned: yes", "AuthorLogin: a.nowak")],
        [f"{TRANSLATION}:8: unknown field 'AuthorLogin' (did you mean AuthorLogins?)"],
        id="author-logins-misspelt",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), ERRORS)
def test_check_reports_error(site: Path, edits, expected: list[str]) -> None:
    apply(site, *edits)
    result = run_check(site, "content")
    assert result.stdout.splitlines() == expected, result.stderr
    assert result.returncode == 1


WARNINGS = [
    pytest.param(
        [
            edit(
                ARTICLE,
                "Summary: Zapraszamy całe rodziny na piknik nad jeziorem.\n",
                "",
            )
        ],
        f"{ARTICLE}:1: warning: Summary is missing: "
        "listings and feeds will show the first words instead",
        id="no-summary",
    ),
    pytest.param(
        [
            edit(
                ARTICLE,
                "Summary: Zapraszamy",
                "Summary: " + "bardzo " * 45 + "\n    Zapraszamy",
            )
        ],
        f"{ARTICLE}:6: warning: Summary is 362 characters long: keep it under 300 "
        "so it fits in listings",
        id="long-summary",
    ),
    pytest.param(
        [edit("content/images/piknik.jpg", None, "x" * (3 * 1024 * 1024 // 2))],
        f"{ARTICLE}:7: warning: Image '{{static}}/images/piknik.jpg' is 1.5 MB: "
        "over 1 MB loads slowly on phones, make it smaller",
        id="large-image",
    ),
    pytest.param(
        [edit(TRANSLATION, "Pinned: yes", "AuthorLogins: a.nowak, j.kowalski")],
        f"{TRANSLATION}:8: warning: AuthorLogins lists 2 logins for 1 author "
        "(Zespół Komunikacji): 'j.kowalski' matches no one in the byline; "
        "logins follow the order of Authors",
        id="author-logins-beyond-the-byline",
    ),
    pytest.param(
        [
            edit(
                ARTICLE,
                "Tags: piknik, integracja",
                "Authors: Joanna Kamińska\nAuthorLogins: joanna.k",
            )
        ],
        f"{ARTICLE}:6: warning: AuthorLogins: 'joanna.k' replaces 'j.kaminska', the login "
        "AUTHOR_LOGINS gives Joanna Kamińska (logins follow the order of Authors; "
        "if 'j.kaminska' is wrong, correct it in AUTHOR_LOGINS)",
        id="author-logins-replace-the-setting",
    ),
]


@pytest.mark.parametrize(("edits", "expected"), WARNINGS)
def test_check_warning_alone_exits_0(site: Path, edits, expected: str) -> None:
    apply(site, *edits)
    result = run_check(site, "content")
    assert result.stdout.splitlines() == [expected]
    assert result.returncode == 0
    assert result.stderr.strip().endswith("make check: 1 warning in 1 of 3 files")


SETTINGS = """\
import sys
sys.path.insert(0, {repo!r})
from pelicanconf import *  # noqa: F403
AUTHOR_LOGINS = {{
    "Anna Nowak": "a.nowak",
    {entry}
}}
"""

SETTINGS_ERRORS = [
    pytest.param(
        '"Jan Kowalski": "jan kowalski",',
        "settings.py:6: AUTHOR_LOGINS: 'Jan Kowalski': login 'jan kowalski' contains whitespace",
        id="whitespace",
    ),
    pytest.param(
        '"Jan Kowalski": "j.kowalski,a.nowak",',
        "settings.py:6: AUTHOR_LOGINS: 'Jan Kowalski': login 'j.kowalski,a.nowak' contains a comma",
        id="comma",
    ),
    pytest.param(
        '"Jan Kowalski": "j.kowalski\\x00",',
        "settings.py:6: AUTHOR_LOGINS: 'Jan Kowalski': login 'j.kowalski\\x00' "
        "contains a control character (U+0000)",
        id="control-character",
    ),
    pytest.param(
        '"Jan Kowalski": "",',
        "settings.py:6: AUTHOR_LOGINS: 'Jan Kowalski': the login is empty",
        id="empty",
    ),
    pytest.param(
        '"Jan Kowalski": "j" * 201,',
        f"settings.py:6: AUTHOR_LOGINS: 'Jan Kowalski': login '{'j' * 20}…' "
        "is 201 characters long (at most 200)",
        id="too-long",
    ),
    pytest.param(
        '"Jan Kowalski": 7,',
        "settings.py:6: AUTHOR_LOGINS: the login of 'Jan Kowalski' must be text, not int",
        id="login-not-text",
    ),
    pytest.param(
        '7: "j.kowalski",',
        "settings.py:4: AUTHOR_LOGINS: 7 is not a name (the keys are names as in Authors)",
        id="name-not-text",
    ),
    pytest.param(
        '}\nAUTHOR_LOGINS = ["a.nowak"]\nX = {',
        "settings.py:7: AUTHOR_LOGINS must be a dict of author name -> login, not list",
        id="not-a-dict",
    ),
]


@pytest.fixture
def settings_site(site: Path) -> Path:
    """The valid tree with a theme folder, which settings beside it resolve against."""
    (site / "theme").mkdir()
    return site


@pytest.mark.parametrize(("entry", "expected"), SETTINGS_ERRORS)
def test_check_reports_bad_author_logins_setting(
    settings_site: Path, entry: str, expected: str
) -> None:
    site = settings_site
    settings = site / "settings.py"
    settings.write_text(SETTINGS.format(repo=str(REPO), entry=entry), encoding="utf-8")
    result = run_check(site, "content", settings=settings)
    assert result.stdout.splitlines() == [expected], result.stderr
    assert result.returncode == 1


def test_check_finds_author_logins_in_the_settings_it_builds_on(settings_site: Path) -> None:
    """A bad value in pelicanconf.py is reported there, not in publishconf.py that imports it."""
    site = settings_site
    entry = '"Jan Kowalski": "jan kowalski",'
    (site / "base.py").write_text(SETTINGS.format(repo=str(REPO), entry=entry), encoding="utf-8")
    live = site / "live.py"
    live.write_text(
        "import os\nimport sys\nsys.path.append(os.curdir)\nfrom base import *  # noqa: F403\n",
        encoding="utf-8",
    )
    result = run_check(site, "content", settings=live)
    assert result.stdout.splitlines() == [
        "base.py:6: AUTHOR_LOGINS: 'Jan Kowalski': login 'jan kowalski' contains whitespace"
    ]


def test_check_valid_tree_passes(site: Path) -> None:
    result = run_check(site, "content")
    assert result.stdout == ""
    assert result.returncode == 0
    assert result.stderr.strip().endswith("make check: 3 files, no problems")


def test_check_reports_every_error_in_a_file(site: Path) -> None:
    apply(
        site,
        edit(ARTICLE, "Date: 2026-01-05 10:00", "Date: jutro"),
        edit(ARTICLE, "Category: Ludzie", "Category: Sport"),
        edit(ARTICLE, "Expires: 2026-12-31", "Expire: 2026-12-31"),
        edit(PAGE, "Title: Kontakt z redakcją", "Title: Kontakt z redakcją\nStatus: nie"),
    )
    result = run_check(site, "content")
    assert result.stdout.splitlines() == [
        f"{ARTICLE}:2: cannot read Date 'jutro' (write it as YYYY-MM-DD HH:MM)",
        f"{ARTICLE}:4: Category: unknown channel 'Sport' (channels: {CHANNELS})",
        f"{ARTICLE}:9: unknown field 'Expire' (did you mean Expires?)",
        f"{PAGE}:2: unknown Status 'nie' (use draft or published)",
    ]
    assert result.returncode == 1
    assert result.stderr.strip().endswith("make check: 4 errors in 2 of 3 files")


def test_check_accepts_channel_slug_names_and_draft_without_date(site: Path) -> None:
    apply(
        site,
        edit(ARTICLE, "Category: Ludzie", "Category: ludzie"),
        edit(TRANSLATION, "Category: People", "Category: people"),
        edit("content/news/2026/szkic.md", None, DRAFT),
        edit("content/news/2026/.#szkic.md", None, "not an article"),
    )
    result = run_check(site, "content")
    assert (result.stdout, result.returncode) == ("", 0)


def test_check_prints_absolute_paths_outside_cwd(site: Path, tmp_path_factory) -> None:
    apply(site, edit(ARTICLE, "Category: Ludzie", "Category: Sport"))
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = run_check(elsewhere, str(site / "content"))
    assert result.stdout.startswith(f"{site / ARTICLE}:4: Category: unknown channel")


def test_check_main_in_process(site: Path, monkeypatch, capsys) -> None:
    apply(site, edit(TRANSLATION, "Pinned: yes", "Pinned: 2"))
    monkeypatch.chdir(site)
    status = main(["--settings", str(PELICANCONF), "content"])
    out, err = capsys.readouterr()
    assert status == 1
    assert out == f"{TRANSLATION}:8: Pinned must be yes or no, not '2'\n"
    assert err == "make check: 1 error in 1 of 3 files\n"


def test_check_function_returns_problems(site: Path) -> None:
    apply(site, edit(TRANSLATION, "Comments: moderated", "Comments: off"))
    settings = read_settings(str(PELICANCONF))
    problems = check(site / "content", settings)
    assert problems == [
        Problem(
            site / TRANSLATION,
            7,
            "unknown Comments 'off' (use open, moderated, closed or hidden)",
        )
    ]
    assert str(Problem(Path("a.md"), 3, "odd", "warning")) == "a.md:3: warning: odd"


def test_check_fields_are_in_the_writers_guide() -> None:
    """Every field the checker accepts has a row in the README's front matter table."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `(\w+)`", readme, re.M))
    rows |= {"ImageAlt"}  # shares the row of Image
    pelicans_own = {"Author", "Template"}  # Pelican's fields, left to its documentation
    assert set(FIELDS.values()) - pelicans_own <= rows


def test_check_sample_content_passes() -> None:
    result = run_check(REPO, str(CONTENT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [line for line in result.stdout.splitlines() if ": warning: " not in line]


# --- make check and the pre-commit hook ----------------------------------------


def _git(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=Redakcja",
            "-c",
            "user.email=redakcja@example.com",
            *args,
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def repo(site: Path, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A throwaway git repository with Kurier's Makefile, settings and the valid tree.

    make uses the project's virtualenv through VENV, pointed at a stand-in that
    runs this interpreter, so no `make install` happens in the copy.
    """
    repo = tmp_path_factory.mktemp("repo")
    shutil.copy(REPO / "Makefile", repo)
    shutil.copy(PELICANCONF, repo)
    shutil.copytree(site / "content", repo / "content")
    (repo / "theme").mkdir()
    (repo / "pyproject.toml").write_text("# stand-in\n")
    os.utime(repo / "pyproject.toml", (0, 0))
    venv = tmp_path_factory.mktemp("venv")
    (venv / "bin").mkdir()
    python = venv / "bin/python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    (venv / ".kurier-installed").touch()
    env = {**os.environ, "VENV": str(venv)}
    env.pop("MAKEFLAGS", None)
    _git(repo, "init", "-q", env=env)
    return repo, env


def test_check_make_target(repo) -> None:
    path, env = repo
    result = subprocess.run(
        ["make", "--no-print-directory", "check"],
        cwd=path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.stdout, result.returncode) == ("", 0), result.stderr
    assert "make check: 3 files, no problems" in result.stderr


def test_check_hook_refuses_a_broken_commit(repo) -> None:
    path, env = repo
    result = subprocess.run(
        ["make", "hooks"], cwd=path, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    hook = path / ".git/hooks/pre-commit"
    assert hook.stat().st_mode & stat.S_IXUSR
    assert "make --no-print-directory" in hook.read_text()

    _git(path, "add", "-A", env=env)
    good = _git(path, "commit", "-q", "-m", "Piknik", env=env)
    assert good.returncode == 0, good.stdout + good.stderr

    apply(path, edit(ARTICLE, "Category: Ludzie", "Category: Sport"))
    _git(path, "add", "-A", env=env)
    bad = _git(path, "commit", "-q", "-m", "Zły kanał", env=env)
    assert bad.returncode != 0
    assert f"{ARTICLE}:4: Category: unknown channel 'Sport'" in bad.stdout + bad.stderr
    log = _git(path, "log", "--oneline", env=env)
    assert len(log.stdout.splitlines()) == 1
