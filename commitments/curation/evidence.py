"""Recording, changing and deleting follow-ups: the evidence that moves a commitment.

A follow-up is the only way a commitment's status changes, so each of these ends by
refreshing the commitments it touched (commitments/refresh.py): their status, the date
of their newest evidence and their due dates. The admin, the importer and the tests call
these; nothing else writes a follow-up.
"""

from collections.abc import Iterable

from django.db import transaction

from commitments.models import FollowUp
from commitments.refresh import DERIVED_FIELDS, DUE_DATES, STATUS, commitments_refresh

# A follow-up moves its commitment's status and due dates; the search document holds only
# the commitment's own words and sources.
MOVED = frozenset({STATUS, DUE_DATES})


def follow_up_record(*, follow_up: FollowUp, user=None) -> FollowUp:
    """Save new evidence (an unsaved FollowUp) and move its commitment on."""
    with transaction.atomic():
        save_as(follow_up, user)
        commitments_refresh(commitments=[follow_up.commitment_id], values=MOVED, user=user)
    reread_commitment(follow_up)
    return follow_up


def follow_up_change(*, follow_up: FollowUp, user=None) -> FollowUp:
    """Save an edited follow-up. Evidence moved to another commitment leaves the first
    with less to show, so both are refreshed."""
    with transaction.atomic():
        before = FollowUp.objects.filter(pk=follow_up.pk).values_list("commitment_id", flat=True)
        touched = {follow_up.commitment_id, *before}
        save_as(follow_up, user)
        commitments_refresh(commitments=touched, values=MOVED, user=user)
    reread_commitment(follow_up)
    return follow_up


def follow_ups_delete(*, follow_ups: Iterable[FollowUp], user=None) -> int:
    """Delete follow-ups (a queryset or a list); their commitments fall back on the
    evidence left. Returns how many were deleted."""
    follow_ups = list(follow_ups)
    touched = {follow_up.commitment_id for follow_up in follow_ups}
    with transaction.atomic():
        for follow_up in follow_ups:
            # One at a time, as the admin's own delete does: each keeps its history row
            # with who deleted it, and its citations go with it.
            if user is not None:
                follow_up._history_user = user
            follow_up.delete()
        commitments_refresh(commitments=touched, values=MOVED, user=user)
    for follow_up in follow_ups:
        reread_commitment(follow_up)
    return len(follow_ups)


def save_as(follow_up: FollowUp, user) -> None:
    """Save, the history row naming `user` (else whoever the request is from)."""
    if user is not None:
        follow_up._history_user = user
    follow_up.save()


def reread_commitment(follow_up: FollowUp) -> None:
    """The caller's copy of the commitment, if it holds one, shows what it stores now."""
    if FollowUp.commitment.is_cached(follow_up):
        follow_up.commitment.refresh_from_db(fields=DERIVED_FIELDS)
