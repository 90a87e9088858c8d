"""Headless Chromium driven by Playwright against the live test server.

Debian's Chromium is used (Playwright's own browser download does not work here); the path can be
overridden with CHROMIUM_PATH.
"""

import os
from contextlib import contextmanager

import pytest

from tests.conftest import CHROMIUM
from tests.factories import TEST_PASSWORD

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
    # themselves are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        yield browser
        browser.close()


@contextmanager
def watched_tab(browser):
    """A fresh browser context and tab that fails the test if the page broke the
    Content-Security-Policy (an inline script or style) or raised a JavaScript error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], problems


@pytest.fixture
def page(browser):
    """A fresh browser tab, watched (see `watched_tab`)."""
    with watched_tab(browser) as tab:
        yield tab


@pytest.fixture
def visitor(browser):
    """Someone else's browser: another context, with no session, watched the same way."""
    with watched_tab(browser) as tab:
        yield tab


@pytest.fixture
def log_in(page, live_server):
    """Log in through the login form, as a person would."""

    def log_in_as(user, password=TEST_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return log_in_as
