"""`make run`: one command builds the site and serves it with the comments on 127.0.0.1.

The real Makefile target, on a free port, with its output folder and var/
in tmp_path (OUTPUTDIR=, VARDIR=); stopped as a terminal's Ctrl-C would.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx2
import pytest
from bs4 import BeautifulSoup

from tests.servers import free_port
from tests.site import sample

REPO = Path(__file__).resolve().parents[1]
STARTUP = 180.0  # the first run builds the whole sample site


def start(tmp_path: Path, port: int) -> subprocess.Popen:
    env = {name: value for name, value in os.environ.items() if not name.startswith("COMMENTS_")}
    command = ["make", "--no-print-directory", "run", f"PORT={port}",
               f"OUTPUTDIR={tmp_path / 'output'}", f"VARDIR={tmp_path / 'var'}"]  # fmt: skip
    log = (tmp_path / "make-run.log").open("w")
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip


def wait_until_up(process: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx2.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"make run did not answer within {STARTUP:g} s:\n{log.read_text()[-3000:]}")


def ctrl_c(process: subprocess.Popen) -> int:
    """SIGINT to the whole process group, as a terminal sends it."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        return process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail("make run did not stop within 15 s of Ctrl-C")


def test_make_run_serves_site_api_and_admin_and_stops_on_ctrl_c(tmp_path: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "make-run.log"
    process = start(tmp_path, port)
    try:
        wait_until_up(process, base, log)
        front = httpx2.get(base + "/")
        assert front.status_code == 200 and "<html" in front.text
        manifest = httpx2.get(base + "/articles.json").json()  # absolute links to this port
        assert manifest and all(a["absolute_url"].startswith(base + "/") for a in manifest)
        me = httpx2.get(base + "/api/v1/me").json()
        assert me == {"user": None, "auth": "open", "sign_out": None}

        # Open mode: a reader picks a name and comments; the site and API share one origin.
        with httpx2.Client(base_url=base, headers={"Origin": base}) as reader:
            assert reader.post("/api/v1/me", json={"name": "Ewa"}).status_code == 200
            posted = reader.post("/api/v1/threads/witamy-w-kurierze/comments", json={"body": "Hej"})
            assert posted.status_code == 201, posted.text

        # The printed password is the one kept in var/, and it signs a moderator in.
        password_file = tmp_path / "var" / "admin_password"
        password = password_file.read_text().strip()
        assert password_file.stat().st_mode & 0o077 == 0
        printed = log.read_text()
        assert f"Kurier: {base}/" in printed
        assert re.search(rf"Moderator password: {re.escape(password)}\b", printed)
        with httpx2.Client(base_url=base, headers={"Origin": base}) as moderator:
            signed = moderator.post("/api/v1/admin/session", json={"password": password})
            assert signed.status_code == 200 and signed.json()["user"]["moderator"] is True
        assert (tmp_path / "var" / "comments.sqlite3").is_file()
    finally:
        if process.poll() is None:
            ctrl_c(process)
    output = log.read_text()
    assert "Traceback" not in output, output[-3000:]

    # A second run keeps the password and the comments.
    process = start(tmp_path, port)
    try:
        wait_until_up(process, base, log)
        assert password_file.read_text().strip() == password
        thread = httpx2.get(base + "/api/v1/threads/witamy-w-kurierze").json()
        assert thread["thread"]["comment_count"] == 1
    finally:
        ctrl_c(process)


def _addresses(source: sample.Source) -> list[str]:
    """Where an article could be served: its published and its draft address."""
    if source.lang == "pl":
        return [f"/news/{source.slug}.html", f"/drafts/{source.slug}.html"]
    return [f"/{source.lang}/news/{source.slug}.html", f"/drafts/{source.lang}/{source.slug}.html"]


def test_make_run_serves_the_site_as_published_without_drafts_or_scheduled(tmp_path: Path):
    unpublished = [source for source in sample.articles() if not source.published]
    drafts = [source for source in unpublished if source.meta.get("status") == "draft"]
    scheduled = [source for source in unpublished if source not in drafts]
    assert drafts and scheduled, "the sample must hold a draft and a scheduled article"
    # A preview built earlier into the same folder (make html, make devserver) is not served.
    stale = tmp_path / "output" / _addresses(drafts[0])[1].lstrip("/")
    stale.parent.mkdir(parents=True)
    stale.write_text("<html>draft preview</html>")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start(tmp_path, port)
    try:
        wait_until_up(process, base, tmp_path / "make-run.log")
        for source in unpublished:
            for address in _addresses(source):
                assert httpx2.get(base + address).status_code == 404, (address, source.path)

        page = httpx2.get(base + "/news/witamy-w-kurierze.html")
        assert page.status_code == 200
        soup = BeautifulSoup(page.text, "html.parser")
        # Root-relative links: the pages work under any name the machine is reached by.
        assert soup.select_one("link[rel=stylesheet]")["href"].startswith("/theme/")
        comments = soup.select_one("section#comments")
        assert comments["data-thread"] == "witamy-w-kurierze"
        assert comments["data-api"] == "/api/v1"
        thread = httpx2.get(base + "/api/v1/threads/witamy-w-kurierze")
        assert thread.status_code == 200, thread.text

        manifest = httpx2.get(base + "/articles.json").json()
        listed = {entry["slug"] for entry in manifest}
        assert "witamy-w-kurierze" in listed
        assert not listed & {source.slug for source in unpublished}
        feed = httpx2.get(base + "/feeds/all.atom.xml")
        assert feed.status_code == 200 and f"{base}/{manifest[0]['url']}" in feed.text
        assert not any(source.slug in feed.text for source in unpublished)
    finally:
        ctrl_c(process)


def test_make_run_on_a_busy_port_says_so_first_and_names_a_free_one(tmp_path: Path):
    """Before building or printing anything else: the port is taken, try this one."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTS_")}
        result = subprocess.run(
            ["make", "--no-print-directory", "run", f"PORT={port}",
             f"OUTPUTDIR={tmp_path / 'output'}", f"VARDIR={tmp_path / 'var'}"],  # fmt: skip
            cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    match = re.fullmatch(rf"make run: port {port} is in use — try `PORT=(\d+) make run`", lines[0])
    assert match, lines
    suggested = int(match[1])
    with socket.socket() as probe:  # the suggestion is free
        probe.bind(("127.0.0.1", suggested))
    assert "Moderator password" not in result.stdout and "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists() and not (tmp_path / "var").exists()


def test_make_install_says_what_it_is_doing(tmp_path: Path):
    """A first run spends most of its time in pip: it says so instead of going silent."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "install", f"VENV={tmp_path / 'venv'}"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    recipe = result.stdout
    said = recipe.index("installing Kurier's dependencies")
    assert said < recipe.index("pip install"), recipe
    assert "once" in recipe[said : recipe.index("pip install")]
