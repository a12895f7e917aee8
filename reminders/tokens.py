"""The signed link to a recipient's preferences, in every digest.

The link itself is the credential (no login): it names the user id, signed with
SECRET_KEY and a salt of its own, so a token made for anything else never opens it. It
does not expire, because an unsubscribe link must work in an old email too.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "reminders.preferences"


def preferences_token(user) -> str:
    # A plain Signer, without a timestamp: the same short link in every digest.
    return signing.Signer(salt=SALT).sign(str(user.pk))


def user_id_from_token(token: str) -> int | None:
    """The user id the token names, or None when it is not one of ours or was altered."""
    try:
        return int(signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def preferences_url(user) -> str:
    path = reverse("reminders:preferences", args=[preferences_token(user)])
    return settings.SITE_URL.rstrip("/") + path
