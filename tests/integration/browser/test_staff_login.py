"""Staff logins in a real browser: a Reviewer's first login leads to adding an
authenticator app (its QR code drawn on the server, its setup key typed into the "app"
here), then to ten recovery codes shown once, then to the admin; the next login asks for
a code, and a recovery code does. Five wrong passwords give the lockout page. Each page
passes axe-core's WCAG 2.1 AA checks."""

import base64
import re

import pytest
from django.contrib.auth.models import Group, User
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.integration.browser.helpers import save_screenshot
from tests.integration.browser.test_accessibility import assert_accessible


@pytest.fixture
def reviewer(site):
    user = User.objects.create_user("reviewer", "reviewer@example.org", "pw", is_staff=True)
    # The groups come from data migrations, which a browser test's emptied database lacks.
    user.groups.add(Group.objects.get_or_create(name="Reviewers")[0])
    return user


def password(page, username: str, secret: str = "pw") -> None:
    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.get_by_label("Username:").fill(username)
    page.get_by_label("Password:").fill(secret)
    page.get_by_role("button", name="Log in").click()


def test_a_reviewer_adds_an_app_at_the_first_login_and_uses_a_recovery_code_later(page, reviewer):
    password(page, "reviewer")
    expect(page.get_by_role("heading", name="Add an authenticator app")).to_be_visible()
    expect(page.locator("figure.qr-code svg title")).to_have_text("QR code of the setup key")
    # No admin navigation before the second factor: only the page's form and a way out.
    expect(page.get_by_role("link", name="Change password")).to_have_count(0)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    save_screenshot(page, "staff-enrol")
    assert_accessible(page, "enrol")

    key = page.locator(".setup-key").inner_text().replace(" ", "")
    page.get_by_label("Code:").fill(f"{TOTP(base64.b32decode(key)).token():06d}")
    page.get_by_role("button", name="Add the app").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator(".recovery-code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    save_screenshot(page, "staff-recovery-codes")
    assert_accessible(page, "recovery codes")
    page.get_by_role("link", name="I have kept them: go on").click()
    expect(page.get_by_text("Welcome, reviewer")).to_be_visible()

    password(page, "reviewer")
    expect(page.get_by_role("heading", name="Second factor")).to_be_visible()
    assert_accessible(page, "token step")
    page.get_by_label("Code:").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    save_screenshot(page, "staff-token-step")
    page.get_by_label("Code:").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Welcome, reviewer")).to_be_visible()
    page.get_by_role("link", name="Second factor").click()
    expect(page.get_by_text("9 recovery codes left.")).to_be_visible()
    assert_accessible(page, "second factor status")


def test_five_wrong_passwords_show_the_lockout_page(page, reviewer):
    for _ in range(5):
        password(page, "reviewer", "not the password")
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    expect(page.get_by_text("locked for 15 minutes")).to_be_visible()
    save_screenshot(page, "staff-lockout")
    assert_accessible(page, "lockout")
    password(page, "reviewer")
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
