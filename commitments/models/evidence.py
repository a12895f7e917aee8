"""What became of pledges, and where they were made: follow-ups and citations."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from simple_history.models import HistoricalRecords

from commitments.dates import (
    date_range_constraint,
    date_range_validators,
    format_partial_date,
    precision_field,
    truncate,
)
from commitments.models.fields import staff_user_field
from commitments.models.records import Initiative, Person, Source
from commitments.models.snapshots import SourceSnapshot
from commitments.models.status import INDEPENDENT_STATUSES, Status

# The rule of a rating, held here and nowhere else: a follow-up that names a status cites
# at least one source, and only evidence from outside the platform (an independent test,
# a regulator's finding) rates a pledge verified or falling short. The admin's follow-up
# forms, FollowUp.clean() and the importer's checks all ask `rating_problems`.
NEEDS_SOURCE = (
    "A follow-up that sets a status needs at least one source: cite the evidence, or "
    "leave 'moves status to' empty."
)
NEEDS_INDEPENDENT = (
    "Only an independent test or a regulator's finding can rate a pledge {status}: "
    "change the kind, or choose another status."
)


class FollowUpQuerySet(models.QuerySet):
    def ratings(self):
        return self.exclude(status_after="")

    def drafts(self):
        """Ratings an Editor drafted that no Reviewer has approved yet."""
        return self.ratings().filter(approved_at__isnull=True)

    def public(self):
        """What the public sees and what moves a status: evidence that rates nothing,
        and ratings a Reviewer approved. Drafts stay in the admin."""
        return self.filter(Q(status_after="") | Q(approved_at__isnull=False))


class FollowUp(models.Model):
    """Later evidence about a commitment, recorded by a person. The only way its status
    changes: a follow-up that names a status is a rating (see `rating_problems`)."""

    class Kind(models.TextChoices):
        PROGRESS_REPORT = "progress_report", "Progress report"
        TRANSPARENCY_REPORT = "transparency_report", "Transparency report"
        INDEPENDENT_TEST = "independent_test", "Independent test"
        REGULATOR_FINDING = "regulator_finding", "Regulator's finding"
        STATEMENT = "statement", "Statement"
        REVERSAL = "reversal", "Reversal"
        REPLY = "reply", "Platform's reply"
        OTHER = "other", "Other"
        NO_EVIDENCE = "no_evidence", "No evidence found"

    commitment = models.ForeignKey(
        "Commitment", on_delete=models.CASCADE, related_name="follow_ups"
    )
    happened_on = models.DateField(validators=date_range_validators())
    happened_precision = precision_field("date precision")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    summary = models.TextField()
    status_after = models.CharField(
        "moves status to",
        max_length=20,
        choices=Status.choices,
        blank=True,
        help_text="Leave empty when this evidence does not change the status.",
    )
    # For an independent test: who tested what, and how.
    tested_by = models.CharField(max_length=200, blank=True)
    test_account_age = models.PositiveSmallIntegerField(
        "declared age of the test account", null=True, blank=True
    )
    test_country = models.CharField(max_length=100, blank=True)
    app_version = models.CharField(max_length=100, blank=True)
    # A rating (a follow-up that sets a status) is public once a Reviewer approves it:
    # by saving it, by the approve action, or by importing a file (a Reviewer's act, so
    # `approved_by` is empty then and the history names the file).
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = staff_user_field()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["happened_on", "id"]
        verbose_name = "follow-up"
        permissions = [("approve_rating", "Can approve a drafted rating")]
        # The overview's "new evidence" list: the newest recorded first.
        indexes = [models.Index(fields=["-created_at", "-id"], name="followup_recent")]
        constraints = [
            date_range_constraint("followup", "happened_on"),
            models.CheckConstraint(
                condition=Q(status_after="") | Q(status_after__in=Status.values),
                name="followup_status_after_known",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.happened_display}"

    @property
    def happened_display(self) -> str:
        return format_partial_date(self.happened_on, self.happened_precision)

    @property
    def is_draft(self) -> bool:
        return bool(self.status_after) and self.approved_at is None

    def clean(self):
        if self.happened_on:
            self.happened_on = truncate(self.happened_on, self.happened_precision)
        # Its sources are saved after it: the forms and the importer check those.
        problems = rating_problems(status=self.status_after, kind=self.kind, has_sources=None)
        if problems:
            raise ValidationError(problems)


INDEPENDENT_KINDS = [FollowUp.Kind.INDEPENDENT_TEST, FollowUp.Kind.REGULATOR_FINDING]


def rating_problems(*, status: str, kind: str, has_sources: bool | None) -> dict[str, str]:
    """What is wrong with a follow-up that names `status` (empty: it rates nothing), by
    field: "status_after" for the kind rule, "sources" for the source rule (not checked
    when `has_sources` is None, not known yet)."""
    problems = {}
    if status and has_sources is False:
        problems["sources"] = NEEDS_SOURCE
    if status in INDEPENDENT_STATUSES and kind not in INDEPENDENT_KINDS:
        problems["status_after"] = NEEDS_INDEPENDENT.format(status=Status(status).label.lower())
    return problems


class CitationQuerySet(models.QuerySet):
    def with_kept_text(self):
        """Annotates `kept_since` and `last_changed`: when the tracker first kept its
        source's text, and when that text last changed (the newest version's first
        sighting); None when nothing is kept. Subqueries, so no GROUP BY."""
        versions = SourceSnapshot.objects.filter(source=OuterRef("source_id")).order_by()
        return self.annotate(
            kept_since=Subquery(versions.order_by("first_seen_at").values("first_seen_at")[:1]),
            last_changed=Subquery(versions.order_by("-first_seen_at").values("first_seen_at")[:1]),
        )


class Citation(models.Model):
    """Ties a source to what it supports: where a pledge was made, the proof of a
    follow-up, or the founding documents of an initiative. Exactly one of the three."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    commitment = models.ForeignKey(
        "Commitment", null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    follow_up = models.ForeignKey(
        "FollowUp", null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    # The two rarely set keys have partial indexes (Meta.indexes), not whole ones.
    initiative = models.ForeignKey(
        Initiative,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="citations",
        db_index=False,
    )
    quote = models.TextField(blank=True, help_text="The exact words, if quoting.")
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citations",
        help_text="Who is quoted.",
        db_index=False,
    )
    history = HistoricalRecords()

    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # An initiative's sources (its page, /api/initiatives/) and a person's quotes.
            # Partial: few citations have either, and SQLite's ANALYZE counts NULL as one
            # more key, so a whole index looked like 45,000 rows a key at a million pledges
            # (2.3M citations, 50 with an initiative) and SQLite scanned the table instead.
            models.Index(
                fields=["initiative"],
                condition=Q(initiative__isnull=False),
                name="citation_by_initiative",
            ),
            models.Index(
                fields=["person"], condition=Q(person__isnull=False), name="citation_by_person"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(commitment__isnull=False, follow_up__isnull=True, initiative__isnull=True)
                    | Q(commitment__isnull=True, follow_up__isnull=False, initiative__isnull=True)
                    | Q(commitment__isnull=True, follow_up__isnull=True, initiative__isnull=False)
                ),
                name="citation_cites_exactly_one_record",
            ),
        ]

    def __str__(self):
        return str(self.source)
