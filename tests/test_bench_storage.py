"""bench/storage.py: the storage's insert and thread-read medians on a file of a chosen size."""

from __future__ import annotations

from pathlib import Path

from bench.storage import bench_insert_and_read
from comments_service.storage import Database


def test_storage_bench_helper_reports_medians(tmp_path: Path) -> None:
    path = tmp_path / "bench.sqlite3"
    result = bench_insert_and_read(path, 300, samples=20, synchronous="NORMAL")
    assert result["documents"] == 300
    assert result["insert_us"] > 0 and result["search_us"] > 0
    with Database(path) as db:
        assert len(db.table("comments")) == 300  # its own inserts are removed
