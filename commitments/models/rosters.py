"""Membership rosters: an initiative's members page read into names, and what staff are
asked to decide about them.

- PlatformAlias: another name a platform goes by on rosters ("Meta Platforms, Inc."),
  added by staff; names are matched by `roster_key` (commitments/followup/rosters.py).
- RosterSnapshot: the names read from the members page (Initiative.roster_source, with
  Initiative.roster_selectors), a row per change, as a source's text is kept.
- RosterProposal: a name on the roster with no recorded pledge to the initiative (it
  joined), or a recorded member no longer listed (it left, or was renamed); for staff to
  accept (a draft pledge, or a follow-up, citing the roster page) or dismiss. Written by
  commitments/followup/rosters.py; decided through commitments/curation/rosters.py.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commitments.models.records import Initiative, Platform, Source


class PlatformAlias(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, unique=True, help_text="As a roster writes it.")

    class Meta:
        ordering = ["name"]
        verbose_name = "another name of a platform"
        verbose_name_plural = "other names of platforms"

    def __str__(self):
        return f"{self.name} (= {self.platform})"


class RosterSnapshot(models.Model):
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="roster_snapshots"
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="roster_snapshots")
    names = models.JSONField(help_text="The members' names, in the page's order.")
    sha256 = models.CharField("SHA-256", max_length=64, help_text="Of the sorted names.")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["initiative", "first_seen_at", "id"]
        indexes = [
            models.Index(
                fields=["initiative", "-first_seen_at"], name="roster_newest_per_initiative"
            )
        ]

    def __str__(self):
        return f"{self.initiative} roster, first seen {self.first_seen_at:%Y-%m-%d}"


class RosterProposalQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=RosterProposal.State.OPEN)


class RosterProposal(models.Model):
    class Kind(models.TextChoices):
        JOINED = "joined", "On the roster, no pledge recorded: joined?"
        LEFT = "left", "No longer on the roster: left or renamed?"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="roster_proposals"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200, help_text="As the roster writes it.")
    platform = models.ForeignKey(
        Platform,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roster_proposals",
        help_text="The platform the name was matched to; staff choose one when none was.",
    )
    # The roster on which the name appeared, or the first on which it was missing.
    snapshot = models.ForeignKey(RosterSnapshot, on_delete=models.CASCADE, related_name="proposals")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    note = models.TextField(blank=True, editable=False)
    # What accepting made: the draft pledge (joined) or the follow-up (left).
    commitment = models.ForeignKey(
        "Commitment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    follow_up = models.ForeignKey(
        "FollowUp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = RosterProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "kind", "name"],
                condition=Q(state="open"),
                name="roster_proposal_one_open",
            )
        ]

    def __str__(self):
        return f"{self.name}: {self.get_kind_display()} ({self.initiative})"
