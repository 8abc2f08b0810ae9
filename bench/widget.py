"""The comment widget as readers get it: its weight, an article page's transfer, live latency.

The sample site is built with `pelicanconf.py` and served, with the API, by
`python -m comments_service serve --workers 2` on 127.0.0.1 (open mode, a
fresh SQLite file), as `make run` serves it.

- Weight: `comments.js` and `comments.css` as the built site ships them (bundled
  and minified by the site build), raw and `gzip -9`.
- Transfer: a typical article page (the median-sized article of the sample
  site) and the styles and scripts it loads, as the server sends them to a
  browser that accepts gzip; the API answers the widget reads are listed apart.
- Live: `bench.live_events` posts comments one at a time, each on a new
  connection (so they land on either worker), and times each until every
  listener (its own event stream, on either worker) has it.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import orjson

from bench import REPO, Budget, Section, markdown_table, servers
from bench.live_events import measure_event_latency
from bench.widget_size import BUDGET_GZIP, GOAL_GZIP, widget_sizes

NAME = "widget"
TITLE = "Comment widget: weight, article page transfer, live updates across workers"

LIVE_P95_MS = 2000.0  # a comment shows in another reader's page within 2 s
POSTS, QUICK_POSTS = 50, 10
LISTENERS = 4
WORKERS = 2
GZIP = {"Accept-Encoding": "gzip"}
STATIC_DIR = "theme"  # Pelican's THEME_STATIC_DIR, where the site ships the widget


class _Assets(HTMLParser):
    """The stylesheets and scripts a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "link" and {"stylesheet", "modulepreload"} & set((attr.get("rel") or "").split()):
            self.found.append(attr["href"] or "")
        elif tag == "script" and attr.get("src"):
            self.found.append(attr["src"] or "")


def build_site(output: Path, siteurl: str) -> None:
    """The sample site, built as `make run` builds it."""
    command = [sys.executable, "-m", "pelican", "content", "-o", str(output), "-s"]
    env = {**os.environ, "KURIER_SITEURL": siteurl}
    subprocess.run([*command, "pelicanconf.py"], cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=600)  # fmt: skip


def typical_article(site: Path) -> tuple[str, str]:
    """(slug, path) of the median-sized Polish article of the built site."""
    articles = orjson.loads((site / "articles.json").read_bytes())
    articles = articles["articles"] if isinstance(articles, dict) else articles
    polish = [a for a in articles if a.get("lang", "pl") == "pl"] or articles
    paths = [(a["slug"], "/" + urlsplit(a["url"]).path.lstrip("/")) for a in polish]
    paths.sort(key=lambda item: (site / item[1].lstrip("/")).stat().st_size)
    return paths[len(paths) // 2]


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, int, bytes]:
    """(bytes on the wire, bytes decoded, body as sent) of one GET with gzip accepted."""
    status, answer, body = servers.call(port, "GET", path, {**GZIP, **(headers or {})})
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    decoded = gzip.decompress(body) if answer.get("Content-Encoding") == "gzip" else body
    return len(body), len(decoded), decoded


def transfer(port: int, path: str) -> list[tuple[str, int, int]]:
    """(what, wire bytes, decoded bytes) of the page and each style and script it loads."""
    wire, raw, html = fetch(port, path)
    rows = [(path, wire, raw)]
    parser = _Assets()
    parser.feed(html.decode("utf-8"))
    for href in parser.found:
        asset = urlsplit(urljoin(f"http://{servers.HOST}:{port}{path}", href)).path
        wire, raw, _ = fetch(port, asset)
        rows.append((asset, wire, raw))
    return rows


