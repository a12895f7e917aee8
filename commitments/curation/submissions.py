"""The public's corrections and new evidence: taking one in, and deciding it.

A visitor's submission goes into the staff queue and nowhere else (`submission_receive`).
Staff accept it into a follow-up (recorded as any other, citing its source, rated only as
the rules allow) or reject it with a reason (`submission_decide`). The throttle that keeps
one client from flooding the queue is here too, so that the form and any later entry
point share it.
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commitments.models import FollowUp, Submission

# How many submissions one client may send, over how long.
LIMITS = [(5, datetime.timedelta(hours=1)), (20, datetime.timedelta(days=1))]
TOO_MANY = (
    "Too many submissions from your connection for now: please try again later, or "
    "put everything you want to tell us into one."
)


def client_key(address: str) -> str:
    """A keyed hash of the client's address: enough to count its submissions, useless
    to anyone wanting the address back."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


def throttled(key: str, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    sent = Submission.objects.filter(client_key=key)
    return any(sent.filter(created_at__gt=now - span).count() >= limit for limit, span in LIMITS)


def submission_receive(*, submission: Submission, client_address: str) -> Submission:
    """Queue a visitor's submission (unsaved, already validated). Raises ValidationError,
    saving nothing, when the client has sent too many."""
    submission.client_key = client_key(client_address)
    with transaction.atomic():
        if throttled(submission.client_key):
            raise ValidationError(TOO_MANY, code="throttled")
        submission.state = Submission.State.NEW
        submission.save()
    return submission


def submission_decide(
    *,
    submission: Submission,
    state: str,
    user,
    follow_up: FollowUp | None = None,
    reason: str = "",
) -> Submission:
    """Accept a submission into `follow_up` or reject it for `reason`. Raises
    ValidationError when the decision lacks what it needs (`decision_check`)."""
    decision_check(submission=submission, state=state, follow_up=follow_up, reason=reason)
    submission.state = state
    submission.follow_up = follow_up if state == Submission.State.ACCEPTED else None
    submission.rejection_reason = reason.strip() if state == Submission.State.REJECTED else ""
    decided = state != Submission.State.NEW
    submission.decided_by = user if decided else None
    submission.decided_at = timezone.now() if decided else None
    submission.save()
    return submission


def decision_check(*, submission: Submission, state: str, follow_up, reason: str) -> None:
    """The rule of a decision, by field (a form error in the admin): an accepted
    submission names its follow-up, about the same pledge; a rejected one says why."""
    if state == Submission.State.ACCEPTED and follow_up is None:
        raise ValidationError(
            {"follow_up": "Choose the follow-up it was accepted into (record it first)."}
        )
    if state == Submission.State.ACCEPTED and submission.commitment_id not in (
        None,
        follow_up.commitment_id,
    ):
        raise ValidationError({"follow_up": "That follow-up is about another pledge."})
    if state == Submission.State.REJECTED and not reason.strip():
        raise ValidationError({"rejection_reason": "Say why it was rejected."})
