"""Browser tests: the sample site built once, the real service, Debian's Chromium.

- `browser`: one Chromium for the browser tests. Without it the browser tests are
  left out with one line at the end of the run saying how to get them;
  under CI (`CI=true`) each of them fails instead: they never silently vanish.
- `site`: the sample content built once for them.
- `service`: `python -m comments_service serve --workers 2` serving that site
  and the API on a free port, one per test module (its own database).
- `new_page(**context_options)`: a page in a fresh browser context (its own
  cookies); a JavaScript error on the page or any dialog fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Browser,
    NewPage,
    Page,
    StartService,
    in_ci,
    missing_browser,
    sync_playwright,
)
from tests.servers import Server, StaticSite, free_port, running_servers, service_env
from tests.site.build import CONTENT, build

SECRET_KEY = "e2e-test-secret-key-" + "x" * 32
NOT_RUN = pytest.StashKey[str]()
TIMEOUT_MS = 5000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a browser (and outside CI) the browser tests are left out, said in one line."""
    reason = missing_browser()
    if reason is None or in_ci():
        return  # under CI the `browser` fixture fails each of them instead
    left_out = [item for item in items if "browser" in getattr(item, "fixturenames", ())]
    if left_out:
        items[:] = [item for item in items if item not in left_out]
        config.hook.pytest_deselected(items=left_out)
        config.stash[NOT_RUN] = f"BROWSER TESTS NOT RUN ({len(left_out)} left out): {reason}"


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if NOT_RUN in config.stash:
        terminalreporter.write_line(config.stash[NOT_RUN], yellow=True, bold=True)


# Package scope, not session: Playwright's sync API keeps an event loop running
# in the main thread while it is open, and later tests (tests/service) start
# their own with asyncio.run(). The browser closes when the last e2e test ends.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    reason = missing_browser()
    if reason is not None:
        message = f"BROWSER TESTS NOT RUN: {reason}"
        if in_ci():
            pytest.fail(f"{message} (CI=true: a missing browser is a failure)", pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample content, built once (after the browser, so a skip builds nothing)."""
    return build(CONTENT, tmp_path_factory.mktemp("e2e-site") / "output")


def _service(site: Path, directory: Path, workers: int = 2, **settings: str) -> Server:
    """The service for the built `site`, its database in `directory`; not started."""
    env = service_env(
        directory,
        {"site_dir": str(site), "secret_key": SECRET_KEY, "rate_limit": "100000/minute",
         # the tests make many readers from one address, who report at once
         "identity_rate_limit": "100000/hour", "report_min_age": "0",
         "auth": "open", **settings},
    )  # fmt: skip
    return Server(directory=directory, workers=workers, env=env, port=free_port())


@pytest.fixture(scope="module")
def service(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_servers() as running:
        yield running.start(_service(site, tmp_path_factory.mktemp("service")))


@pytest.fixture
def start_service(site: Path, tmp_path: Path) -> Iterator[StartService]:
    """Services of a test's own, e.g. with another rate limit: start(rate_limit="1/minute")."""
    with running_servers() as running:

        def start(workers: int = 1, **settings: str) -> Server:
            directory = tmp_path / f"service-{len(running.servers) + 1}"
            directory.mkdir()
            return running.start(_service(site, directory, workers, **settings))

        yield start


@pytest.fixture
def static_site(site: Path, tmp_path: Path) -> Iterator[Server]:
    """The built site as plain files: the comments service is down."""
    files = StaticSite(
        directory=tmp_path, workers=1, env=service_env(tmp_path, {}), port=free_port(), site=site
    )
    with running_servers() as running:
        yield running.start(files)


@pytest.fixture
def new_page(browser: Browser, service: Server) -> Iterator[NewPage]:
    contexts = []
    problems: list[str] = []

    def make(base_url: str | None = None, **options) -> Page:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("timezone_id", "Europe/Warsaw")
        context = browser.new_context(base_url=base_url or service.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"),
                                          dialog.dismiss()))  # fmt: skip
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()
