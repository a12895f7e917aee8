"""Recording, changing and deleting follow-ups: the evidence that moves a commitment.

A follow-up is the only way a commitment's status changes, so each of these ends by
refreshing the commitments it touched (commitments/refresh.py): their status, the date
of their newest evidence and their due dates. The admin, the importer and the tests call
these; nothing else writes a follow-up.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from commitments.bulk_history import update_with_history
from commitments.models import FollowUp
from commitments.refresh import DERIVED_FIELDS, DUE_DATES, STATUS, commitments_refresh

# A follow-up moves its commitment's status and due dates; the search document holds only
# the commitment's own words and sources.
MOVED = frozenset({STATUS, DUE_DATES})


def follow_up_record(*, follow_up: FollowUp, user=None, approve: bool = False) -> FollowUp:
    """Save new evidence (an unsaved FollowUp) and move its commitment on. A rating is a
    draft, public and moving the status only once approved: here when `approve` (the
    caller has checked that `user` may), else later by `follow_ups_approve`."""
    with transaction.atomic():
        if approve:
            mark_approved(follow_up, user)
        save_as(follow_up, user)
        commitments_refresh(commitments=[follow_up.commitment_id], values=MOVED, user=user)
    reread_commitment(follow_up)
    return follow_up


def follow_up_change(*, follow_up: FollowUp, user=None, approve: bool = False) -> FollowUp:
    """Save an edited follow-up. Evidence moved to another commitment leaves the first
    with less to show, so both are refreshed. A changed rating (its status, its kind, or
    the pledge it rates) goes back to draft unless `approve`; an unchanged one keeps its
    approval."""
    with transaction.atomic():
        before = FollowUp.objects.filter(pk=follow_up.pk).values(
            "commitment_id", "status_after", "kind"
        )
        touched = {follow_up.commitment_id, *(row["commitment_id"] for row in before)}
        rerated = any(
            (row["status_after"], row["kind"], row["commitment_id"])
            != (follow_up.status_after, follow_up.kind, follow_up.commitment_id)
            for row in before
        )
        if approve and (rerated or follow_up.is_draft):
            mark_approved(follow_up, user)
        elif rerated:
            follow_up.approved_at = follow_up.approved_by = None
        save_as(follow_up, user)
        commitments_refresh(commitments=touched, values=MOVED, user=user)
    reread_commitment(follow_up)
    return follow_up


def follow_ups_approve(*, follow_ups: QuerySet, user) -> int:
    """Make drafted ratings public, approved by `user` (a Reviewer: the admin checks),
    and move their commitments' statuses. Returns how many were approved."""
    with transaction.atomic():
        drafts = list(follow_ups.drafts().select_for_update())
        if not drafts:
            return 0
        update_with_history(drafts, user=user, approved_at=timezone.now(), approved_by=user)
        commitments_refresh(commitments={f.commitment_id for f in drafts}, values=MOVED, user=user)
    return len(drafts)


def mark_approved(follow_up: FollowUp, user) -> None:
    if follow_up.status_after:
        follow_up.approved_at, follow_up.approved_by = timezone.now(), user


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
