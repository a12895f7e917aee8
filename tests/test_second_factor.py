"""The second factor (issue 11): a Reviewer or superuser who logged in with a password but
has not passed a second factor reaches no admin page. Without an authenticator app they
are sent to add one (a page with its key, otpauth:// address and QR code, confirmed by a
first code, then ten recovery codes shown once); with one, to the token step, which is
throttled and whose wrong codes count towards the login lockout. Editors may add one and
then must use it; staff with neither pass on a password.

Logins here go through the real admin login page and the real views, with codes computed
from the device's key as an authenticator app computes them.
"""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from commitments.staff import second_factor_required
from tests.clock import NOW
from tests.staff_login import authenticator, is_logged_in, is_verified, log_in, next_code

LOGIN = "/admin/login/"
ENROL = reverse("second_factor:enrol")
VERIFY = reverse("second_factor:verify")
STATUS = reverse("second_factor:status")
NEW_CODES = reverse("second_factor:recovery_codes")
ADDRESS = "203.0.113.9"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

ADMIN_PAGES = [
    "/admin/",
    "/admin/commitments/commitment/",
    "/admin/commitments/commitment/add/",
    "/admin/commitments/followup/?rating=draft",
    "/admin/auth/user/",
    "/admin/password_change/",
    STATUS,
]


def password_login(client, username: str, password: str = "pw"):
    response = client.post(
        LOGIN + "?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302, response.content.decode()
    return response


def send_code(client, code: str, url: str = VERIFY, **data):
    return client.post(url, {"code": code, **data}, REMOTE_ADDR=ADDRESS)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "pw")


# Who must pass a second factor --------------------------------------------------------


@pytest.mark.django_db
def test_the_rule_reviewers_and_superusers_always_others_once_they_have_a_device(
    editor, reviewer, outsider, superuser
):
    assert second_factor_required(reviewer)
    assert second_factor_required(superuser)
    assert not second_factor_required(editor)
    assert not second_factor_required(outsider)
    authenticator(editor)
    assert second_factor_required(editor)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reviewer", "superuser"])
def test_a_password_alone_reaches_no_admin_page_without_a_device(client, who, request):
    """The issue's done-when: a staff login without a second factor cannot reach the
    admin as a Reviewer (nor as a superuser)."""
    user = request.getfixturevalue(who)
    password_login(client, user.get_username())
    assert is_logged_in(client) and not is_verified(client)

    for page in ADMIN_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url.startswith(ENROL + "?next="), (page, response.url)
    assert client.post("/admin/commitments/commitment/add/", {"title": "x"}).status_code == 302


@pytest.mark.django_db
def test_a_password_alone_with_a_device_is_sent_to_the_token_step(client, reviewer):
    authenticator(reviewer)
    password_login(client, "reviewer")

    for page in ADMIN_PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.url.startswith(VERIFY + "?next="), (page, response.url)
    # The enrolment page cannot replace a device with the password alone.
    assert client.get(ENROL).url.startswith(VERIFY)


@pytest.mark.django_db
def test_an_editor_passes_on_a_password_until_they_add_a_device(client, editor, outsider):
    password_login(client, "editor")
    assert client.get("/admin/").status_code == 200
    assert client.get(STATUS).status_code == 200

    other = Client()
    password_login(other, "outsider")
    assert other.get("/admin/").status_code == 200

    authenticator(editor)
    assert client.get("/admin/").url.startswith(VERIFY)


@pytest.mark.django_db
def test_an_editor_made_a_reviewer_mid_session_is_asked_for_a_second_factor(client, editor):
    password_login(client, "editor")
    assert client.get("/admin/").status_code == 200
    editor.groups.add(Group.objects.get(name="Reviewers"))
    assert client.get("/admin/").url.startswith(ENROL)


@pytest.mark.django_db
def test_an_unverified_login_may_still_log_out_and_log_in_as_someone_else(client, reviewer):
    password_login(client, "reviewer")
    assert client.get(LOGIN).status_code in (200, 302)
    assert client.post("/admin/logout/").status_code == 200
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_the_second_factor_pages_need_a_staff_login(client):
    for page in [ENROL, VERIFY, STATUS]:
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(LOGIN), page
    assert client.post(NEW_CODES).url.startswith(LOGIN)


