"""Who gets which flagged pledges in their digest.

- A pledge's owner gets the flags on the pledges they own.
- Flags on a pledge nobody can be reminded of (no owner, or an owner who is inactive or
  has no email address) go to every active member of the Reviewers group.
- A recipient whose preference is off, or paused up to today or later, gets nothing.
- Only awake flags count: open, and not snoozed past today.

Everything is read in two queries (the flags, then the recipients) however many flags
there are.

"Days overdue" of an item: for an overdue follow-up, the days since the follow-up was
due; for the other reasons (no source, source unreachable), the days since the flag was
opened, which is how long the problem has waited.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from commitments.models import Flag
from commitments.staff import REVIEWERS, is_reachable, reachable_staff
from reminders.preferences import preference_of


@dataclass(frozen=True)
class Item:
    platform: str
    pledge: str
    reason: str
    days_overdue: int
    admin_url: str

    def sort_key(self):
        # The longest waiting first.
        return (-self.days_overdue, self.platform, self.pledge)

    def summary(self) -> str:
        return f"{self.platform}: {self.pledge} ({self.reason}, {self.days_overdue} days)"


@dataclass
class Digest:
    recipient: object  # a User
    own: list[Item] = field(default_factory=list)
    unowned: list[Item] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return self.own + self.unowned


def build_digests(
    today: datetime.date, *, frequency: str | None = None, recipient_id: int | None = None
) -> dict[int, Digest]:
    """The non-empty digests of today, by recipient id. `frequency` keeps only the
    recipients who chose it; `recipient_id` builds one recipient's digest alone."""
    if recipient_id is None:
        flags = list(awake_flags(today))
        recipients = list(possible_recipients(flags)) if flags else []
    else:
        # One recipient (a delivery): who they are first, so that only a Reviewer's
        # flags query reaches for the unowned pledges.
        recipients = list(possible_recipients([], recipient_id))
        flags = list(awake_flags(today, recipients[0])) if recipients else []
    if not flags:
        return {}
    reviewers = [user for user in recipients if user.is_reviewer]
    digests = {user.pk: Digest(user) for user in recipients if wants(user, today, frequency)}
    for flag in flags:
        item = item_of(flag, today)
        if flag.owner_reachable:
            if flag.commitment.owner_id in digests:
                digests[flag.commitment.owner_id].own.append(item)
            continue
        for reviewer in reviewers:
            if reviewer.pk in digests:
                digests[reviewer.pk].unowned.append(item)
    for digest in digests.values():
        digest.own.sort(key=Item.sort_key)
        digest.unowned.sort(key=Item.sort_key)
    return {pk: digest for pk, digest in digests.items() if digest.items}


def awake_flags(today: datetime.date, recipient=None):
    # A flag whose pledge has no owner a digest can reach is the Reviewers' to deal with.
    flags = (
        Flag.objects.awake(today)
        .select_related("commitment__platform", "commitment__owner")
        .annotate(owner_reachable=is_reachable("commitment__owner_id"))
    )
    if recipient is not None:
        theirs = Q(commitment__owner_id=recipient.pk)
        unowned = Q(owner_reachable=False)
        flags = flags.filter(theirs | unowned if recipient.is_reviewer else theirs)
    return flags.order_by("id")


def possible_recipients(flags: list[Flag], recipient_id: int | None = None):
    """Owners of these flags and all reviewers who can get email (or only the recipient
    `recipient_id`, if they can), with their preference and whether they are a reviewer."""
    users = reachable_staff()
    in_reviewers = Group.objects.filter(name=REVIEWERS, user=OuterRef("pk"))
    if recipient_id is not None:
        users = users.filter(pk=recipient_id)
    else:
        owner_ids = {flag.commitment.owner_id for flag in flags if flag.commitment.owner_id}
        users = users.filter(Q(pk__in=owner_ids) | Exists(in_reviewers))
    return users.annotate(is_reviewer=Exists(in_reviewers)).select_related("reminder_preference")


def wants(user, today: datetime.date, frequency: str | None) -> bool:
    preference = preference_of(user)
    if frequency is not None and preference.frequency != frequency:
        return False
    return preference.wants_digest(today)


def item_of(flag: Flag, today: datetime.date) -> Item:
    commitment = flag.commitment
    return Item(
        platform=commitment.platform.name,
        pledge=commitment.title,
        reason=flag.get_reason_display(),
        days_overdue=days_overdue(flag, today),
        admin_url=absolute_url(commitment.get_admin_url()),
    )


def days_overdue(flag: Flag, today: datetime.date) -> int:
    due_on = flag.commitment.follow_up_due_on
    if flag.reason != Flag.Reason.OVERDUE or due_on is None:
        due_on = timezone.localdate(flag.opened_at)
    return max((today - due_on).days, 0)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
