"""`make publish`: checks, a real Pelican build and an atomic swap into output/."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from kurier import publish

from tests.site.build import CONTENT, PUBLISHCONF, REPO

CONTENT_REFUSED = "publish: content has errors; the live site was not changed"
WARSAW = ZoneInfo("Europe/Warsaw")  # pelicanconf.TIMEZONE
Snapshot = tuple[int, set[str], dict[str, bytes]]


def run_publish(content: Path, output: Path, *options: str) -> subprocess.CompletedProcess:
    """`make publish`, on the given folders."""
    return subprocess.run(
        publish_command(content, output, *options),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def publish_command(content: Path, output: Path, *options: str) -> list[str]:
    return [
        sys.executable, "-m", "kurier.publish", "--content", str(content),
        "--output", str(output), "--settings", str(PUBLISHCONF), *options,
    ]  # fmt: skip


def succeeded(result: subprocess.CompletedProcess) -> bool:
    return result.returncode == 0


def snapshot(root: Path) -> Snapshot:
    """The folder itself, every folder below it and every file's bytes."""
    folders, files = set(), {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_dir():
            folders.add(relative)
        else:
            files[relative] = path.read_bytes()
    return root.stat().st_ino, folders, files


def leftovers(output: Path) -> list[Path]:
    return sorted(output.parent.glob(f".{output.name}.staging-*"))


def write_article(
    content: Path, slug: str, *, title: str, date: str, file: str = "", **fields: str
) -> Path:
    """A news article in `content/news/2026/`; `fields` are more front matter."""
    lines = {
        "Title": title,
        "Date": date,
        "Category": "firma",
        "Tags": "publikacja",
        "Slug": slug,
        "Lang": "pl",
        "Summary": f"Krótko: {title}.",
        **fields,
    }
    path = content / "news" / "2026" / (file or f"{slug}.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    front = "".join(f"{key}: {value}\n" for key, value in lines.items())
    path.write_text(f"{front}\n{title}: treść artykułu.\n", encoding="utf-8")
    return path


def when(days: float) -> str:
    """A Date value `days` from now, in the site's time zone."""
    moment = datetime.now(WARSAW) + timedelta(days=days)
    return moment.strftime("%Y-%m-%d %H:%M")


def manifest_slugs(output: Path) -> set[str]:
    entries = json.loads((output / "articles.json").read_text(encoding="utf-8"))
    return {entry["slug"] for entry in entries}


def texts_mentioning(output: Path, text: str) -> list[str]:
    return [
        path.relative_to(output).as_posix()
        for path in output.rglob("*")
        if path.suffix in {".html", ".xml", ".json"}
        and text in path.read_text(encoding="utf-8", errors="replace")
    ]


def small_content(destination: Path) -> Path:
    """A small valid content tree of the tests' own.

    Quicker to build than the sample, and untouched by edits to the sample.
    """
    write_article(destination, "publikacja-start", title="Start publikacji", date=when(-30))
    write_article(
        destination, "publikacja-start", title="Publishing starts", date=when(-30),
        file="publikacja-start.en.md", Lang="en", Category="Company",
    )  # fmt: skip
    write_article(
        destination, "publikacja-druga", title="Druga wiadomość", date=when(-2),
        Category="ludzie",
    )  # fmt: skip
    about = destination / "pages" / "o-kurierze.md"
    about.parent.mkdir(parents=True)
    about.write_text("Title: O Kurierze\n\nO nas.\n", encoding="utf-8")
    return destination


@pytest.fixture(scope="session")
def first_site(tmp_path_factory) -> tuple[Path, Path]:
    """The small content and the site a first publish made of it."""
    base = tmp_path_factory.mktemp("publish")
    content = small_content(base / "content")
    result = run_publish(content, base / "output")
    assert succeeded(result), result.stdout + result.stderr
    return content, base / "output"


@pytest.fixture
def live(first_site, tmp_path) -> tuple[Path, Path]:
    """A test's own copy of the content and of the live site built from it."""
    content, output = first_site
    shutil.copytree(content, tmp_path / "content")
    shutil.copytree(output, tmp_path / "output", symlinks=True)
    return tmp_path / "content", tmp_path / "output"


def test_publish_sample_creates_site_without_leftovers(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    output = tmp_path / "output"
    crashed = tmp_path / ".output.staging-20260101T000000-4242"
    crashed.mkdir()
    (crashed / "index.html").write_text("half a site", encoding="utf-8")

    result = run_publish(content, output)

    assert succeeded(result), result.stdout + result.stderr
    assert (output / "index.html").is_file()
    entries = json.loads((output / "articles.json").read_text(encoding="utf-8"))
    assert entries
    assert all((output / entry["url"]).is_file() for entry in entries)
    assert re.search(r"published \d+ articles? .* in \d+\.\d s", result.stdout)
    assert leftovers(output) == []
    assert not (tmp_path / ".output.previous").exists()


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        pytest.param({"Category": "Plotki z kuchni"}, 3, id="unknown-channel"),
        pytest.param({"Date": "przedwczoraj o świcie"}, 2, id="unparsable-date"),
    ],
)
def test_publish_content_error_keeps_live_site(live, fields, line):
    content, output = live
    before = snapshot(output)
    write_article(content, "zepsuty-artykul", title="Zepsuty", date=when(-1), **fields)

    result = run_publish(content, output)

    said = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(rf"zepsuty-artykul\.md:{line}: ", said), said
    assert CONTENT_REFUSED in result.stderr
    assert snapshot(output) == before
    assert leftovers(output) == []


def test_publish_build_failure_keeps_live_site(live, tmp_path):
    content, output = live
    before = snapshot(output)
    theme = tmp_path / "broken-theme"
    shutil.copytree(REPO / "theme", theme)
    (theme / "templates" / "article.html").write_text("{% if %}\n", encoding="utf-8")

    result = run_publish(content, output, "-t", str(theme))

    assert result.returncode == 1
    assert "TemplateSyntaxError" in result.stderr
    assert "publish: the live site was not changed" in result.stderr
    assert "content has errors" not in result.stderr
    assert snapshot(output) == before
    assert leftovers(output) == []


class IndexReader:
    """Opens output/index.html in a tight loop, as a busy web server would.

    A probe, not a proof: two plain renames leave output/ missing for some
    microseconds, which this loop catches in roughly one publish out of five.
    """

    def __init__(self, output: Path):
        self.index = str(output / "index.html")
        self.output = output
        self.reads = 0
        self.failures: list[str] = []
        self.folders: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        index, flags, stopped = self.index, os.O_RDONLY, self._stop.is_set
        while not stopped():
            # The output folder's inode changes with the swap: seeing two
            # shows the loop ran before and after it.
            with contextlib.suppress(OSError):
                self.folders.add(self.output.stat().st_ino)
            for _ in range(100):
                try:
                    os.close(os.open(index, flags))
                    self.reads += 1
                except OSError as error:
                    self.failures.append(repr(error))

    def __enter__(self) -> IndexReader:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def test_publish_replaces_site_and_keeps_previous(live):
    content, output = live
    before = snapshot(output)
    write_article(content, "publikacja-nowa", title="Nowy artykuł", date=when(-1))
    reader = IndexReader(output)

    with reader:
        result = run_publish(content, output)

    assert succeeded(result), result.stdout + result.stderr
    assert "two renames" not in result.stderr
    assert reader.failures == []
    assert reader.reads > 0
    assert len(reader.folders) == 2, "the reader did not see the swap happen"
    assert "publikacja-nowa" in manifest_slugs(output)
    assert (output / "news" / "publikacja-nowa.html").is_file()
    assert snapshot(output.parent / ".output.previous") == before
    assert leftovers(output) == []


def test_publish_scheduled_and_draft_articles_stay_unpublished(live):
    content, output = live
    tomorrow = when(1)
    scheduled = write_article(
        content, "publikacja-zaplanowana", title="Zaplanowana premiera",
        date=tomorrow,
    )  # fmt: skip
    write_article(
        content, "publikacja-szkic", title="Szkic tajnego planu", date=when(-1),
        Status="draft",
    )  # fmt: skip

    result = run_publish(content, output)

    assert succeeded(result), result.stdout + result.stderr
    slugs = manifest_slugs(output)
    assert {"publikacja-zaplanowana", "publikacja-szkic"}.isdisjoint(slugs)
    assert not (output / "drafts").exists()
    assert not (output / "news" / "publikacja-zaplanowana.html").exists()
    assert not (output / "news" / "publikacja-szkic.html").exists()
    assert texts_mentioning(output, "Zaplanowana premiera") == []
    assert texts_mentioning(output, "Szkic tajnego planu") == []

    text = scheduled.read_text(encoding="utf-8")
    scheduled.write_text(text.replace(tomorrow, when(-1 / 24)), encoding="utf-8")
    result = run_publish(content, output)

    assert succeeded(result), result.stdout + result.stderr
    assert "publikacja-zaplanowana" in manifest_slugs(output)
    assert (output / "news" / "publikacja-zaplanowana.html").is_file()
    assert "publikacja-szkic" not in manifest_slugs(output)
    assert not (output / "drafts").exists()


def test_publish_gives_up_while_another_publish_runs(live):
    content, output = live
    before = snapshot(output)
    write_article(content, "publikacja-czeka", title="Czeka", date=when(-1))

    with open(output.parent / ".output.publish.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = run_publish(content, output, "--wait", "0.5")

    assert result.returncode == publish.EXIT_LOCKED
    assert "another publish" in result.stderr
    assert "the live site was not changed" in result.stderr
    assert snapshot(output) == before
    assert leftovers(output) == []


def test_publish_waits_for_another_publish_to_finish(live):
    content, output = live
    write_article(content, "publikacja-czeka", title="Czeka", date=when(-1))
    lock = open(output.parent / ".output.publish.lock", "a+")  # noqa: SIM115
    fcntl.flock(lock, fcntl.LOCK_EX)
    releaser = threading.Timer(1.0, lock.close)

    started = time.monotonic()
    releaser.start()
    try:
        result = run_publish(content, output, "--wait", "60")
    finally:
        releaser.cancel()
        lock.close()

    assert succeeded(result), result.stdout + result.stderr
    assert time.monotonic() - started >= 1.0
    assert "publikacja-czeka" in manifest_slugs(output)


def make_tree(root: Path, text: str) -> Path:
    (root / "news").mkdir(parents=True)
    (root / "index.html").write_text(text, encoding="utf-8")
    (root / "news" / "a.html").write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("atomic", [True, False], ids=["exchange", "two-renames"])
def test_publish_swap_replaces_output_and_previous(tmp_path, atomic):
    places = publish.Places(tmp_path / "output")
    make_tree(places.output, "live")
    make_tree(places.previous, "older")
    staging = make_tree(places.new_staging(), "new")
    os.chmod(places.output, 0o750)

    publish.swap(staging, places, atomic=atomic)

    assert (places.output / "news" / "a.html").read_text(encoding="utf-8") == "new"
    assert (places.previous / "index.html").read_text(encoding="utf-8") == "live"
    assert places.output.stat().st_mode & 0o777 == 0o750
    assert not staging.exists()
    assert leftovers(places.output) == []


def test_publish_swap_into_missing_output_is_a_rename(tmp_path):
    places = publish.Places(tmp_path / "output")
    staging = make_tree(places.new_staging(), "new")

    publish.swap(staging, places)

    assert (places.output / "index.html").read_text(encoding="utf-8") == "new"
    assert not places.previous.exists()
    assert not staging.exists()


def looping_theme(tmp_path: Path) -> Path:
    """A copy of the theme whose article template never finishes rendering."""
    theme = tmp_path / "looping-theme"
    shutil.copytree(REPO / "theme", theme)
    (theme / "templates" / "article.html").write_text(
        "{% for _ in range(10 ** 12) %}{% endfor %}\n", encoding="utf-8"
    )
    return theme


def test_publish_stops_a_build_that_takes_too_long(live, tmp_path):
    content, output = live
    before = snapshot(output)
    theme = looping_theme(tmp_path)

    result = run_publish(content, output, "-t", str(theme), "--build-timeout", "3")

    assert result.returncode == 1
    assert "took longer than 3 s" in result.stderr
    assert "publish: the live site was not changed" in result.stderr
    assert snapshot(output) == before
    assert leftovers(output) == []


def processes_mentioning(text: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
    return found


def test_publish_interrupted_by_sigterm_cleans_up(live, tmp_path):
    content, output = live
    before = snapshot(output)
    theme = looping_theme(tmp_path)
    command = publish_command(content, output, "-t", str(theme))
    with subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as running:
        try:
            deadline = time.monotonic() + 60
            while not (staging := leftovers(output)) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert staging, "publish never started a build"
            while not processes_mentioning(staging[0].name):
                assert time.monotonic() < deadline, "Pelican never started"
                time.sleep(0.05)
            running.terminate()
            _, stderr = running.communicate(timeout=60)
        finally:
            running.kill()

    assert running.returncode == 128 + 15
    assert "stopped by SIGTERM" in stderr
    assert processes_mentioning(staging[0].name) == []
    assert snapshot(output) == before
    assert leftovers(output) == []


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        pytest.param({"articles.json": "[]"}, "no index.html", id="no-front-page"),
        pytest.param({"index.html": "<h1>"}, "no articles.json", id="no-manifest"),
        pytest.param(
            {"index.html": "<h1>", "articles.json": '[{"slug": '},
            "articles.json is unreadable",
            id="broken-manifest",
        ),
        pytest.param(
            {"index.html": "<h1>", "articles.json": "{}"},
            "not a list",
            id="manifest-not-a-list",
        ),
    ],
)
def test_publish_verify_refuses_incomplete_build(tmp_path, files, problem):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")

    with pytest.raises(publish.PublishError, match=problem):
        publish.verify(tmp_path)


@pytest.mark.parametrize("option", ["-o", "--out", "-s", "-r", "--listen"])
def test_publish_refuses_pelican_options_it_decides(tmp_path, option):
    result = run_publish(tmp_path, tmp_path / "output", option, str(tmp_path / "x"))

    assert result.returncode == 2
    assert f"{option} cannot be passed to Pelican" in result.stderr
    assert not (tmp_path / "output").exists()