# The token step -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_right_code_opens_the_admin_in_a_new_session(client, reviewer):
    device = authenticator(reviewer)
    password_login(client, "reviewer")
    before = client.session.session_key
    page = client.get(VERIFY + "?next=/admin/commitments/commitment/")
    assert page.status_code == 200
    assert "Code:" in page.content.decode()

    response = send_code(client, next_code(device), next="/admin/commitments/commitment/")

    assert response.status_code == 302 and response.url == "/admin/commitments/commitment/"
    assert is_verified(client)
    assert client.session.session_key != before
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_is_refused(client, reviewer):
    device = authenticator(reviewer)
    password_login(client, "reviewer")
    right = next_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = send_code(client, wrong)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not is_verified(client)
    assert client.get("/admin/").url.startswith(VERIFY)


@pytest.mark.django_db
def test_the_next_address_must_be_on_this_site(client, reviewer):
    device = authenticator(reviewer)
    password_login(client, "reviewer")
    response = send_code(client, next_code(device), next="https://evil.example/admin/")
    assert response.url == "/admin/"


@pytest.mark.django_db
def test_the_token_step_is_throttled_after_a_wrong_code(client, reviewer):
    """django-otp's own throttle: after n wrong codes the device checks no code for
    2^(n-1) seconds, not even the right one."""
    device = authenticator(reviewer)
    with time_machine.travel(NOW, tick=False):
        password_login(client, "reviewer")
        assert "not right" in send_code(client, "000000").content.decode()
        refused = send_code(client, next_code(device))
        assert "Too many wrong codes" in refused.content.decode()
        assert not is_verified(client)
    with time_machine.travel(NOW + datetime.timedelta(seconds=2), tick=False):
        assert send_code(client, next_code(device)).status_code == 302
        assert is_verified(client)


@pytest.mark.django_db
def test_five_wrong_codes_lock_the_login_out_like_five_wrong_passwords(client, reviewer):
    device = authenticator(reviewer)
    with time_machine.travel(NOW, tick=False) as clock:
        password_login(client, "reviewer")
        for _ in range(5):
            clock.shift(datetime.timedelta(seconds=60))  # past the device's throttle
            response = send_code(client, "000000")
        assert response.status_code == 429
        assert "Too many failed logins" in response.content.decode()
        assert not is_logged_in(client)

        # The password is refused now too, from this address.
        again = Client()
        locked = again.post(LOGIN, {"username": "reviewer", "password": "pw"}, REMOTE_ADDR=ADDRESS)
        assert locked.status_code == 429
    # 15 minutes after the last attempt, the refused password at NOW + 5 minutes.
    with time_machine.travel(NOW + datetime.timedelta(minutes=21), tick=False):
        password_login(again, "reviewer")
        assert send_code(again, next_code(device)).status_code == 302


@pytest.mark.django_db
def test_a_full_login_forgets_earlier_failures(client, reviewer):
    device = authenticator(reviewer)
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(3):
            client.post(LOGIN, {"username": "reviewer", "password": "no"}, REMOTE_ADDR=ADDRESS)
        password_login(client, "reviewer")
        clock.shift(datetime.timedelta(seconds=60))
        send_code(client, "000000")
        clock.shift(datetime.timedelta(seconds=60))
        assert send_code(client, next_code(device)).status_code == 302

        # Four failures were counted; the login that succeeded cleared them.
        other = Client()
        for _ in range(4):
            other.post(LOGIN, {"username": "reviewer", "password": "no"}, REMOTE_ADDR=ADDRESS)
        password_login(other, "reviewer")


@pytest.mark.django_db
def test_a_recovery_code_works_once(client, reviewer):
    authenticator(reviewer)
    codes = Client()
    log_in(codes, reviewer)
    page = codes.post(NEW_CODES).content.decode()
    recovery = re.findall(r'<li><code class="recovery-code">([a-z2-7]{8})</code></li>', page)
    assert len(recovery) == 10

    password_login(client, "reviewer")
    assert send_code(client, recovery[0].upper()).status_code == 302
    assert is_verified(client)

    again = Client()
    password_login(again, "reviewer")
    assert "not right" in send_code(again, recovery[0]).content.decode()
    assert StaticToken.objects.filter(device__user=reviewer).count() == 9


