"""Bringing back a deleted commitment from its history.

Deleting a commitment cascades to its citations and follow-ups (and their citations);
django-simple-history keeps a '-' record of each. Its own revert form recreates only the
commitment row, so a restored pledge would come back unsourced and with no evidence.
`commitment_restore` brings the whole group back, with the same ids, in one transaction.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Initiative,
    Person,
    Platform,
    Source,
)
from commitments.refresh import commitments_refresh

HistoricalCommitment = Commitment.history.model
HistoricalFollowUp = FollowUp.history.model
HistoricalCitation = Citation.history.model
HistoricalSource = Source.history.model

# Rows deleted by one cascade are recorded one after another, within a fraction of a second.
CASCADE_WINDOW = datetime.timedelta(seconds=1)
RESTORE_REASON = "Restored after deletion"


class RestoreError(Exception):
    """A restore that cannot go ahead; the message says why, for people."""


class AlreadyRestored(RestoreError):
    """The commitment exists again: someone restored it before."""


def deleted_commitments() -> QuerySet:
    """The deletion record of each commitment that is deleted now (newest first).

    A commitment deleted, restored and deleted again has several '-' records; only its
    latest record counts, and only if that record is the deletion.
    """
    latest = (
        HistoricalCommitment.objects.filter(id=OuterRef("id"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return (
        HistoricalCommitment.objects.filter(history_type="-", history_id=Subquery(latest))
        .exclude(Exists(Commitment.objects.filter(pk=OuterRef("id"))))
        .select_related("platform", "history_user")
        .order_by("-history_date", "-history_id")
    )


def commitment_restore(*, history_id: int, user) -> Commitment:
    """Recreate the commitment deleted in history record `history_id`, with the
    citations and follow-ups that were deleted with it, and return it.

    Raises AlreadyRestored if the commitment exists again, RestoreError if something it
    needs (its platform, a source) is gone or it would now clash with another pledge.
    """
    with transaction.atomic():
        # The lock makes two simultaneous restores of one deletion take turns.
        record = (
            HistoricalCommitment.objects.select_for_update()
            .filter(history_id=history_id, history_type="-")
            .first()
        )
        if record is None:
            raise RestoreError("There is no deletion with this history id.")
        if Commitment.objects.filter(pk=record.id).exists():
            raise AlreadyRestored(f"“{record.title}” already exists: it was restored before.")
        commitment = _restore_commitment(record, user)
        deleted_follow_ups = _deleted_with(HistoricalFollowUp, record, commitment_id=record.id)
        follow_ups = [_reinsert(row, user) for row in deleted_follow_ups]
        for citation in _deleted_citations(record, [f.pk for f in follow_ups]):
            _reinsert(citation, user)
        commitments_refresh(commitments=[commitment.pk], user=user, reason=RESTORE_REASON)
        commitment.refresh_from_db()
    return commitment


def _restore_commitment(record, user) -> Commitment:
    commitment = record.instance
    _check_parents_exist(commitment)
    if commitment.owner_id and not _user_exists(commitment.owner_id):
        commitment.owner_id = None  # what on_delete=SET_NULL would have done
    if Commitment.objects.filter(slug=commitment.slug).exists():
        commitment.slug = ""  # taken since; save() makes a fresh one
    try:
        # A pledge recorded again since the deletion must not be duplicated.
        commitment.validate_constraints()
    except ValidationError as error:
        raise RestoreError(" ".join(error.messages)) from error
    _reinsert_instance(commitment, record, user)
    commitment.people.set(_people_before_deletion(record))
    return commitment


def _check_parents_exist(commitment: Commitment) -> None:
    if not Platform.objects.filter(pk=commitment.platform_id).exists():
        raise RestoreError("Its platform has been deleted since; restore the platform first.")
    if (
        commitment.initiative_id
        and not Initiative.objects.filter(pk=commitment.initiative_id).exists()
    ):
        raise RestoreError("Its initiative has been deleted since; restore it first.")


def _user_exists(user_id: int) -> bool:
    return get_user_model().objects.filter(pk=user_id).exists()


def _people_before_deletion(record) -> list[int]:
    # The '-' record has no people: the links are gone before the row is. The record
    # before it still lists them.
    previous = record.prev_record
    if previous is None:
        return []
    person_ids = previous.people.values_list("person_id", flat=True)
    return list(Person.objects.filter(pk__in=person_ids).values_list("pk", flat=True))


def _deleted_with(history_model, record, **lookups) -> list:
    """`history_model`'s deletion records matching `lookups` made by the same cascade as
    `record` (the commitment's deletion), one per id."""
    window = (record.history_date - CASCADE_WINDOW, record.history_date + CASCADE_WINDOW)
    rows = history_model.objects.filter(history_type="-", history_date__range=window, **lookups)
    latest = {}
    for row in rows.order_by("history_date", "history_id"):
        latest[row.id] = row
    return list(latest.values())


def _deleted_citations(record, follow_up_ids: list[int]) -> list:
    citations = _deleted_with(HistoricalCitation, record, commitment_id=record.id)
    if follow_up_ids:
        citations += _deleted_with(HistoricalCitation, record, follow_up_id__in=follow_up_ids)
    for citation in citations:
        _check_source_exists(citation.source_id)
        if citation.person_id and not Person.objects.filter(pk=citation.person_id).exists():
            citation.person_id = None  # what on_delete=SET_NULL would have done
    return citations


def _check_source_exists(source_id: int) -> None:
    if Source.objects.filter(pk=source_id).exists():
        return
    title = (
        HistoricalSource.objects.filter(id=source_id)
        .order_by("-history_date")
        .values_list("title", flat=True)
        .first()
    )
    raise RestoreError(
        f"Its source “{title or source_id}” has been deleted since; restore that source "
        "from its history first."
    )


def _reinsert(record, user):
    """Insert the row `record` describes, with its old id; returns the model instance."""
    instance = record.instance
    _reinsert_instance(instance, record, user)
    return instance


def _reinsert_instance(instance, record, user) -> None:
    instance._history_user = user
    instance._change_reason = RESTORE_REASON
    instance.save(force_insert=True)
    created_at = getattr(record, "created_at", None)
    if created_at:
        # auto_now_add stamped the restore time; the record was created long before.
        type(instance).objects.filter(pk=instance.pk).update(created_at=created_at)