def api_reads(port: int, slug: str) -> list[tuple[str, int, int]]:
    """The API answers the widget reads to draw an empty thread: who am I, the thread."""
    rows = []
    for path in ("/api/v1/me", f"/api/v1/threads/{slug}"):
        wire, raw, _ = fetch(port, path)
        rows.append((path, wire, raw))
    return rows


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def run(quick: bool) -> Section:
    posts = QUICK_POSTS if quick else POSTS
    with tempfile.TemporaryDirectory(prefix="kurier-bench-widget-") as folder:
        folder = Path(folder)
        port = servers.free_port()
        base = f"http://{servers.HOST}:{port}"
        build_site(folder / "site", base)
        sizes = widget_sizes(folder / "site" / STATIC_DIR)
        env = servers.service_env(
            folder / "comments.sqlite3", COMMENTS_SITE_DIR=str(folder / "site")
        )
        command = servers.serve_command("comments_service", port, workers=WORKERS)
        with servers.Server("kurier", command, port, folder / "kurier.log", env, cwd=REPO):
            slug, path = typical_article(folder / "site")
            page = transfer(port, path)
            reads = api_reads(port, slug)
            live = asyncio.run(
                measure_event_latency(base, slug, posts=posts, listeners=LISTENERS, posters=10)
            )
    return report(sizes, page, reads, live, posts)


def report(sizes, page, reads, live, posts) -> Section:
    weight = markdown_table(
        ["file", "raw", "gzip -9"],
        [[f"`{name}`", f"{s['raw']:,} B", f"{s['gzip']:,} B"] for name, s in sizes.items()],
    )
    total_wire = sum(wire for _, wire, _ in page)
    total_raw = sum(raw for _, _, raw in page)
    transfer_rows = [[f"`{what}`", f"{wire:,} B", f"{raw:,} B"] for what, wire, raw in page]
    transfer_rows.append(["**page total (HTML + CSS + JS)**", f"**{total_wire:,} B**",
                          f"**{total_raw:,} B**"])  # fmt: skip
    transfer_rows += [[f"`{what}` (API, JSON)", f"{wire:,} B", f"{raw:,} B"]
                      for what, wire, raw in reads]  # fmt: skip
    pages = markdown_table(["request", "sent (gzip)", "decoded"], transfer_rows)
    latency = markdown_table(
        ["posts", "listeners", "samples", "p50", "p95", "max", "missed", "out of order"],
        [[live.posts, live.listeners, len(live.samples), f"{live.p50_ms:.1f} ms",
          f"{live.p95_ms:.1f} ms", f"{live.max_ms:.1f} ms", live.missing, live.out_of_order]],
    )  # fmt: skip
    body = "\n\n".join(
        [
            "### Weight of the widget",
            f"The script and its styles as the site ships them (bundled and minified by the "
            f"site build), as a browser downloads them compressed. For scale: Isso's embed "
            f"ships about 22 KB gzipped, Remark42's about 73 KB. Budget: {_kb(BUDGET_GZIP)} "
            f"gzipped together (goal: {_kb(GOAL_GZIP)}).",
            weight,
            "### A typical article page",
            f"The median-sized article of the sample site, `{page[0][0]}`, with every "
            "stylesheet and script it loads, as `python -m comments_service serve` sends "
            "them to a browser that accepts gzip (images and the SVG logo are not counted). "
            "Below the total, the two API answers the widget reads for an empty thread.",
            pages,
            "### From a POST to the event in another reader's stream",
            f"`python -m comments_service serve --workers {WORKERS}`: {live.posts} comments "
            f"posted one at a time on new connections, each timed until all {live.listeners} "
            "listening streams (spread over both workers) received it; a random pause of up "
            "to 0.2 s before each post. Workers learn of each other's writes by polling "
            "SQLite's `PRAGMA data_version` every 100 ms.",
            latency,
        ]
    )
    budgets = [
        Budget("comments.js + comments.css, gzip -9", sizes["total"]["gzip"] / 1024,
               BUDGET_GZIP / 1024, " KB"),
        Budget(f"POST → event in another client, p95 over {posts} posts", live.p95_ms,
               LIVE_P95_MS, " ms"),
    ]  # fmt: skip
    if live.missing:
        budgets.append(Budget("events that never arrived", live.missing, 0, ""))
    return Section(body, budgets)
