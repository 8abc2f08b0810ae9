"""Micro-benchmarks of the comments storage: one insert, one thread read.

Not a suite of the report: a helper for measuring the storage alone, on a
file of a chosen size, without the service around it.
"""

from __future__ import annotations

import os
import statistics
import time

from tinydb import Query

from comments_service.storage import Database


def bench_insert_and_read(
    path: str | os.PathLike[str],
    n_existing: int,
    *,
    synchronous: str = "FULL",
    samples: int = 1000,
) -> dict[str, float]:
    """Median microseconds to insert one comment and to read one thread of 100.

    Fills table "comments" at ``path`` up to ``n_existing`` documents, 100 per
    thread (an existing file is reused), then times ``samples`` single-document
    insert transactions and indexed searches, and removes what it inserted.
    """
    with Database(path, synchronous="OFF", quick_check=False) as db:
        comments = db.table("comments", indexes=("thread",))
        have = len(comments)
        batch = 10_000
        for start in range(have, n_existing, batch):
            comments.insert_multiple(
                {
                    "thread": f"t{i // 100}",
                    "author_id": f"u{i % 997}",
                    "body_html": "<p>" + "Lorem ipsum dolor sit amet. " * 8 + "</p>",
                    "created": "2026-11-27T12:00:00Z",
                }
                for i in range(start, min(start + batch, n_existing))
            )
    threads = max(1, n_existing // 100)
    with Database(path, synchronous=synchronous, quick_check=False) as db:
        comments = db.table("comments", indexes=("thread",))
        thread = Query().thread
        insert_ns, search_ns, inserted = [], [], []
        doc = {"thread": "bench", "author_id": "u1", "body_html": "<p>hi</p>"}
        for _ in range(samples):
            started = time.perf_counter_ns()
            inserted.append(comments.insert(doc))
            insert_ns.append(time.perf_counter_ns() - started)
        for sample in range(samples):
            wanted = thread == f"t{(sample * 7919) % threads}"
            started = time.perf_counter_ns()
            found = comments.search(wanted)
            search_ns.append(time.perf_counter_ns() - started)
            if len(found) != min(100, n_existing):
                raise RuntimeError(f"{path} does not hold 100 comments per thread")
        comments.remove(doc_ids=inserted)
    return {
        "documents": float(n_existing),
        "insert_us": statistics.median(insert_ns) / 1000,
        "search_us": statistics.median(search_ns) / 1000,
    }
