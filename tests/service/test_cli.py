"""The command line: refusing bad files at start, backup, export and import."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from comments_service.app import create_app
from tests.service.kit import ORIGIN, REPO


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "comments_service", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _env(settings) -> dict[str, str]:
    return {
        "COMMENTS_DB": str(settings.db),
        "COMMENTS_ARTICLES": str(settings.articles),
        "COMMENTS_SECRET_KEY": settings.secret_key,
    }


def _write_some(settings) -> list[dict]:
    with TestClient(create_app(settings), headers={"origin": ORIGIN}) as client:
        client.post("/api/v1/me", json={"name": "Ewa"})
        first = client.post("/api/v1/threads/open-news/comments", json={"body": "Pierwszy"})
        client.post(
            "/api/v1/threads/open-news/comments",
            json={"body": "Drugi", "parent": first.json()["id"]},
        )
        client.put("/api/v1/threads/open-news/reactions/love")
        client.cookies.clear()  # as a reader who wrote none of it sees it
        return client.get("/api/v1/threads/open-news").json()["comments"]


@pytest.mark.sqlite_only
def test_cli_serve_refuses_a_file_that_is_not_a_database(tmp_path, settings):
    settings.db.write_bytes(b"this is not a database, just some words" * 100)
    result = run("serve", "--port", "0", env=_env(settings))
    assert result.returncode == 2
    assert str(settings.db) in result.stderr and "database" in result.stderr.lower()


@pytest.mark.sqlite_only
def test_cli_serve_refuses_a_newer_schema(tmp_path, settings):
    _write_some(settings)
    with sqlite3.connect(settings.db) as db:
        db.execute("PRAGMA user_version = 999")
    result = run("serve", "--port", "0", env=_env(settings))
    assert result.returncode == 2 and "newer" in result.stderr


def test_cli_backup_is_a_working_copy(tmp_path, settings):
    comments = _write_some(settings)
    target = tmp_path / "backup.sqlite3"
    result = run("backup", str(target), env=_env(settings))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    from dataclasses import replace

    with TestClient(create_app(replace(settings, db=target))) as client:
        assert client.get("/api/v1/threads/open-news").json()["comments"] == comments


def test_cli_export_import_round_trips_everything(tmp_path, settings):
    from dataclasses import replace

    comments = _write_some(settings)
    exported = tmp_path / "export.json"
    assert run("export", str(exported), env=_env(settings)).returncode == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["format"] == "kurier-comments"

    copy = replace(settings, db=tmp_path / "copy.sqlite3")
    result = run("import", str(exported), env=_env(copy))
    assert result.returncode == 0, result.stderr
    with TestClient(create_app(copy), headers={"origin": ORIGIN}) as client:
        view = client.get("/api/v1/threads/open-news").json()
        assert view["comments"] == comments
        assert view["thread"]["reactions"]["love"] == 1
        # New comments continue the ids instead of reusing them.
        client.post("/api/v1/me", json={"name": "Jan"})
        new = client.post("/api/v1/threads/open-news/comments", json={"body": "Po imporcie"})
        assert int(new.json()["id"]) > max(int(c["id"]) for c in comments)

    again = run("import", str(exported), env=_env(copy))
    assert again.returncode == 2 and "--replace" in again.stderr
    assert run("import", str(exported), "--replace", env=_env(copy)).returncode == 0


def test_cli_import_refuses_other_files(tmp_path, settings):
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}', encoding="utf-8")
    result = run("import", str(other), env=_env(settings))
    assert result.returncode == 2 and "not a Kurier comments export" in result.stderr
