"""Logging staff in, in tests, as they log in for real: a password and a second factor.

`log_in(client, user)` is the one way a test logs a member of staff in to the admin. It
gives the user a real, confirmed authenticator (a django-otp TOTP device) unless they have
one, logs them in (force_login) and marks the session verified by that device, as
django_otp.login does after a right code. It works for every member of staff, whether or
not the rule (commitments.staff.second_factor_required) asks them for a second factor, so
tests use it for all of them. The rule itself is never loosened for tests.

`next_code(device)` is the code an authenticator app would show now, for tests that type
it into the token step (the browser tests, and the test client through the real views).
"""

import time

from django.contrib.auth import SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

TEST_AUTHENTICATOR = "Test authenticator"


def authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator app, added now if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TEST_AUTHENTICATOR)


def log_in(client, user) -> TOTPDevice:
    """Log `user` in to `client` with both factors passed; returns the device used."""
    device = authenticator(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def next_code(device: TOTPDevice) -> str:
    """The six digits an authenticator app shows for `device` now; the next time step's
    when this one has been used already (a code is accepted once, and the device allows a
    step of drift either way)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if device.last_t >= totp.t():
        totp.drift += 1
    return f"{totp.token():0{device.digits}d}"


def is_logged_in(client) -> bool:
    return SESSION_KEY in client.session


def is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session
