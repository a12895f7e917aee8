"""Who the staff are: the one definition of an active staff member, of one that a
reminder email can reach, and of one who must pass a second factor. The admin's choices of
owner, the flag queue's "Assign an owner", the reminder digests and the admin's
second-factor check (commitments/staff_login/) all ask here."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django_otp import user_has_device

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


def second_factor_required(user) -> bool:
    """Whether `user` must pass a second factor (a code from an authenticator app, or a
    recovery code) in this session before any admin page: superusers and Reviewers always;
    anyone else once they have added an authenticator app (an Editor may, and is then
    asked for it, so that their password alone no longer opens their account)."""
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or user.groups.filter(name=REVIEWERS).exists()
        or user_has_device(user, confirmed=True)
    )
