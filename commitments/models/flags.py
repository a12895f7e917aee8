"""The follow-up engine's records: the rules that say when a pledge is due for evidence,
and the flags raised when it is not there (commitments/followup/flagging.py raises and resolves
them).
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commitments.models.fields import staff_user_field
from commitments.models.pledges import Commitment
from commitments.models.records import Source

# Ten years: a longer interval is a typing mistake, not a rule.
MAX_DAYS = 3650


def days_field(verbose_name: str, **kwargs):
    return models.PositiveIntegerField(
        verbose_name,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)],
        **kwargs,
    )


class FollowUpRule(models.Model):
    """When a kind of pledge is due for follow-up evidence.

    Due on `last evidence + interval`, where the last evidence is the latest of the
    announcement, the effective date and the newest follow-up; flagged for staff once
    `grace_days` more have passed. A recurring pledge's cadence, and a pledge's own
    interval, win over the interval here. Being overdue is about the tracker's schedule:
    it never changes a pledge's status.
    """

    kind = models.CharField(max_length=20, choices=Commitment.Kind.choices, unique=True)
    interval_days = days_field(
        "interval (days)", help_text="Days after the last evidence that new evidence is due."
    )
    grace_days = models.PositiveIntegerField(
        "grace (days)",
        default=14,
        validators=[MaxValueValidator(MAX_DAYS)],
        help_text="Days past due before the pledge is flagged.",
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = "follow-up rule"

    def __str__(self):
        return f"{self.get_kind_display()}: every {self.interval_days} days"


class FlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def awake(self, today: datetime.date):
        """Open and not snoozed past `today`: what staff should act on now."""
        return self.open().filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today))

    def snoozed(self, today: datetime.date):
        return self.open().filter(snoozed_until__gt=today)

    def resolved(self):
        return self.filter(resolved_at__isnull=False)

    def resolved_by_staff(self, since):
        """Resolved by a person (not by the job) on `since` or later: a date, or an
        expression such as OuterRef("flag_from")."""
        return self.filter(resolved_by__isnull=False, resolved_at__date__gte=since)

    def in_state(self, state: str, today: datetime.date):
        """The flags whose `Flag.state(today)` is `state`: the same rule, as a filter."""
        return {
            Flag.State.OPEN: self.awake,
            Flag.State.SNOOZED: self.snoozed,
            Flag.State.RESOLVED: lambda today: self.resolved(),
        }[state](today)


# The reasons that are about one source of the pledge, and name it.
SOURCE_REASONS = ["source_unreachable", "wording_changed"]


class Flag(models.Model):
    """A pledge that needs a staff member's attention, and why. Opened and resolved by
    `flag_commitments`; staff snooze, resolve or assign them in the admin."""

    class Reason(models.TextChoices):
        OVERDUE = "overdue", "Follow-up overdue"
        UNSOURCED = "unsourced", "Published without a source"
        SOURCE_UNREACHABLE = "source_unreachable", "Source unreachable"
        # The pledge's own deadline passed with no delivery rated: a Reviewer accepts the
        # proposal by recording a follow-up that rates it lapsed, with a source, or
        # dismisses it. The job never rates it.
        LAPSE_PROPOSED = "lapse_proposed", "Deadline passed: lapse proposed"
        # A quote the pledge cites is no longer found in the newest kept text of its
        # source (commitments/followup/wording.py). A Reviewer confirms it with a
        # follow-up citing the source (a reversal or a statement) or dismisses it.
        WORDING_CHANGED = "wording_changed", "Quoted wording changed"

    class State(models.TextChoices):
        """Where a flag stands on a given day (FlagQuerySet.in_state filters by it)."""

        OPEN = "open", "Open"
        SNOOZED = "snoozed", "Snoozed"
        RESOLVED = "resolved", "Resolved"

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    # For SOURCE_UNREACHABLE: the source that failed; for WORDING_CHANGED, the source
    # whose text changed.
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    # For WORDING_CHANGED: the kept version in which the quotes were looked for, and
    # what was not found there (each quote, with its best match).
    snapshot = models.ForeignKey(
        "SourceSnapshot", null=True, blank=True, on_delete=models.SET_NULL, related_name="flags"
    )
    detail = models.TextField(blank=True, editable=False)
    # For WORDING_CHANGED: the ids of the citations whose quotes were lost, every one of
    # which must be found again before the flag resolves itself.
    lost_citations = models.JSONField(null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution = models.TextField(
        blank=True, editable=False, help_text="What resolved the flag, or the staff note."
    )
    resolved_by = staff_user_field(help_text="Empty when the flag resolved itself.")
    snoozed_until = models.DateField(null=True, blank=True, editable=False)
    snooze_reason = models.CharField(max_length=300, blank=True, editable=False)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at", "id"]
        constraints = [
            # However many runs at once: one open flag per pledge and cause.
            models.UniqueConstraint(
                fields=["commitment", "reason"],
                condition=Q(resolved_at__isnull=True, source__isnull=True),
                name="flag_one_open_per_reason",
            ),
            models.UniqueConstraint(
                fields=["commitment", "source", "reason"],
                condition=Q(resolved_at__isnull=True, source__isnull=False),
                name="flag_one_open_per_source",
            ),
            models.CheckConstraint(
                condition=Q(reason__in=SOURCE_REASONS, source__isnull=False)
                | (~Q(reason__in=SOURCE_REASONS) & Q(source__isnull=True)),
                name="flag_source_only_for_source_reasons",
            ),
        ]
        indexes = [models.Index(fields=["reason", "resolved_at"], name="flag_by_reason")]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.commitment}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def state(self, today: datetime.date) -> str:
        if self.resolved_at is not None:
            return self.State.RESOLVED
        if self.snoozed_until and self.snoozed_until > today:
            return self.State.SNOOZED
        return self.State.OPEN
