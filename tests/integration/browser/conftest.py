"""Browser tests: Playwright drives Debian's Chromium, headless, against a live test server
holding the shipped dataset.

Playwright never downloads a browser here: it launches /usr/bin/chromium, which `make test`
installs from Debian when it is missing. Without it these tests fail rather than skip, so
that a machine lacking the browser cannot pass the suite silently.

Screenshots and PDFs land in test-artifacts/ (ignored by git) for people to look at.
"""

import os
from io import StringIO

import pytest
from django.core.management import call_command

from commitments.models import Commitment
from commitments.releases.making import release_make
from tests.integration.browser.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DATASET,
    DESKTOP,
    NARROW,
    TIMEOUT_MS,
    keep_text_of,
    kept_source,
    new_context,
)

# Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM
# calls from a thread with a running loop unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium. "
            "`make test` installs it (apt-get install chromium); Playwright must not "
            "download a browser of its own.",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def releases_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("releases")


@pytest.fixture
def site(live_server, transactional_db, settings, releases_dir):
    """The live server's base URL, with the shipped dataset imported. Each test gets a
    fresh copy: transactional_db empties the tables after every test. /data/ lists one
    release of it, made once for the session (a release never changes)."""
    call_command("import_commitments", str(DATASET), stdout=StringIO())
    assert Commitment.objects.published().exists(), "the shipped dataset imported nothing"
    keep_text_of(kept_source())
    settings.RELEASES_DIR = releases_dir
    if not os.listdir(releases_dir):
        release_make()
    return live_server.url


@pytest.fixture
def context(browser, site):
    context = new_context(browser, site, viewport=DESKTOP)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A page that fails its test on a JavaScript error or on anything the
    Content-Security-Policy blocked (an inline script or style, a foreign address)."""
    yield from watched_page(context)


@pytest.fixture
def narrow_page(browser, site):
    """The same on a phone: 390 px wide, touch, at twice the pixel density."""
    context = new_context(
        browser, site, viewport=NARROW, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield from watched_page(context)
    context.close()


def watched_page(context):
    page = context.new_page()
    errors, blocked = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not blocked, f"The Content-Security-Policy blocked: {blocked}"
