"""Pledges: commitments, and the named filters that pages, jobs and the admin share.

Rules that the database can hold are named constraints (and so become form errors
through `full_clean()`); rules that span rows live in `clean()` methods and in the admin.
"""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models
from django.db.models import (
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
)
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commitments import sqlite_search
from commitments.dates import (
    date_range_constraint,
    date_range_validators,
    format_partial_date,
    precision_field,
    truncate,
)
from commitments.models.evidence import Citation
from commitments.models.fields import unique_slug
from commitments.models.records import Initiative, Person, Platform
from commitments.models.status import CLOSED_STATUSES, STATUS_RANK, Status

MAX_AGE = 21

# A pasted paragraph must not become a query of hundreds of terms.
MAX_SEARCH_WORDS = 10


# No stemming and no stop words: titles name products and laws in many languages.
SEARCH_CONFIG = "simple"

# The pledges the search finds, and so the only ones given search words
# (commitments/refresh.py): published ones. A draft's are empty, so that the index holds
# what the public may find and no more: at a million pledges, 40% of them drafts, a
# common word's page read 181,515 matches instead of 300,017 (bench/README.md).
SEARCHABLE = Q(published=True)


class CommitmentQuerySet(models.QuerySet):
    """Named filters, and the prefetch shapes that pages and downloads read rows in.

    What writes the stored values is commitments/refresh.py; what counts pledges for the
    pages is commitments/public/statistics.py.
    """

    # Filters.

    def published(self):
        return self.filter(published=True)

    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def lacking_sources(self):
        return self.exclude(citations__isnull=False)

    def lacking_follow_up(self):
        return self.filter(latest_follow_up_on__isnull=True)

    def followed_up(self):
        """The inverse of lacking_follow_up(): pledges with follow-up evidence."""
        return self.filter(latest_follow_up_on__isnull=False)

    def follow_up_overdue(self, today=None):
        """The public meaning of overdue (Commitment.follow_up_overdue), as a filter."""
        return self.past_flag_date(today or timezone.localdate())

    def past_flag_date(self, today):
        """Open pledges whose follow-up is overdue by more than the grace period."""
        return self.filter(flag_from__lt=today)

    def of_platform(self, platform):
        """A platform's pledges and its children's, as the listing's platform filter means.

        `platform` is a Platform, a pk, or a queryset of one platform's pk (the listing's
        filter looks it up by slug).
        """
        # An IN over the family's ids, not an OR across a join, so that the database can
        # use the commitment_by_platform index.
        if isinstance(platform, Platform):
            platform = platform.pk
        family = Platform.objects.filter(Q(pk=platform) | Q(parent=platform)).values("pk")
        return self.filter(platform__in=family)

    def search(self, text: str, *, to_count: bool = False):
        """Published pledges (SEARCHABLE) with every word of `text` at the start of a
        word in their title, summary, platform's name or the title of a source they cite
        ("protect" finds "protection"): on PostgreSQL through the stored search document and its GIN
        index, on SQLite through the FTS5 index commitment_fts
        (commitments/sqlite_search.py; `to_count`: in the form cheapest to count)."""
        if connections[self.db].vendor == "sqlite":
            expression = sqlite_search.match_expression(text, max_words=MAX_SEARCH_WORDS)
            if expression is None:
                return self.none()
            return sqlite_search.matching(self, expression, to_count=to_count)
        # Only letters and digits reach to_tsquery, so no input can be a syntax error.
        words = re.findall(r"\w+", text)[:MAX_SEARCH_WORDS]
        if not words:
            return self.none()
        query = " & ".join(f"{word}:*" for word in words)
        return self.filter(
            search_document=SearchQuery(query, search_type="raw", config=SEARCH_CONFIG)
        )

    # Prefetch shapes: a fixed number of queries per page, whatever its rows.

    def for_listing(self):
        """What a row in a public listing shows, in a fixed number of queries; not the
        search columns, which no listing shows (a tsvector, or a text as long as the
        row's others together)."""
        return self.select_related("platform", "initiative").defer("search_document", "search_text")

    def with_source_counts(self):
        """Annotates `source_count`: how many sources the pledge itself cites (where it was
        promised), as a subquery per row, so that it adds no GROUP BY to the query."""
        cited = (
            Citation.objects.filter(commitment=OuterRef("pk"))
            .order_by()
            .annotate(n=Func("pk", function="COUNT"))
            .values("n")
        )
        return self.annotate(source_count=Subquery(cited, output_field=models.IntegerField()))


