"""Who the staff are: the one definition of an active staff member, and of one that a
reminder email can reach. The admin's choices of owner, the flag queue's "Assign an
owner" and the reminder digests all ask here."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

# The group whose members review, publish and get the unowned pledges' reminders (made,
# with Editors, by migration 0002).
REVIEWERS = "Reviewers"


def active_staff() -> QuerySet:
    """Users who may work in the admin now."""
    return get_user_model().objects.filter(is_staff=True, is_active=True)


def reachable_staff() -> QuerySet:
    """Active staff with an email address: whom a digest can reach."""
    return active_staff().exclude(email="")


def is_reachable(user_id_field: str) -> Exists:
    """An expression: the user in `user_id_field` (such as "commitment__owner_id") is
    one a digest can reach. A pledge whose owner is not counts as unowned."""
    return Exists(reachable_staff().filter(pk=OuterRef(user_id_field)))
