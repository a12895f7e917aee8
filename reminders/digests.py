"""Who gets which flagged pledges in their digest.

- A pledge's owner gets the flags on the pledges they own.
- Flags on a pledge nobody can be reminded of (no owner, or an owner who is inactive or
  has no email address) go to every active member of the Reviewers group.
- What waits for a Reviewer goes to every active Reviewer: proposed lapses (flags that
  only a Reviewer may accept), ratings Editors drafted, and new public submissions.
- A recipient whose preference is off, or paused up to today or later, gets nothing.
- Only awake flags count: open, and not snoozed past today.
- An item is new when it appeared after the recipient's previous digest was sent.

Everything is read in a fixed number of queries (the flags, the recipients, the drafts,
the submissions, the previous digests) however many items there are.

"Days overdue" of an item: for an overdue follow-up, the days since the follow-up was
due; for the other reasons (no source, source unreachable), the days since the flag was
opened, which is how long the problem has waited.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from commitments.models import Flag, FollowUp, Submission
from commitments.staff import REVIEWERS, is_reachable, reachable_staff
from reminders.models import Reminder
from reminders.preferences import preference_of


@dataclass(frozen=True)
class Item:
    platform: str
    pledge: str
    reason: str
    days_overdue: int
    admin_url: str
    since: datetime.datetime  # when it appeared: the flag opened, the draft or submission made
    new: bool = False

    def sort_key(self):
        # Grouped by platform; within one, the longest waiting first.
        return (self.platform, -self.days_overdue, self.pledge)

    def summary(self) -> str:
        return f"{self.platform}: {self.pledge} ({self.reason}, {self.days_overdue} days)"


@dataclass
class Digest:
    recipient: object  # a User
    own: list[Item] = field(default_factory=list)
    unowned: list[Item] = field(default_factory=list)
    # A Reviewer's only: proposed lapses and drafted ratings, then public submissions.
    awaiting_review: list[Item] = field(default_factory=list)
    submissions: list[Item] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return self.own + self.unowned + self.awaiting_review + self.submissions

    @property
    def new_count(self) -> int:
        return sum(item.new for item in self.items)


def build_digests(
    today: datetime.date, *, frequency: str | None = None, recipient_id: int | None = None
) -> dict[int, Digest]:
    """The non-empty digests of today, by recipient id. `frequency` keeps only the
    recipients who chose it; `recipient_id` builds one recipient's digest alone."""
    if recipient_id is None:
        flags = list(awake_flags(today))
        recipients = list(possible_recipients(flags))
    else:
        # One recipient (a delivery): who they are first, so that only a Reviewer's
        # flags query reaches for the unowned pledges.
        recipients = list(possible_recipients([], recipient_id))
        flags = list(awake_flags(today, recipients[0])) if recipients else []
    reviewers = [user for user in recipients if user.is_reviewer]
    digests = {user.pk: Digest(user) for user in recipients if wants(user, today, frequency)}
    if not digests:
        return {}
    for_reviewers = reviewer_items(today) if reviewers else ([], [])
    previous = previous_digests(digests)
    for flag in flags:
        item = item_of(flag, today)
        if flag.reason == Flag.Reason.LAPSE_PROPOSED:
            for reviewer in reviewers:
                if reviewer.pk in digests:
                    digests[reviewer.pk].awaiting_review.append(item)
        elif flag.owner_reachable:
            if flag.commitment.owner_id in digests:
                digests[flag.commitment.owner_id].own.append(item)
        else:
            for reviewer in reviewers:
                if reviewer.pk in digests:
                    digests[reviewer.pk].unowned.append(item)
    for reviewer in reviewers:
        if reviewer.pk in digests:
            digests[reviewer.pk].awaiting_review += for_reviewers[0]
            digests[reviewer.pk].submissions += for_reviewers[1]
    for pk, digest in digests.items():
        last_sent = previous.get(pk)
        for name in ["own", "unowned", "awaiting_review", "submissions"]:
            items = [
                replace(item, new=last_sent is None or item.since > last_sent)
                for item in getattr(digest, name)
            ]
            setattr(digest, name, sorted(items, key=Item.sort_key))
    return {pk: digest for pk, digest in digests.items() if digest.items}


def reviewer_items(today: datetime.date) -> tuple[list[Item], list[Item]]:
    """What waits for a Reviewer besides flags: ratings Editors drafted, and the public's
    new submissions."""
    drafts = FollowUp.objects.drafts().select_related("commitment__platform").order_by("id")
    drafted = [
        Item(
            platform=f.commitment.platform.name,
            pledge=f.commitment.title,
            reason=f"Rating drafted: {f.get_status_after_display()}",
            days_overdue=days_since(f.created_at, today),
            admin_url=absolute_url(reverse("admin:commitments_followup_change", args=[f.pk])),
            since=f.created_at,
        )
        for f in drafts
    ]
    submissions = Submission.objects.new().select_related("commitment__platform").order_by("id")
    sent = [
        Item(
            platform=s.commitment.platform.name if s.commitment_id else "(general)",
            pledge=s.commitment.title if s.commitment_id else "The tracker in general",
            reason="Public submission",
            days_overdue=days_since(s.created_at, today),
            admin_url=absolute_url(reverse("admin:commitments_submission_change", args=[s.pk])),
            since=s.created_at,
        )
        for s in submissions
    ]
    return drafted, sent


def previous_digests(digests: dict[int, Digest]) -> dict[int, datetime.datetime]:
    """When each recipient's previous digest was sent, if ever."""
    rows = (
        Reminder.objects.filter(recipient_id__in=list(digests), status=Reminder.Status.SENT)
        .values("recipient_id")
        .annotate(last=Max("sent_at"))
    )
    return {row["recipient_id"]: row["last"] for row in rows}


def awake_flags(today: datetime.date, recipient=None):
    # A flag whose pledge has no owner a digest can reach is the Reviewers' to deal with.
    flags = (
        Flag.objects.awake(today)
        .select_related("commitment__platform", "commitment__owner")
        .annotate(owner_reachable=is_reachable("commitment__owner_id"))
    )
    if recipient is not None:
        theirs = Q(commitment__owner_id=recipient.pk) & ~Q(reason=Flag.Reason.LAPSE_PROPOSED)
        reviewers_own = Q(owner_reachable=False) | Q(reason=Flag.Reason.LAPSE_PROPOSED)
        flags = flags.filter(theirs | reviewers_own if recipient.is_reviewer else theirs)
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
        since=flag.opened_at,
    )


def days_since(moment: datetime.datetime, today: datetime.date) -> int:
    return max((today - timezone.localdate(moment)).days, 0)


def days_overdue(flag: Flag, today: datetime.date) -> int:
    due_on = flag.commitment.follow_up_due_on
    if flag.reason != Flag.Reason.OVERDUE or due_on is None:
        due_on = timezone.localdate(flag.opened_at)
    return max((today - due_on).days, 0)


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
