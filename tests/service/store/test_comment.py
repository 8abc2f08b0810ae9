"""A comment's state: which stored comments readers see."""

from __future__ import annotations

import pytest

from comments_service.store import is_public


@pytest.mark.parametrize(
    ("row", "public"),
    [
        pytest.param({"deleted": False, "hidden": None}, True, id="older-row-without-approved"),
        pytest.param({"deleted": False, "approved": True, "hidden": None}, True, id="approved"),
        pytest.param({"deleted": False, "approved": False, "hidden": None}, False, id="pending"),
        pytest.param({"deleted": True, "approved": True, "hidden": None}, False, id="deleted"),
        pytest.param({"deleted": False, "approved": True, "hidden": {"reason": "x"}}, False,
                     id="hidden"),
    ],
)  # fmt: skip
def test_is_public(row, public):
    assert is_public(row) is public
