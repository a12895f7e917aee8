"""Reminder emails: what each staff member wants to receive, and one row per digest.

A Reminder row is the digest's state machine (pending -> sending -> sent | skipped |
failed, and back to pending for a retry). The row exists before any email is sent, so a
digest survives a lost task, a dead worker or a Redis outage: the sweeper finds it again
(reminders/sending.py explains the rules).
"""

import datetime
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ReminderPreference(models.Model):
    """A staff member's choice of digest. No row means the defaults: weekly, not paused."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        OFF = "off", "Off"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    paused_until = models.DateField(
        null=True, blank=True, help_text="No digest up to and including this date."
    )

    class Meta:
        verbose_name = "reminder preference"

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"

    def wants_digest(self, today: datetime.date) -> bool:
        if self.frequency == self.Frequency.OFF:
            return False
        return self.paused_until is None or self.paused_until < today


def period_key(frequency: str, today: datetime.date) -> str:
    """The period a digest covers: the day ("2026-11-25") or the ISO week ("2026-W48")."""
    if frequency == ReminderPreference.Frequency.DAILY:
        return today.isoformat()
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def new_message_id() -> str:
    # Made once with the row, so that every retry of the same digest carries the same
    # Message-ID and a mail system that got it twice can tell.
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<reminder-{uuid.uuid4().hex}@{host}>"


class ReminderQuerySet(models.QuerySet):
    def due(self, now: datetime.datetime):
        """Waiting to be sent, and their (next) attempt is due."""
        return self.filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now)

    def claimed_before(self, moment: datetime.datetime):
        """In the hands of a sender since before `moment`."""
        return self.filter(status=Reminder.Status.SENDING, claimed_at__lt=moment)


class Reminder(models.Model):
    """One digest email for one recipient and one period."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped (nothing left to send)"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    period = models.CharField(max_length=10, help_text='A day ("2026-11-25") or ISO week.')
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Due from the moment it is made; pushed later by each temporary failure.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    message_id = models.CharField("Message-ID", max_length=200, unique=True, default=new_message_id)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    item_count = models.PositiveIntegerField("items", default=0)
    items = models.JSONField(
        "listed", default=list, blank=True, help_text="What the digest listed."
    )

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The exactly-once rule: however many runs, one digest per recipient and period.
            models.UniqueConstraint(fields=["recipient", "period"], name="reminder_one_per_period"),
        ]
        indexes = [
            # For the sweeper and send_reminders: pending rows that are due, and claims
            # that have expired.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="reminder_in_flight",
            ),
        ]

    def __str__(self):
        return f"{self.recipient} {self.period}"
