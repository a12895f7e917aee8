"""The signed link to a recipient's preferences, in every digest.

The link itself is the credential (no login): it names the user id and the time it was
made, signed with SECRET_KEY and a salt of its own, so a token made for anything else
never opens it. It expires after LINK_LIFETIME: a link forwarded or found in an old email
stops working, while every digest, weekly at the least, brings a fresh one well before
then. The view also refuses the link of an account that is no longer active.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "reminders.preferences"
# Long enough for a recipient who paused digests for a few weeks to come back through the
# last one; short enough that a leaked link soon stops being a key.
LINK_LIFETIME = datetime.timedelta(days=60)


def preferences_token(user) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(user.pk))


def user_id_from_token(token: str) -> int | None:
    """The user id the token names, or None when it is not one of ours or was altered.

    Raises signing.SignatureExpired for one of ours older than LINK_LIFETIME.
    """
    try:
        return int(signing.TimestampSigner(salt=SALT).unsign(token, max_age=LINK_LIFETIME))
    except signing.SignatureExpired:
        raise
    except (signing.BadSignature, ValueError):
        return None


def preferences_url(user) -> str:
    path = reverse("reminders:preferences", args=[preferences_token(user)])
    return settings.SITE_URL.rstrip("/") + path
