"""articles.json: exactly the published articles, with the fields of API.md."""

from __future__ import annotations

from datetime import datetime

from tests.site import sample

REQUIRED = {
    "slug",
    "title",
    "url",
    "lang",
    "date",
    "category",
    "must_read",
    "translations",
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
