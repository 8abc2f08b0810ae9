"""`python -m comments_service copy`: everything from one engine to the other, verified.

Real databases on both sides (an SQLite file, a fresh PostgreSQL schema), the
command run as operators run it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bench.comments_seed import seed
from comments_service.storage import Database
from tests import postgres
from tests.service.kit import OPEN, REPO

pytestmark = pytest.mark.skipif(
    postgres.unavailable() is not None, reason="needs PostgreSQL (see tests/postgres.py)"
)


def copy(source: object, target: object, *more: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "comments_service", "copy", "--from", str(source),
         "--to", str(target), *more],
        env={"PATH": "/usr/bin:/bin"}, cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def export(location: object) -> dict:
    with Database(str(location)) as db:
        return db.export()


@pytest.mark.sqlite_only  # the source is the service's SQLite file; the target PostgreSQL
def test_copy_moves_every_kind_of_data_both_ways_and_resumes_ids(
    make_client, settings, tmp_path: Path, client: TestClient
):
    first = client.post(f"/api/v1/threads/{OPEN}/comments", json={"body": "Pierwszy"}).json()
    client.post(
        f"/api/v1/threads/{OPEN}/comments", json={"body": "Odpowiedź", "parent": first["id"]}
    )
    other = make_client("Zofia")
    assert other.put(f"/api/v1/comments/{first['id']}/reactions/like").status_code == 200
    assert other.put(f"/api/v1/threads/{OPEN}/reactions/celebrate").status_code == 200
    flagged = other.post(f"/api/v1/comments/{first['id']}/flags", json={"reason": "spam"})
    assert flagged.status_code == 201, flagged.text
    original = export(settings.db)
    assert {"comments", "marks", "changes"} <= set(original["tables"])

    with postgres.fresh_schema("copy") as address:
        there = copy(settings.db, address)
        assert there.returncode == 0, there.stderr
        assert "copied" in there.stdout and "comments: 2" in there.stdout
        assert export(address)["tables"] == original["tables"]
        # Ids go on where they were: the next change follows the copied log.
        with Database(address) as db:
            assert db.table("changes").last_id() == original["tables"]["changes"]["last_id"]
            new_id = db.table("changes").insert({"thread": OPEN, "event": "x", "data": {}, "at": 0})
        assert new_id == original["tables"]["changes"]["last_id"] + 1

        again = copy(settings.db, address)  # the target now differs (one more change)
        assert again.returncode == 2 and "--replace" in again.stderr
        replaced = copy(settings.db, address, "--replace")
        assert replaced.returncode == 0, replaced.stderr
        same = copy(settings.db, address)
        assert same.returncode == 0 and "already holds the same data" in same.stdout

        back = tmp_path / "back.sqlite3"
        returned = copy(address, back)
        assert returned.returncode == 0, returned.stderr
        assert export(back) == original


def test_copy_refuses_what_is_not_a_database_with_one_line(tmp_path: Path):
    text = tmp_path / "notes.txt"
    text.write_text("no database here " * 100, encoding="utf-8")
    result = copy(text, tmp_path / "out.sqlite3")
    assert result.returncode == 2
    assert result.stderr.startswith("comments_service: ") and "notes.txt" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    bad = copy(tmp_path / "a.sqlite3", "postgresql://postgres@127.0.0.1/test?schema=Bad-Name")
    assert bad.returncode == 2 and "schema" in bad.stderr


def test_copy_of_100_000_comments_sqlite_postgresql_sqlite_gives_identical_exports(
    tmp_path: Path,
):
    seeded = seed(tmp_path / "seed", threads=1000)
    source = tmp_path / "seed" / "comments.sqlite3"
    with Database(source) as db:
        assert len(db.table("comments")) == 100_000
    with postgres.fresh_schema("big") as address:
        there = copy(source, address)
        assert there.returncode == 0, there.stderr
        assert "comments: 100000" in there.stdout
        back = tmp_path / "back.sqlite3"
        returned = copy(address, back)
        assert returned.returncode == 0, returned.stderr
    before, after = export(source), export(back)
    assert json.dumps(after, sort_keys=True) == json.dumps(before, sort_keys=True)
    assert seeded.comments == 100_000
