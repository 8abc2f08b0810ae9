"""Fixtures: the sample content built once per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.site.build import CONTENT, build


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The sample content built with pelicanconf.py into a temporary folder."""
    return build(CONTENT, tmp_path_factory.mktemp("site") / "output")


@pytest.fixture(scope="session")
def manifest(site: Path) -> list[dict]:
    return json.loads((site / "articles.json").read_text(encoding="utf-8"))
