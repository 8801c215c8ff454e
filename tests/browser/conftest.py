"""Playwright driving Debian's chromium (never a downloaded browser) against the live server.

Outside CI a missing /usr/bin/chromium skips these tests with a loud reason; under CI=true it
fails them, since .ci/run installs it.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = "BROWSER TESTS NOT RUN: /usr/bin/chromium is missing (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while it is open; the
    # tests' own database calls are still plain synchronous code. The browser closes with the
    # module, so no other test runs beside that loop.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shoot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def _restore_migration_data() -> None:
    """The sections and the editors group, as the data migrations make them."""
    for module, function in (
        ("digest.migrations.0002_default_sections", "create"),
        ("digest.migrations.0006_editors_group", "create_group"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _migration_data(transactional_db):
    """A live server needs committed rows, so these tests are transactional, and each ends
    with a flush that also removes what the data migrations made: put it back before each
    test, whichever ran before."""
    _restore_migration_data()


@pytest.fixture(scope="module", autouse=True)
def _migration_data_after(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _restore_migration_data()  # after the last test's flush: later modules expect it
