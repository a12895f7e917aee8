"""What the reminder tests share: the rows a digest is made from. The SMTP server is in
tests/smtp_server.py, its fixture `smtp` in tests/conftest.py."""

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from commitments.models import Commitment, Flag
from tests.clock import NOW, TODAY  # noqa: F401  (the reminder tests import them from here)
from tests.factories import make_commitment


def person(username: str, **fields) -> User:
    fields.setdefault("email", f"{username}@example.org")
    return User.objects.create_user(username, password="pw", is_staff=True, **fields)


def flagged(
    platform,
    title: str,
    *,
    owner=None,
    due_on: datetime.date = TODAY - datetime.timedelta(days=30),
    reason: str = Flag.Reason.OVERDUE,
    **fields,
) -> Flag:
    """A pledge of `platform`, due for follow-up on `due_on`, with an open flag."""
    pledge = make_commitment(platform, title, owner=owner)
    Commitment.objects.filter(pk=pledge.pk).update(follow_up_due_on=due_on)
    fields.setdefault("opened_at", NOW - datetime.timedelta(days=3))
    source = pledge.citations.first().source if reason == Flag.Reason.SOURCE_UNREACHABLE else None
    return Flag.objects.create(commitment=pledge, reason=reason, source=source, **fields)


def later(**delta) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(**delta)
