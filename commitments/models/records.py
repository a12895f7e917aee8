"""The records pledges point at: platforms, sources, people and initiatives."""

from urllib.parse import urlsplit

import soupsieve
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from commitments.dates import (
    EARLIEST_LAUNCH_DATE,
    date_range_constraint,
    date_range_validators,
    format_partial_date,
    precision_field,
    truncate,
)
from commitments.models.fields import SluggedModel, WebAddressField
from commitments.web_addresses import normalise_url


class Platform(SluggedModel):
    class Kind(models.TextChoices):
        SOCIAL = "social", "Social network"
        MESSAGING = "messaging", "Messaging"
        GAMING = "gaming", "Gaming"
        VIDEO = "video", "Video"
        SEARCH = "search", "Search"
        APP_STORE = "app_store", "App store"
        OTHER = "other", "Other"

    name = models.CharField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The platform this one belongs to (Instagram belongs to Meta).",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    operator = models.CharField(max_length=200, blank=True, help_text="The company behind it.")
    category = models.CharField(max_length=200, blank=True, help_text="What it is, in words.")
    website = WebAddressField(blank=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    # /platforms/compare/ is the comparison of platforms: a platform with that slug would
    # have a page nobody could reach.
    reserved_slugs = frozenset({"compare"})

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.slug in self.reserved_slugs:
            raise ValidationError(
                {"slug": f"“{self.slug}” is taken by a page of the site: choose another slug."}
            )
        # Walk up from the parent: meeting this platform again would make a loop, and the
        # listing's "a parent includes its children" would never end.
        seen, ancestor = set(), self.parent
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError(
                    {"parent": "A platform cannot be its own parent, or its parent's parent."}
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


# How a title rebuilt from an address ends, in the shared dataset (data/README.md).
REBUILT_TITLE_MARKS = ("(title from URL)", "(descriptive title; no headline in stored copy)")


class Source(models.Model):
    """A public document. Its content is never fetched except as readable text by the
    snapshot job (SourceSnapshot): see DESIGN.md, safeguarding."""

    # Failed link checks in a row after which a source counts as unreachable.
    UNREACHABLE_AFTER = 3

    class Kind(models.TextChoices):
        PLATFORM = "platform", "Platform's own"
        NEWS = "news", "News"
        GOVERNMENT = "government", "Government"
        NGO = "ngo", "NGO"
        ACADEMIC = "academic", "Academic"
        OTHER = "other", "Other"

    url = WebAddressField(
        "URL",
        unique=True,
        help_text="http or https only. Stored normalised: lower-case scheme and host, "
        "no #fragment.",
    )
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True, validators=date_range_validators())
    published_precision = precision_field("published date precision")
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    archived_url = WebAddressField("archived copy URL", blank=True)
    sensitive = models.BooleanField(
        default=False,
        help_text="Sits near abusive material: the public sees no quote or archive link.",
    )
    # Link health, written by the link checker.
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    reachable = models.BooleanField(null=True, editable=False)
    # Failed checks since the last success; flag_commitments flags the pledges citing a
    # source once this reaches UNREACHABLE_AFTER.
    failures_in_row = models.PositiveSmallIntegerField(default=0, editable=False)
    last_check_error = models.CharField(max_length=300, blank=True, editable=False)
    # Written by snapshot_sources: when it last read the page, and why it kept nothing
    # then ("" when it read the text). The versions are SourceSnapshot rows.
    snapshot_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    snapshot_error = models.CharField(max_length=300, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [date_range_constraint("source", "published_on")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.url = normalise_url(self.url)
        super().save(*args, **kwargs)

    @property
    def published_display(self) -> str:
        return format_partial_date(self.published_on, self.published_precision)

    @property
    def title_is_rebuilt(self) -> bool:
        """Where a page showed no headline, the title was made from its address and says
        so (data/README.md): the public sees the publisher and the address instead."""
        return self.title.endswith(REBUILT_TITLE_MARKS)

    @property
    def address_display(self) -> str:
        """The address without its scheme, query or a leading "www.", cut to fit a line."""
        parts = urlsplit(self.url)
        address = parts.netloc.removeprefix("www.") + parts.path.rstrip("/")
        return address if len(address) <= 80 else address[:79] + "…"

    def clean(self):
        # Normalise before validate_unique() runs, so two spellings of one URL clash.
        if self.url:
            self.url = normalise_url(self.url)
        if self.published_on:
            self.published_on = truncate(self.published_on, self.published_precision)


class Person(models.Model):
    """Someone a pledge names or a source quotes. The public sees the name, role and
    organisation; `note` is the curators' own and never leaves the admin (not on a page,
    in the API, a feed or a download: tests/test_public_leaks.py)."""

    name = models.CharField(max_length=200, unique=True)
    role = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    note = models.TextField(
        "curators' note",
        blank=True,
        help_text="For staff only, never shown to the public: other spellings seen in "
        "sources, why this person is named.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name


class Initiative(SluggedModel):
    class Kind(models.TextChoices):
        ALLIANCE = "alliance", "Alliance"
        PRINCIPLES = "principles", "Set of principles"
        CODE_OF_PRACTICE = "code_of_practice", "Code of practice"
        INDUSTRY_COALITION = "industry_coalition", "Industry coalition"
        PROGRAM = "program", "Programme"
        LAW = "law", "Law or regulation"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    convener = models.CharField(max_length=200, blank=True)
    url = WebAddressField("URL", blank=True)
    founded_on = models.DateField(
        "launched on",
        null=True,
        blank=True,
        validators=date_range_validators(EARLIEST_LAUNCH_DATE),
    )
    founded_precision = precision_field("launch date precision")
    description = models.TextField(blank=True)
    # Its members page, read by snapshot_sources into names (commitments/followup/rosters.py).
    roster_source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roster_of",
        verbose_name="members page",
        help_text="The source whose page lists the initiative's members.",
    )
    roster_selectors = models.TextField(
        "member name selectors",
        blank=True,
        help_text="CSS selectors, one per line: the text of each element they match on the "
        'members page is one member\'s name (for example "ul.members li" or ".logo img").',
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            date_range_constraint("initiative", "founded_on", earliest=EARLIEST_LAUNCH_DATE)
        ]

    def __str__(self):
        return self.name

    @property
    def founded_display(self) -> str:
        return format_partial_date(self.founded_on, self.founded_precision)

    def clean(self):
        if self.founded_on:
            self.founded_on = truncate(self.founded_on, self.founded_precision)
        roster_problems = roster_setting_problems(self.roster_source_id, self.roster_selectors)
        if roster_problems:
            raise ValidationError(roster_problems)


def roster_setting_problems(source_id: int | None, selectors: str) -> dict[str, str]:
    """A members page needs its selectors and the selectors a page; each must be CSS that
    soupsieve (BeautifulSoup's selector engine) can read."""
    lines = [line.strip() for line in selectors.splitlines() if line.strip()]
    if source_id and not lines:
        return {"roster_selectors": "Give at least one selector to read the names with."}
    if lines and not source_id:
        return {"roster_source": "Choose the members page the selectors read."}
    for line in lines:
        try:
            soupsieve.compile(line)
        except soupsieve.SelectorSyntaxError as error:
            first = str(error).splitlines()[0]
            return {"roster_selectors": f"Not a CSS selector: {line!r} ({first})."}
    return {}
