"""A member of staff's second factor, as services: an authenticator app (a django-otp TOTP
device: 6 digits, every 30 seconds, a step of clock drift allowed either way) and ten
recovery codes (a static device whose codes each work once).

Every check of a code goes to one device, chosen by the code's shape: six digits to the
authenticator app, anything else to the recovery codes, so that a wrong code counts
against the one device it was meant for (django-otp's own throttle, per device: after n
wrong codes it checks nothing for 2^(n-1) seconds).
"""

import re
from base64 import b32encode
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR = "Authenticator app"
RECOVERY_CODES = "Recovery codes"
RECOVERY_CODE_COUNT = 10
APP_CODE = re.compile(r"\d{6}")


@dataclass(frozen=True)
class CodeCheck:
    """What checking a code found: the device that took it, or when the device will check
    codes again if it is throttled, or neither (a wrong code)."""

    device: Device | None = None
    retry_at: datetime | None = None
    recovery_codes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.device is not None


def normal_code(code: str) -> str:
    """As typed, less spaces and hyphens, lower case (recovery codes are shown so)."""
    return re.sub(r"[\s-]", "", code).lower()


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_codes(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user) -> bool:
    """The user has something to pass a second factor with: an app or recovery codes."""
    return next(devices_for_user(user, confirmed=True), None) is not None


def secret_of(device: TOTPDevice) -> str:
    """The device's key as an authenticator app takes it typed in: base32, in fours."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _check(device: Device | None, code: str) -> CodeCheck:
    if device is None:
        return CodeCheck()
    with transaction.atomic():
        # Locked, so that two requests at once cannot both use a code or both be checked
        # while the device should be waiting.
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, extra = device.verify_is_allowed()
        if not allowed:
            return CodeCheck(retry_at=(extra or {}).get("locked_until"))
        if device.verify_token(code):
            return CodeCheck(device=device)
    return CodeCheck()


def second_factor_check(*, user, code: str) -> CodeCheck:
    """Check a code the user typed at the token step against the one device it is for."""
    code = normal_code(code)
    device = authenticator(user) if APP_CODE.fullmatch(code) else recovery_codes(user)
    return _check(device, code)


def authenticator_pending(*, user) -> TOTPDevice:
    """The authenticator app the user is adding: an unconfirmed device with a new key,
    the same one each time they look until a first code confirms it."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return pending or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def authenticator_confirm(*, user, code: str) -> CodeCheck:
    """A first code from the app being added: when it is right the app becomes the user's
    authenticator (any earlier one is removed) and a new set of recovery codes replaces
    theirs; the check carries those codes, to be shown once."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    code = normal_code(code)
    if not APP_CODE.fullmatch(code):
        return CodeCheck()
    check = _check(pending, code)
    if not check.passed:
        return check
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=pending.pk).delete()
        TOTPDevice.objects.filter(pk=pending.pk).update(confirmed=True)
        check.device.confirmed = True
        codes = recovery_codes_replace(user=user)
    return CodeCheck(device=check.device, recovery_codes=codes)


def recovery_codes_replace(*, user) -> list[str]:
    """Ten new recovery codes for the user, in place of any they had (the device stays,
    so that a session verified by an old code stays verified)."""
    with transaction.atomic():
        device = recovery_codes(user)
        if device is None:
            device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES)
        else:
            device.token_set.all().delete()
            device.throttle_reset()
        codes = set()
        while len(codes) < RECOVERY_CODE_COUNT:
            codes.add(StaticToken.random_token())
        codes = sorted(codes)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def second_factor_create(*, user) -> tuple[TOTPDevice, list[str]]:
    """An authenticator app's key and recovery codes made for the user at once, for a
    login made at the command line (create_staff_login), which has no browser to enrol
    in; the caller shows both once."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=True)
        return device, recovery_codes_replace(user=user)


def second_factor_remove(*, user) -> int:
    """Remove every device of the user (a lost phone): they are asked to add an app at
    their next login, or pass on a password if the rule lets them. Returns how many."""
    removed = 0
    with transaction.atomic():
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
            removed += 1
    return removed