class Commitment(models.Model):
    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", "Membership"
        ENDORSEMENT = "endorsement", "Endorsement"
        SIGNATORY = "signatory", "Signatory"
        PRODUCT_CHANGE = "product_change", "Product change"
        AGE_RESTRICTION = "age_restriction", "Age restriction"
        POLICY = "policy", "Policy"
        REPORTING = "reporting", "Reporting"
        FUNDING = "funding", "Funding"
        OTHER = "other", "Other"

    class Default(models.TextChoices):
        ON_BY_DEFAULT = "on_by_default", "On by default"
        OPT_IN = "opt_in", "Opt-in"
        PARENT_CONTROLLED = "parent_controlled", "Parent-controlled"

    class Cadence(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        HALF_YEARLY = "half_yearly", "Every six months"
        ANNUAL = "annual", "Annual"

    class Confidence(models.TextChoices):
        VERIFIED = "verified", "Verified against a source"
        UNVERIFIED = "unverified", "Unverified"

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="commitments")
    initiative = models.ForeignKey(
        Initiative,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=250)
    slug = models.SlugField(max_length=90, unique=True, blank=True, editable=False)
    summary = models.TextField(blank=True)
    # Changed only by a FollowUp that names a new status: kept by commitments/refresh.py.
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ANNOUNCED, editable=False
    )
    announced_on = models.DateField(validators=date_range_validators())
    announced_precision = precision_field("announced date precision")
    effective_on = models.DateField(null=True, blank=True, validators=date_range_validators())
    effective_precision = precision_field("effective date precision")
    deadline = models.DateField(
        null=True,
        blank=True,
        validators=date_range_validators(),
        help_text="If the pledge names one.",
    )
    # The date of the newest follow-up, kept by commitments/refresh.py; empty while a
    # pledge lacks follow-up evidence.
    latest_follow_up_on = models.DateField(null=True, blank=True, editable=False)
    latest_follow_up_precision = precision_field("latest follow-up date precision", editable=False)

    # Scope: a pledge rarely covers everything.
    products = models.CharField(
        max_length=300, blank=True, help_text='Products or surfaces covered: "app, web, Lite".'
    )
    worldwide = models.BooleanField(default=True)
    countries = models.CharField(
        max_length=300,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Z]{2}(, ?[A-Z]{2})*$",
                "List two-letter country codes separated by commas, like GB, IE.",
            )
        ],
        help_text="When not worldwide: ISO country codes, comma-separated.",
    )
    age_min = models.PositiveSmallIntegerField(
        "protects from age", null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    age_max = models.PositiveSmallIntegerField(
        "protects to age", null=True, blank=True, validators=[MaxValueValidator(MAX_AGE)]
    )
    default_setting = models.CharField(
        max_length=20,
        choices=Default.choices,
        blank=True,
        help_text="For a product change: how the protection is switched on.",
    )
    cadence = models.CharField(
        max_length=20, choices=Cadence.choices, blank=True, help_text="For a recurring pledge."
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_commitments",
        help_text="The staff member who follows this pledge up.",
    )
    people = models.ManyToManyField(
        Person, blank=True, related_name="commitments", help_text="People quoted or named."
    )
    confidence = models.CharField(
        max_length=20, choices=Confidence.choices, default=Confidence.UNVERIFIED
    )
    # The newest Review's date: kept by commitments/refresh.py.
    last_reviewed_on = models.DateField(null=True, blank=True, editable=False)
    published = models.BooleanField(
        default=False, help_text="Shown to the public. Needs at least one source."
    )
    follow_up_interval_days = models.PositiveIntegerField(
        "follow-up interval (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="Leave empty to follow the rule for this kind of pledge (Follow-up rules).",
    )
    # Kept by commitments/refresh.py: when new evidence is due,
    # and from when the pledge is flagged without it. Empty for a closed pledge (verified
    # or withdrawn), which needs no more evidence.
    follow_up_due_on = models.DateField(null=True, blank=True, editable=False)
    flag_from = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # PostgreSQL only: title, summary, platform name and cited source titles, for
    # CommitmentQuerySet.search(); kept by commitments/refresh.py. Empty (NULL) for a
    # draft: see SEARCHABLE.
    # Its GIN index is made by migration 0005, on PostgreSQL alone.
    search_document = SearchVectorField(null=True, editable=False)
    # SQLite only: the same words as one text, the content of the FTS5 index
    # commitment_fts (commitments/sqlite_search.py); kept by commitments/refresh.py.
    # Empty for a draft, which is then not in the index: see SEARCHABLE.
    search_text = models.TextField(blank=True, default="", editable=False)
    history = HistoricalRecords(
        m2m_fields=[people],
        # Derived and kept by update(), which history never sees: a copy would go stale.
        excluded_fields=["search_document", "search_text", "follow_up_due_on", "flag_from"],
    )

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["-announced_on", "title"]
        permissions = [("publish_commitment", "Can publish or unpublish commitments")]
        # The public listing filters and sorts published pledges by these
        # (commitments/public/filters.py). Partial indexes (WHERE published) rather than
        # indexes led by `published`: Django writes `WHERE "published"`, which SQLite
        # cannot search an index by, but it can use an index whose condition is that same
        # term (the first page at a million pledges: 54 ms to 0.0 ms, bench/README.md).
        indexes = [
            # /commitments/, and sort=announced, and the deep pages' OFFSET; with the date of
            # follow-up, so that ?follow_up=has is counted in the index alone (reading each
            # row to check it: 200 ms for the capped count at a million pledges).
            models.Index(
                fields=["-announced_on", "-id", "latest_follow_up_on"],
                condition=Q(published=True),
                name="commitment_by_announced",
            ),
            # sort=-changed and sort=changed.
            models.Index(
                fields=["-updated_at", "-id"],
                condition=Q(published=True),
                name="commitment_by_change",
            ),
            # ?status=… and ?kind=…, in the default order.
            models.Index(
                fields=["status", "-announced_on", "-id"],
                condition=Q(published=True),
                name="commitment_by_status",
            ),
            models.Index(
                fields=["kind", "-announced_on", "-id"],
                condition=Q(published=True),
                name="commitment_by_kind",
            ),
            # sort=platform and sort=-platform: each platform's pledges by id, read along
            # the platforms' names.
            models.Index(
                fields=["platform", "id"],
                condition=Q(published=True),
                name="commitment_by_platform_id",
            ),
            # ?follow_up=has (and lacks: commitment_lacking_follow_up, below). Partial, since
            # SQLite's statistics count NULL as one more key: a whole index told it the
            # 320,000 published pledges without follow-up at a million were 84 rows, and it
            # sorted them all for a page.
            models.Index(
                fields=["published", "latest_follow_up_on"],
                condition=Q(latest_follow_up_on__isnull=False),
                name="commitment_by_follow_up",
            ),
            # The overview's figures and chart read only these columns, so they scan the
            # index and never the table (without flag_from, for "reviews overdue", they read
            # every row: 1.7 s at a million pledges on SQLite).
            models.Index(
                fields=["published", "announced_on", "status", "latest_follow_up_on", "flag_from"],
                name="commitment_overview",
            ),
            # ?follow_up=lacks in date order either way, and the overview's "longest without
            # follow-up", read in order (else every such pledge was sorted: 650 ms at a
            # million). Led by the date of follow-up (NULL for these), not partial on it:
            # SQLite then plans by this index's statistics, in which NULL is one key of
            # thousands, rather than by another's, where it was one of a few (84 rows).
            models.Index(
                fields=["latest_follow_up_on", "announced_on", "id"],
                condition=Q(published=True),
                name="commitment_lacking_follow_up",
            ),
            # An initiative's page: a page of its pledges, oldest first, read in order.
            models.Index(
                fields=["initiative", "announced_on", "id"],
                condition=Q(published=True),
                name="commitment_initiative_page",
            ),
            # /initiatives/: each initiative's members (directory.member_count), counted in
            # platform order from the index alone. With `published`, which SQLite checks
            # again: without it SQLite read each row for it and rated this index no better
            # than the page's one above, and took that one, which needs a sort for the
            # count (54 ms rather than 25 at a million pledges).
            models.Index(
                fields=["initiative", "platform", "published"],
                condition=Q(published=True),
                name="commitment_members",
            ),
            # ?platform=… in the default order (its pages read in order from here), and
            # the counts of pledges per platform (pages, API, badge), which need no row
            # from it: it holds every column they read, `published` too (SQLite checks
            # the term again, though the condition implies it).
            models.Index(
                fields=["platform", "-announced_on", "-id", "latest_follow_up_on", "published"],
                condition=Q(published=True),
                name="commitment_by_platform",
            ),
            # Counts of pledges per initiative.
            models.Index(
                fields=["initiative", "published", "latest_follow_up_on"],
                name="commitment_by_initiative",
            ),
            # `country=GB`: most pledges are worldwide, so counting the matches reads this
            # small index rather than the table.
            models.Index(
                fields=["worldwide", "countries"],
                condition=Q(published=True),
                name="commitment_by_country",
            ),
            # `sort=status` and `sort=-status` (the tie-breaker follows the direction).
            models.Index(
                STATUS_RANK, "id", condition=Q(published=True), name="commitment_by_status_rank"
            ),
            # `q` on PostgreSQL: a GIN index on search_document, made by migration 0005.
            # The admin's commitment list, drafts too, in its order (CommitmentAdmin), and
            # its two most used filters in that order, each page and its count read from
            # the index (bench/admin_list.py). The status one holds `published` too: SQLite
            # without statistics picks it for the public ?status= page as well, which then
            # read each row to check it (51.9 ms against 31.9 for Datasette at a million).
            models.Index(fields=["-announced_on", "-id"], name="commitment_admin_list"),
            models.Index(
                fields=["platform", "-announced_on", "-id"], name="commitment_admin_platform"
            ),
            models.Index(
                fields=["status", "-announced_on", "-id", "published"],
                name="commitment_admin_by_status",
            ),
            # flag_commitments: the published pledges past their flag date.
            models.Index(
                fields=["published", "flag_from"],
                condition=Q(flag_from__isnull=False),
                name="commitment_by_flag_from",
            ),
        ]
        constraints = [
            date_range_constraint("commitment", "announced_on"),
            date_range_constraint("commitment", "effective_on"),
            date_range_constraint("commitment", "deadline"),
            # The importer and the admin rely on these to never hold the same pledge twice.
            models.UniqueConstraint(
                fields=["platform", "initiative", "kind", "title"],
                condition=Q(initiative__isnull=False),
                name="commitment_unique_per_initiative",
                violation_error_message="This platform already has a commitment of this "
                "kind with this title for this initiative.",
            ),
            models.UniqueConstraint(
                fields=["platform", "kind", "title"],
                condition=Q(initiative__isnull=True),
                name="commitment_unique_without_initiative",
                violation_error_message="This platform already has a commitment of this "
                "kind with this title.",
            ),
            models.CheckConstraint(
                condition=Q(effective_on__isnull=True) | Q(effective_on__gte=F("announced_on")),
                name="commitment_effective_not_before_announced",
                violation_error_message="The effective date cannot be before the date "
                "the commitment was announced.",
            ),
            models.CheckConstraint(
                condition=(Q(age_min__isnull=True) | Q(age_min__lte=MAX_AGE))
                & (Q(age_max__isnull=True) | Q(age_max__lte=MAX_AGE))
                & (
                    Q(age_min__isnull=True) | Q(age_max__isnull=True) | Q(age_min__lte=F("age_max"))
                ),
                name="commitment_age_band_valid",
                violation_error_message=f"The age band must lie within 0–{MAX_AGE}, "
                "with the lower age not above the upper.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="commitment_status_known",
            ),
        ]

    def __str__(self):
        return f"{self.platform.name}: {self.title}"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Commitment, self.slug_source())
        super().save(*args, **kwargs)

    def slug_source(self) -> str:
        # "TikTok joins…" needs no "tiktok-" in front; "Joins WeProtect" does.
        if self.title.lower().startswith(self.platform.name.lower()):
            return self.title
        return f"{self.platform.name} {self.title}"

    def get_admin_url(self) -> str:
        return reverse("admin:commitments_commitment_change", args=[self.pk])

    @property
    def announced_display(self) -> str:
        return format_partial_date(self.announced_on, self.announced_precision)

    @property
    def effective_display(self) -> str:
        return format_partial_date(self.effective_on, self.effective_precision)

    @property
    def latest_follow_up_display(self) -> str:
        return format_partial_date(self.latest_follow_up_on, self.latest_follow_up_precision)

    @property
    def lacks_follow_up(self) -> bool:
        return self.latest_follow_up_on is None

    @property
    def follow_up_overdue(self) -> bool:
        """Past its flag date (due date plus grace) with no newer evidence: the public
        pages say so, with the due date as "since when"."""
        return self.flag_from is not None and self.flag_from < timezone.localdate()

    def clean(self):
        if self.announced_on:
            self.announced_on = truncate(self.announced_on, self.announced_precision)
        if self.effective_on:
            self.effective_on = truncate(self.effective_on, self.effective_precision)
        if self.worldwide and self.countries:
            raise ValidationError(
                {
                    "countries": "Leave the countries empty for a worldwide pledge, or untick "
                    "worldwide."
                }
            )
