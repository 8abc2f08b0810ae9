"""articles.json: exactly the published articles, with the fields of API.md."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from pelican.settings import read_settings

from tests.site import sample
from tests.site.build import PELICANCONF, REPO, build, run_pelican

REQUIRED = {
    "slug",
    "title",
    "url",
    "lang",
    "date",
    "category",
    "must_read",
    "translations",
    "author_logins",
}


def test_manifest_lists_exactly_the_published_articles(manifest):
    expected = {(s.slug, s.lang) for s in sample.articles() if s.published}
    listed = [(entry["slug"], entry["lang"]) for entry in manifest]
    assert len(listed) == len(set(listed)), "an article is listed twice"
    assert set(listed) == expected


def test_manifest_leaves_out_drafts_and_scheduled_articles(manifest):
    unpublished = [s for s in sample.articles() if not s.published]
    kinds = {"draft" if s.meta.get("status") == "draft" else "scheduled" for s in unpublished}
    assert kinds == {"draft", "scheduled"}, "the sample must hold a draft and a scheduled article"
    listed = {(entry["slug"], entry["lang"]) for entry in manifest}
    for source in unpublished:
        assert (source.slug, source.lang) not in listed, source.path


def test_manifest_entries_have_the_contract_fields(manifest, site):
    for entry in manifest:
        assert entry.keys() >= REQUIRED, entry
        assert isinstance(entry["must_read"], bool)
        assert all(isinstance(login, str) for login in entry["author_logins"])
        assert datetime.fromisoformat(entry["date"]).tzinfo is not None
        assert not entry["url"].startswith(("http:", "https:", "/"))
        assert (site / entry["url"]).is_file(), entry["url"]


def test_manifest_values_match_the_front_matter(manifest):
    sources = {(s.slug, s.lang): s for s in sample.articles() if s.published}
    for entry in manifest:
        source = sources[(entry["slug"], entry["lang"])]
        assert entry["must_read"] == source.flag("mustread"), source.path
        assert datetime.fromisoformat(entry["date"]) == source.when("date"), source.path
        assert entry["comments"] == source.meta.get("comments", "open"), source.path


def test_manifest_translations_point_at_each_other(manifest):
    by_url = {entry["url"]: entry for entry in manifest}
    pairs = 0
    for entry in manifest:
        for translation in entry["translations"]:
            other = by_url[translation["url"]]
            assert other["slug"] == entry["slug"]
            assert other["lang"] == translation["lang"] != entry["lang"]
            assert {"lang": entry["lang"], "url": entry["url"]} in other["translations"]
            pairs += 1
    assert pairs >= 8, "the sample must hold at least 4 translated pairs"


# --- author_logins: who may carry the article author's badge -----------------

TEAM = "Zespół Komunikacji"  # pelicanconf.AUTHOR: a byline, not a person who signs in


def test_manifest_author_logins_follow_the_bylines_of_the_sample(manifest):
    known = read_settings(str(PELICANCONF))["AUTHOR_LOGINS"]
    people = {name for entry in manifest for name in entry["authors"]} - {TEAM}
    assert people <= known.keys(), "every person in a sample byline has a login"
    for entry in manifest:
        expected = sorted({known[name] for name in entry["authors"] if name in known})
        assert entry["author_logins"] == expected, entry["url"]
    welcome = [entry for entry in manifest if entry["slug"] == "witamy-w-kurierze"]
    assert [entry["author_logins"] for entry in welcome] == [["j.kaminska"]] * 2


LOGINS_SETTINGS = """\
import sys
sys.path.insert(0, {repo!r})
from pelicanconf import *  # noqa: F403
AUTHOR_LOGINS = {{"Anna Nowak": "a.nowak", "Jan Kowalski": "j.kowalski"}}
"""


def _article(slug: str, front: str, lang: str = "pl") -> str:
    category = "Firma" if lang == "pl" else "Company"
    return (
        f"Title: {slug}\nDate: 2026-01-05 10:00\nCategory: {category}\nLang: {lang}\n"
        f"Slug: {slug}\nSummary: {slug}.\n{front}\nText.\n"
    )


LOGIN_ARTICLES = {
    "mapped.md": _article("mapped", "Authors: Anna Nowak\n"),
    "mapped.en.md": _article("mapped", "Authors: Anna Nowak, Jan Kowalski\n", lang="en"),
    "guest.md": _article("guest", "Authors: Olga Gość\nAuthorLogins: o.gosc\n"),
    "merged.md": _article("merged", "Authors: Olga Gość, Jan Kowalski\nAuthorLogins: o.gosc\n"),
    "override.md": _article(
        "override", "Authors: Anna Nowak, Jan Kowalski\nAuthorLogins: anna.nowak\n"
    ),
    "beyond.md": _article("beyond", "Authors: Anna Nowak\nAuthorLogins: a.nowak, r.gosc\n"),
    "sorted.md": _article(
        "sorted", "Authors: Jan Kowalski, Anna Nowak\nAuthorLogins: j.kowalski\n"
    ),
    "team.md": _article("team", ""),
}


@pytest.fixture(scope="module")
def login_manifest(tmp_path_factory) -> dict[tuple[str, str], list[str]]:
    """(slug, lang) -> author_logins of a small site built with its own AUTHOR_LOGINS."""
    root = tmp_path_factory.mktemp("logins")
    (root / "content/news").mkdir(parents=True)
    for name, text in LOGIN_ARTICLES.items():
        (root / "content/news" / name).write_text(text, encoding="utf-8")
    settings = root / "settings.py"
    settings.write_text(LOGINS_SETTINGS.format(repo=str(REPO)), encoding="utf-8")
    site = build(root / "content", root / "output", settings=settings)
    entries = json.loads((site / "articles.json").read_text(encoding="utf-8"))
    return {(entry["slug"], entry["lang"]): entry["author_logins"] for entry in entries}


@pytest.mark.parametrize(
    ("slug", "lang", "expected"),
    [
        pytest.param("mapped", "pl", ["a.nowak"], id="from-setting"),
        pytest.param("mapped", "en", ["a.nowak", "j.kowalski"], id="translation-its-own"),
        pytest.param("guest", "pl", ["o.gosc"], id="from-front-matter"),
        pytest.param("merged", "pl", ["j.kowalski", "o.gosc"], id="merged"),
        pytest.param("override", "pl", ["anna.nowak", "j.kowalski"], id="front-matter-wins"),
        pytest.param("beyond", "pl", ["a.nowak", "r.gosc"], id="beyond-the-byline"),
        pytest.param("sorted", "pl", ["a.nowak", "j.kowalski"], id="sorted-deduplicated"),
        pytest.param("team", "pl", [], id="none"),
    ],
)
def test_manifest_author_logins(login_manifest, slug: str, lang: str, expected: list[str]):
    assert login_manifest[(slug, lang)] == expected


def test_build_refuses_a_bad_author_logins_setting(tmp_path: Path):
    settings = tmp_path / "settings.py"
    settings.write_text(
        LOGINS_SETTINGS.format(repo=str(REPO)).replace('"a.nowak"', '"anna nowak"'),
        encoding="utf-8",
    )
    (tmp_path / "content/news").mkdir(parents=True)
    (tmp_path / "content/news/mapped.md").write_text(LOGIN_ARTICLES["mapped.md"])
    # Wide enough that Pelican's log does not wrap the message.
    wide = {"COLUMNS": "300"}
    result = run_pelican(tmp_path / "content", tmp_path / "output", settings=settings, env=wide)
    assert result.returncode != 0
    assert "AUTHOR_LOGINS: 'Anna Nowak': login 'anna nowak' contains whitespace" in (
        result.stdout + result.stderr
    )
