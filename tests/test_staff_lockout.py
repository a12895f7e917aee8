"""Login throttling on the admin's login page (issue 11: "50 wrong passwords on
/admin/login/ in 29 s, then the right one: logged in").

Five failed logins as one user from one address within the cool-off (15 minutes from the
last failure) lock that user out from that address: the right password is refused too,
with a page that says why and until when. Other users, and the same user from another
address, are not affected. The real test client posts to the real login page.
"""

import datetime
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client

from tests.clock import NOW

LOGIN = "/admin/login/"
ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.7"


def password_login(client, username: str, password: str, address: str = ATTACKER, **headers):
    return client.post(
        LOGIN + "?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def fail(client, username: str, times: int, address: str = ATTACKER, **headers) -> None:
    for _ in range(times):
        response = password_login(client, username, "wrong password", address, **headers)
        assert not logged_in(client)
        assert response.status_code in (200, 429)


@pytest.fixture
def editor_login(editor):
    """The editor fixture's password is "pw"."""
    return editor.get_username()


@pytest.mark.django_db
def test_four_failures_still_let_the_right_password_in(client, editor_login):
    with time_machine.travel(NOW, tick=False):
        fail(client, editor_login, 4)
        response = password_login(client, editor_login, "pw")
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_five_failures_lock_the_user_out_from_that_address_even_with_the_right_password(
    client, editor_login
):
    with time_machine.travel(NOW, tick=False):
        fail(client, editor_login, 5)
        response = password_login(client, editor_login, "pw")

    assert not logged_in(client)
    assert response.status_code == 429
    text = response.content.decode()
    # A page of the admin's own look that says why and for how long, not a bare 403 text.
    assert '<div id="site-name">' in text
    assert "Too many failed logins" in text
    assert "15 minutes" in text
    assert "08:15" in text  # NOW is 08:00 UTC
    assert 'href="/admin/login/"' in text


@pytest.mark.django_db
def test_fifty_fast_wrong_passwords_then_the_right_one_is_refused(client, editor_login):
    """The issue's own case, in well under 29 seconds."""
    with time_machine.travel(NOW, tick=False):
        fail(client, editor_login, 50)
        response = password_login(client, editor_login, "pw")
    assert response.status_code == 429
    assert not logged_in(client)


@pytest.mark.django_db
def test_another_user_and_the_same_user_elsewhere_are_not_locked_out(client, editor, reviewer):
    """By user and address together: an attacker cannot lock every member of staff out
    from everywhere by typing wrong passwords for them."""
    with time_machine.travel(NOW, tick=False):
        fail(client, "editor", 5)
        assert password_login(Client(), "reviewer", "pw").status_code == 302
        office = Client()
        assert password_login(office, "editor", "pw", address=OFFICE).status_code == 302
        assert logged_in(office)
        assert password_login(Client(), "editor", "pw").status_code == 429


@pytest.mark.django_db
def test_the_lockout_ends_fifteen_minutes_after_the_last_failure(client, editor_login):
    with time_machine.travel(NOW, tick=False):
        fail(client, editor_login, 5)
    with time_machine.travel(NOW + datetime.timedelta(minutes=14), tick=False):
        assert password_login(client, editor_login, "pw").status_code == 429
    # That refused try was a failure too: the wait runs from it.
    with time_machine.travel(NOW + datetime.timedelta(minutes=14 + 16), tick=False):
        assert password_login(client, editor_login, "pw").status_code == 302
        assert logged_in(client)


@pytest.mark.django_db
def test_failures_spread_wider_than_the_cool_off_do_not_add_up(client, editor_login):
    for minute in range(0, 5 * 16, 16):
        with time_machine.travel(NOW + datetime.timedelta(minutes=minute), tick=False):
            fail(client, editor_login, 1)
    with time_machine.travel(NOW + datetime.timedelta(minutes=5 * 16), tick=False):
        assert password_login(client, editor_login, "pw").status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(client, editor_login):
    """NUM_PROXIES=0 (the default): the connecting address counts, whatever the client
    claims in X-Forwarded-For."""
    with time_machine.travel(NOW, tick=False):
        for n in range(5):
            fail(client, editor_login, 1, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        response = password_login(client, editor_login, "pw", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_one_proxy_the_address_it_saw_counts(client, editor_login, settings):
    """NUM_PROXIES=1: every request comes from the proxy, which appends the client's
    address to X-Forwarded-For; that address is the one locked out, as for the API's
    throttle."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.0.0.2"
    with time_machine.travel(NOW, tick=False):
        # What the client sent first is ignored; the proxy's last entry is the client.
        fail(client, editor_login, 5, proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ATTACKER}")
        forwarded = {"HTTP_X_FORWARDED_FOR": ATTACKER}
        attacker = password_login(Client(), editor_login, "pw", proxy, **forwarded)
        assert attacker.status_code == 429
        colleague = password_login(Client(), editor_login, "pw", proxy, HTTP_X_FORWARDED_FOR=OFFICE)
        assert colleague.status_code == 302


@pytest.mark.django_db
def test_an_administrator_unlocks_a_user_with_axes_reset_username(client, editor_login):
    with time_machine.travel(NOW, tick=False):
        fail(client, editor_login, 5)
        assert password_login(client, editor_login, "pw").status_code == 429
        call_command("axes_reset_username", editor_login, stdout=StringIO())
        assert password_login(client, editor_login, "pw").status_code == 302
