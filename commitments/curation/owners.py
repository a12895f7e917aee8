"""Giving pledges an owner: the staff member who follows them up and gets their
reminders."""

from django.db import transaction
from django.utils import timezone

from commitments.bulk_history import history_write
from commitments.models import Commitment


def commitments_assign_owner(*, commitments, owner, user=None) -> list[Commitment]:
    """Make `owner` the owner of `commitments` (a queryset); returns those that changed,
    each kept in its history as `user`'s change."""
    changing = list(commitments.exclude(owner=owner).select_related("platform"))
    now = timezone.now()
    with transaction.atomic():
        Commitment.objects.filter(pk__in=[c.pk for c in changing]).update(
            owner=owner, updated_at=now
        )
        for commitment in changing:
            commitment.owner, commitment.updated_at = owner, now
        history_write(changing, update=True, user=user)
    return changing
