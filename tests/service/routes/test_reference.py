"""docs/API.md's tables of endpoints and shapes say what the route table declares."""

from __future__ import annotations

import re

import pytest

from comments_service.routes import ENDPOINTS, reference


def test_reference_docs_tables_are_made_from_the_route_table():
    text = reference.DOCS.read_text(encoding="utf-8")
    if text != reference.rewritten(text):
        pytest.fail(
            "docs/API.md's tables differ from the route table; run "
            "`python -m comments_service.routes.reference` or write them as:\n\n"
            + reference.endpoint_table()
            + "\n"
            + reference.shape_table()
        )


def test_reference_endpoint_table_has_a_row_per_route():
    rows = [row for row in reference.endpoint_table().splitlines() if row.startswith("| `")]
    assert len(rows) == len(ENDPOINTS)
    for endpoint, row in zip(ENDPOINTS, rows, strict=True):
        assert row.startswith(f"| `{endpoint.method} {endpoint.path}`")
        assert " ".join(map(str, endpoint.statuses)) in row


def test_reference_rewrite_refuses_a_document_without_its_markers():
    with pytest.raises(ValueError, match="endpoints"):
        reference.rewrite("# API\n", "endpoints", "| table |\n")


def test_reference_type_text_reads_like_the_docs():
    assert reference.type_text({"anyOf": [{"type": "string"}, {"type": "null"}]}) == (
        "string or null"
    )
    assert reference.type_text({"type": "array", "items": {"$ref": "#/x/Flag"}}) == "[`Flag`]"
    assert reference.type_text({"type": "string", "format": "date-time"}) == "time"
    assert re.fullmatch(r'"a"/"b"', reference.type_text({"enum": ["a", "b"]}))
