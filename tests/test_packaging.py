"""An installed Kurier (a wheel, not this checkout) holds every package and file it runs with."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_packaging_lists_every_package_of_the_service():
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "comments_service").rglob("__init__.py")
    }
    assert found <= listed, f"not in pyproject.toml's packages: {sorted(found - listed)}"


def test_packaging_wheel_holds_code_templates_and_catalogues(tmp_path: Path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    wheel = next(tmp_path.glob("kurier-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "comments_service/store/comments.py",
        "comments_service/storage/sqlite/connection.py",
        "comments_service/routes/__init__.py",
        "comments_service/i18n/pl.json",
        "comments_service/admin/templates/base.html",
        "comments_service/admin/static/tokens.css",
        "kurier/check.py",
    ):
        assert needed in names, f"{needed} is not in the wheel"
