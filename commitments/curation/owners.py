"""Giving pledges an owner: the staff member who follows them up and gets their
reminders."""

from commitments.bulk_history import update_with_history
from commitments.models import Commitment


def commitments_assign_owner(*, commitments, owner, user=None) -> list[Commitment]:
    """Make `owner` the owner of `commitments` (a queryset); returns those that changed,
    each kept in its history as `user`'s change."""
    changing = list(commitments.exclude(owner=owner).select_related("platform"))
    update_with_history(changing, user=user, owner=owner)
    return changing
