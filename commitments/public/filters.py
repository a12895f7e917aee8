"""One FilterSet per public listing, shared by the pages, the exports, the feeds and the
API, so that a filtered URL means the same thing everywhere and can be passed around.

The parameters are part of the public interface: people share these URLs.
"""

import calendar
import datetime

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property

from commitments.dates import (
    EARLIEST_DATE,
    LATEST_DATE,
    DatePrecision,
    PartialDateField,
    parse_partial_date,
)
from commitments.models import STATUS_RANK, Commitment, Initiative, Platform, Status
from commitments.public.widgets import FilterSelect

# Longer than any real search: refused with a 400 before it reaches the database (50,000
# characters made SQLite's LIKE fail).
TEXT_FILTER_MAX = 200


class DayInput(forms.DateInput):
    """The browser's date picker for a filter that also takes "2021" or "2021-03" from an
    address. A date input can show only a whole day, and would show such a value as empty
    (and drop it when the form is sent again), so it shows the day that means the same:
    the first day of the period for "from", the last for "until"."""

    input_type = "date"

    def __init__(self, *, period_end: bool):
        super().__init__(attrs={"min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()})
        self.period_end = period_end

    def format_value(self, value):
        if not value:
            return None
        try:
            start, precision = parse_partial_date(str(value))
        except ValueError:
            return str(value)  # as typed, beside its error
        return (end_of_period(start, precision) if self.period_end else start).isoformat()


def end_of_period(start: datetime.date, precision: str) -> datetime.date:
    if precision == DatePrecision.YEAR:
        return start.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start


class PartialDateFilter(django_filters.Filter):
    """`after=2021` means from 1 January 2021; `before=2021` means up to 31 December 2021."""

    field_class = PartialDateField

    def filter(self, qs, value):
        if not value:
            return qs
        start, precision = value
        if self.lookup_expr == "gte":
            return qs.filter(**{f"{self.field_name}__gte": start})
        return qs.filter(**{f"{self.field_name}__lte": end_of_period(start, precision)})


class FollowUpState(django_filters.ChoiceFilter):
    HAS = "has"
    LACKS = "lacks"
    OVERDUE = "overdue"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "choices",
            [
                (self.HAS, "Has follow-up evidence"),
                (self.LACKS, "Lacks follow-up"),
                (self.OVERDUE, "Follow-up overdue"),
            ],
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value == self.HAS:
            return qs.followed_up()
        if value == self.LACKS:
            return qs.lacking_follow_up()
        if value == self.OVERDUE:
            return qs.follow_up_overdue()
        return qs


# A day from the picker; an address may also give a year (2021) or a month (2021-03).
DATE_HELP = "A day, a month (YYYY-MM) or a year (YYYY)"

SORT_CHOICES = [
    ("-announced", "Newest announced first"),
    ("announced", "Oldest announced first"),
    ("-changed", "Recently changed first"),
    ("changed", "Longest unchanged first"),
    ("platform", "Platform, A to Z"),
    ("-platform", "Platform, Z to A"),
    ("status", "Status: not yet rated first"),
    ("-status", "Status: withdrawn first"),
]


def record_named(model, text: str):
    """The platform (or initiative) whose slug is `text`, else the first whose name is
    `text`, case aside, else None. The slug first (one may be named like another one's
    slug), through its unique index; a name only if no slug is that, since an iexact
    match reads every row (2 ms of a page at 2,000 platforms)."""
    return (
        model.objects.filter(slug=text).first()
        or model.objects.filter(name__iexact=text).order_by("id").first()
    )


class PlatformField(forms.CharField):
    """A platform named by its slug (as shared addresses give it) or by its name as
    typed, case aside: a text box, not a menu, because a menu of every platform weighed
    more than the page's rows (2,000 options at a million pledges, bench/README.md)."""

    widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if len(value) > TEXT_FILTER_MAX:
            raise forms.ValidationError(
                f"No platform's name is longer than {TEXT_FILTER_MAX} characters.",
                code="max_length",
            )
        platform = record_named(Platform, value)
        if platform is None:
            raise forms.ValidationError(
                "No platform is called “%(value)s”: give its name or the last part of its "
                "page's address, as listed under Platforms.",
                code="unknown_platform",
                params={"value": value if len(value) <= 40 else value[:39] + "…"},
            )
        return platform


class PlatformFilter(django_filters.Filter):
    field_class = PlatformField


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, with its form class made once for each FilterSet class
    rather than for every request (a new class and a new field for each filter: 0.4 ms
    of an API page's 6.5 at a million pledges). Each form still copies the class's fields
    for itself, as every Django form does; the fields must not depend on the request or
    the data, as none of these do (a choice list read from the database is a callable,
    read again by each form)."""

    def get_form_class(self):
        made = type(self).__dict__.get("_form_class")
        if made is None:
            made = super().get_form_class()
            type(self)._form_class = made  # the same class, were two requests to race
        return made


def initiative_choices():
    return list(Initiative.objects.order_by("name").values_list("slug", "name"))


class CommitmentFilterSet(FilterSet):
    # Slugs, so that shared URLs read well; a parent platform includes its children.
    platform = PlatformFilter(
        method="filter_platform",
        help_text="Its name, such as TikTok",
    )
    initiative = django_filters.ChoiceFilter(
        choices=initiative_choices,
        field_name="initiative__slug",
        label="Initiative",
        empty_label="Any initiative",
        widget=FilterSelect,
    )
    kind = django_filters.ChoiceFilter(
        choices=Commitment.Kind.choices, empty_label="Any kind", widget=FilterSelect
    )
    status = django_filters.ChoiceFilter(
        choices=Status.choices, empty_label="Any status", widget=FilterSelect
    )
    announced_after = PartialDateFilter(
        field_name="announced_on",
        lookup_expr="gte",
        label="Announced from",
        help_text=DATE_HELP,
        widget=DayInput(period_end=False),
    )
    announced_before = PartialDateFilter(
        field_name="announced_on",
        lookup_expr="lte",
        label="Announced until",
        help_text=DATE_HELP,
        widget=DayInput(period_end=True),
    )
    country = django_filters.CharFilter(
        method="filter_country",
        label="Country",
        help_text="Two-letter code, such as GB",
        # Countries are stored as "GB, IE": only a whole code may be looked for in them.
        validators=[
            RegexValidator(r"^[A-Za-z]{2}$", "Enter a two-letter country code, such as GB.")
        ],
    )
    follow_up = FollowUpState(label="Follow-up", empty_label="With or without", widget=FilterSelect)
    q = django_filters.CharFilter(method="filter_text", label="Search", max_length=TEXT_FILTER_MAX)
    sort = django_filters.OrderingFilter(
        fields=[
            ("announced_on", "announced"),
            ("updated_at", "changed"),
            ("platform__name", "platform"),
            ("status_rank", "status"),
        ],
        # Each order named by what comes first. No blank choice: the first is the default,
        # and a blank one would repeat it under another name.
        choices=SORT_CHOICES,
        label="Sort by",
        empty_label=None,
        null_label=None,
        widget=FilterSelect,
    )

    class Meta:
        model = Commitment
        fields = []

    def filter_platform(self, qs, name, value):
        return qs.of_platform(value)

    def filter_country(self, qs, name, value):
        code = value.strip().upper()
        return qs.filter(Q(worldwide=True) | Q(countries__contains=code))

    def filter_text(self, qs, name, value):
        return qs.search(value, to_count=self.counting)

    # `to_count` builds the listing again for its count, with the search in the form
    # cheapest to count (Commitment.objects.search).
    counting = False

    @cached_property
    def to_count(self) -> QuerySet:
        """The same pledges as `qs`, in no order, to count (CappedPaginator's
        `count_list`): `qs` itself unless a search reads them another way to count."""
        if not self.form.cleaned_data.get("q"):
            return self.qs
        self.counting = True
        try:
            return self.filter_queryset(self.queryset.all()).order_by()
        finally:
            self.counting = False

    def filter_queryset(self, queryset):
        # The status's rank only where the sort asks for it: resolving the expression
        # took a millisecond of every listing.
        if self.form.cleaned_data.get("sort") and any(
            key.lstrip("-") == "status" for key in self.form.cleaned_data["sort"]
        ):
            queryset = queryset.alias(status_rank=STATUS_RANK)
        queryset = super().filter_queryset(queryset)
        # Newest first by default, and a tie-breaker under every sort, so that pages
        # never repeat or skip a row. It runs the same way as the sort, so that one index
        # read forwards or backwards serves both directions.
        ordering = list(queryset.query.order_by) or ["-announced_on"]
        tie_breaker = "-id" if str(ordering[0]).startswith("-") else "id"
        return queryset.order_by(*ordering, tie_breaker)

    def active(self) -> list[tuple[str, str]]:
        """(label, value) of each filter in use, for "you are looking at…" and clearing."""
        if not self.is_bound or not self.is_valid():
            return []
        return [
            (self.form[name].label, self._shown_value(name))
            for name in self.filters
            if name != "sort" and self.data.get(name)
        ]

    def _shown_value(self, name: str) -> str:
        """A platform's or a choice's name ("Meta", "Has follow-up evidence"), else the
        value as typed."""
        value = self.data.get(name)
        if isinstance(self.form.cleaned_data.get(name), Platform):
            return self.form.cleaned_data[name].name
        choices = getattr(self.form.fields[name], "choices", [])
        return next((label for key, label in choices if key == value), value)


class PlatformFilterSet(FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Name", max_length=TEXT_FILTER_MAX
    )
    kind = django_filters.ChoiceFilter(
        choices=Platform.Kind.choices, empty_label="Any kind", widget=FilterSelect
    )

    class Meta:
        model = Platform
        fields = []


class InitiativeFilterSet(FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Name", max_length=TEXT_FILTER_MAX
    )
    kind = django_filters.ChoiceFilter(
        choices=Initiative.Kind.choices, empty_label="Any kind", widget=FilterSelect
    )

    class Meta:
        model = Initiative
        fields = []


# The comparison of platforms (/platforms/compare/ and its downloads) sorts by one of
# these, given as `?sort=<key>`, or `?sort=-<key>` for the other way round. The keys are
# part of the public interface.
COMPARISON_SORTS = {
    "name": "Platform",
    "pledges": "Pledges",
    "verified": "Verified",
    "falls_short": "Falls short",
    "not_yet_rated": "Not yet rated",
    "evidence_share": "Share with evidence",
    "last_evidence": "Last evidence",
    "open_requests": "Open requests for reply",
}
DEFAULT_COMPARISON_SORT = "name"


class ComparisonSortForm(forms.Form):
    """The comparison's one parameter, refused with the reason when it is not a key."""

    sort = forms.ChoiceField(
        required=False,
        choices=[
            (f"{way}{key}", label) for key, label in COMPARISON_SORTS.items() for way in ("", "-")
        ],
        error_messages={
            "invalid_choice": "Sort by one of "
            + ", ".join(COMPARISON_SORTS)
            + " (with a - in front for the other way round), not “%(value)s”."
        },
    )

    def chosen(self) -> str:
        return self.cleaned_data.get("sort") or DEFAULT_COMPARISON_SORT