# Enrolment ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reviewer_adds_an_authenticator_app_and_gets_ten_recovery_codes(client, reviewer):
    password_login(client, "reviewer")
    page = client.get(ENROL + "?next=/admin/commitments/commitment/")
    text = page.content.decode()
    assert page.status_code == 200
    pending = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    secret = pending.config_url.split("secret=")[1].split("&")[0]
    assert " ".join(re.findall(".{1,4}", secret)) in text
    assert "otpauth://totp/Commitment%20tracker%3Areviewer?secret=" in text
    assert "<svg" in text and "QR code" in text
    # A second look shows the same key until it is confirmed.
    client.get(ENROL)
    assert TOTPDevice.objects.get(user=reviewer, confirmed=False) == pending

    wrong = send_code(client, "000000", url=ENROL)
    assert "That code is not right" in wrong.content.decode()
    assert not is_verified(client)

    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=2)
    with time_machine.travel(later):  # past the device's throttle after the wrong code
        done = send_code(
            client, next_code(pending), url=ENROL, next="/admin/commitments/commitment/"
        )
    text = done.content.decode()
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    codes = re.findall(r'<li><code class="recovery-code">([a-z2-7]{8})</code></li>', text)
    assert len(set(codes)) == 10
    assert 'href="/admin/commitments/commitment/"' in text
    pending.refresh_from_db()
    assert pending.confirmed
    assert is_verified(client)
    assert client.get("/admin/").status_code == 200
    tokens = StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True)
    assert sorted(tokens) == sorted(codes)
    # Shown once: the status page says how many are left, never what they are.
    status = client.get(STATUS).content.decode()
    assert "10 recovery codes left" in status
    assert codes[0] not in status


@pytest.mark.django_db
def test_a_verified_user_replaces_the_authenticator_app(client, reviewer):
    old = log_in(client, reviewer)
    client.get(ENROL)
    new = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    assert send_code(client, next_code(new), url=ENROL).status_code == 200
    assert list(TOTPDevice.objects.filter(user=reviewer)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(client, reviewer):
    log_in(client, reviewer)
    first = re.findall(r'class="recovery-code">(\w+)<', client.post(NEW_CODES).content.decode())
    second = re.findall(r'class="recovery-code">(\w+)<', client.post(NEW_CODES).content.decode())
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert StaticDevice.objects.filter(user=reviewer).count() == 1
    assert client.get(NEW_CODES).status_code == 405


@pytest.mark.django_db
def test_the_forms_need_the_csrf_token(reviewer):
    client = Client(enforce_csrf_checks=True)
    authenticator(reviewer)
    client.force_login(reviewer)
    assert client.post(VERIFY, {"code": "000000"}).status_code == 403
    assert client.post(ENROL, {"code": "000000"}).status_code == 403


def test_the_new_templates_have_no_inline_script_or_style():
    """A Content-Security-Policy without 'unsafe-inline' is next (issue 11)."""
    admin = TEMPLATES / "admin"
    paths = [*(admin / "second_factor").glob("*.html"), admin / "locked_out.html"]
    assert len(paths) >= 5
    for path in [*paths, admin / "base_site.html"]:
        markup = path.read_text()
        assert "<script" not in markup and "<style" not in markup, path
        assert not re.search(r"\sstyle=", markup), path
        assert not re.search(r"\son[a-z]+=", markup), path


# Commands -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_remove_second_factor_lets_a_user_who_lost_their_phone_enrol_again(client, reviewer):
    log_in(Client(), reviewer)
    out = StringIO()
    call_command("remove_second_factor", "reviewer", stdout=out)
    assert "reviewer" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticDevice.objects.filter(user=reviewer).exists()

    password_login(client, "reviewer")
    assert client.get("/admin/").url.startswith(ENROL)
