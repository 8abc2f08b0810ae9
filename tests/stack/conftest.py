"""The production topology, for real: `deploy/stack.py` (what `make stack` runs) on free
ports, with the sample site built once.

- `stack_site`: the sample content built once for these tests.
- `start_stack(**options)`: starts deploy/stack.py (the OpenID provider stand-in,
  the service on a unix socket with 2 workers, Debian's nginx and Apache with
  mod_auth_openidc) and waits until it says it is up; a `Stack` to use and stop.
- `stack`: one stack shared by a test module.

Without nginx, Apache or mod_auth_openidc the tests are skipped with one line
(`make stack` installs them as root); under CI=true they fail instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.site.build import CONTENT, build
from tests.stack.kit import Stack, missing_programs

SECRET_KEY = "stack-test-secret-key-" + "x" * 32


@pytest.fixture(scope="package")
def stack_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = missing_programs()
    if missing:
        message = f"STACK TESTS NOT RUN: {missing} (as root: make stack installs them)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI must have them (.ci/run)", pytrace=False)
        pytest.skip(message)
    return build(CONTENT, tmp_path_factory.mktemp("stack-site") / "output")


@pytest.fixture
def start_stack(
    stack_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Stack]]:
    started: list[Stack] = []

    def start(var: Path | None = None, **options: str) -> Stack:
        stack = Stack(stack_site, var or tmp_path_factory.mktemp("stack-var"), SECRET_KEY)
        started.append(stack)
        stack.start(**options)
        return stack

    yield start
    for stack in reversed(started):
        stack.stop()


@pytest.fixture(scope="module")
def stack(stack_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(stack_site, tmp_path_factory.mktemp("stack-var"), SECRET_KEY)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def articles(site: Path) -> list[dict]:
    return json.loads((site / "articles.json").read_text(encoding="utf-8"))
