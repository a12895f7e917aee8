"""Pages as they stood: the public records rebuilt from their history at the end of a day.

A pledge's page, a platform's page, the list (/commitments/), its downloads and the API
take `?as_of=YYYY-MM-DD`: they show the records as they stood at the end of that day in
the site's time zone, from the history tables django-simple-history keeps (every save,
and `commitments/bulk_history.py` for writes in bulk). This module is their one home: it
reads the parameter, finds each record's row standing at the end of the day, and rebuilds
from those rows the model instances the pages, downloads and serializers already show,
with their related records (platform, initiative, citations, sources, people, reviews,
follow-ups) as they stood too.

What may be shown, held here and nowhere else: a record appears as of a day only if it
was public in its row of that day AND is public now. So a draft then stays hidden (an
unpublished pledge, a rating no Reviewer had approved), and a record taken off the site
since (a pledge unpublished or deleted, withdrawn for safeguarding say, a follow-up or a
citation deleted) never comes back through an old date. A source marked sensitive then
or now shows no quote and no archive link. The methodology page says so (#as-of).

Not kept in history, so not shown as of a past day: the review schedule (the due date
and "review overdue", derived from the rules of today; `Commitment.history` excludes
them), so `follow_up=overdue` is refused with as_of; and the stored search document, so
a search as of a day looks for each word in the title, summary and platform name.

Queries: a fixed number per page whatever its rows, one per kind of related record.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from itertools import islice

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from simple_history.models import HistoricalRecords

from commitments.dates import EARLIEST_DATE
from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Initiative,
    Person,
    Platform,
    ReplyRequest,
    Review,
    Source,
)
from commitments.models.pledges import MAX_SEARCH_WORDS
from commitments.public.filters import CommitmentFilterSet, FollowUpState
from commitments.public.paging import rows_in_order
from commitments.public.selectors import InvalidFilters
from tracker.errors import is_api

PARAMETER = "as_of"
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
NO_DUE_DATES = (
    "The tracker keeps no history of review dates, so “overdue” cannot be asked as of a "
    "past day: leave out as_of or this filter."
)


class InvalidAsOf(ValueError):
    """`as_of` is not a day the records can be shown as of; the message says why."""


def as_of_day(params) -> datetime.date | None:
    """The day `params` (a QueryDict or dict) ask for, or None for today's page (absent
    or empty). Raises InvalidAsOf: not a YYYY-MM-DD date, before the earliest date the
    tracker holds (commitments/dates.py), or after today (site time zone)."""
    value = params.get(PARAMETER, "")
    if value == "":
        return None
    shown = value if len(value) <= 40 else value[:39] + "…"
    if not DAY_RE.match(value):
        raise InvalidAsOf(f"as_of: “{shown}” is not a date: give a day as YYYY-MM-DD.")
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidAsOf(f"as_of: “{shown}” is not a real date.") from None
    if day < EARLIEST_DATE:
        raise InvalidAsOf(
            f"as_of: {day.isoformat()} is before {EARLIEST_DATE.isoformat()}, the earliest "
            "date the tracker holds."
        )
    today = timezone.localdate()
    if day > today:
        raise InvalidAsOf(
            f"as_of: {day.isoformat()} is in the future; the latest day is today, "
            f"{today.isoformat()}."
        )
    return day


def refused(request, error: InvalidAsOf):
    """The 400 of a bad as_of: JSON under /api/ (`{"as_of": [reason]}`, as the API names
    a refused parameter), the 400 page elsewhere."""
    if is_api(request):
        return JsonResponse({PARAMETER: [str(error)]}, status=400)
    return render(request, "400.html", {"reason": str(error)}, status=400)


@dataclass(frozen=True)
class AsOf:
    """What a page shown as of a day tells its template: the banner and its link."""

    day: datetime.date
    today_url: str

    @property
    def value(self) -> str:
        return self.day.isoformat()


def banner(request, day: datetime.date) -> AsOf:
    """The banner's day, and the same page without as_of (its other parameters kept)."""
    query = request.GET.copy()
    query.pop(PARAMETER, None)
    rest = query.urlencode()
    return AsOf(day=day, today_url=request.path + (f"?{rest}" if rest else ""))


def day_end(day: datetime.date) -> datetime.datetime:
    """The end of `day` in the site's time zone: the first instant of the next day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) + (
        datetime.timedelta(days=1)
    )


# Rows standing at the end of a day ---------------------------------------------------------


def standing(model: type[Model], *, day: datetime.date, **lookups) -> QuerySet:
    """History rows of `model` matching `lookups`: of each record, the newest row written
    by the end of `day`, unless that row records its deletion."""
    history = model.history.model
    bound = day_end(day)
    # "No newer row by then" rather than "the row a subquery picks as newest": written as
    # NOT EXISTS, PostgreSQL runs it as one anti-join over the rows instead of a subquery
    # per row (the list at 100,000 pledges: 1.4 s to 0.25 s, bench/as_of.py).
    newer = history.objects.filter(id=OuterRef("id"), history_date__lt=bound).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    return (
        history.objects.filter(history_date__lt=bound, **lookups)
        .filter(~Exists(newer))
        .exclude(history_type="-")
    )


def public_commitments_as_of(*, day: datetime.date) -> QuerySet:
    """The pledges the public may see as of `day`, as history rows (each row's `id` is
    the pledge's): published in their row of that day, and published now."""
    public_now = Commitment.objects.published().filter(pk=OuterRef("id"))
    return standing(Commitment, day=day, published=True).filter(Exists(public_now))


def public_follow_ups_as_of(*, day: datetime.date, **lookups) -> QuerySet:
    """The follow-ups the public may see as of `day`, as history rows: public in their row
    of that day (evidence that rates nothing, or an approved rating) and public now."""
    public_then = Q(status_after="") | Q(approved_at__isnull=False)
    public_now = FollowUp.objects.public().filter(pk=OuterRef("id"))
    return standing(FollowUp, day=day, **lookups).filter(public_then).filter(Exists(public_now))


def citations_as_of(*, day: datetime.date, **lookups) -> QuerySet:
    """Citations as they stood at the end of `day` that still exist now."""
    exists_now = Citation.objects.filter(pk=OuterRef("id"))
    return standing(Citation, day=day, **lookups).filter(Exists(exists_now))


# The listing as of a day ------------------------------------------------------------------


class FollowUpStateAsOf(FollowUpState):
    """has / lacks from the row's newest evidence; overdue is refused (NO_DUE_DATES)."""

    def filter(self, qs, value):
        if value == self.HAS:
            return qs.filter(latest_follow_up_on__isnull=False)
        if value == self.LACKS:
            return qs.filter(latest_follow_up_on__isnull=True)
        return qs


class CommitmentAsOfFilterSet(CommitmentFilterSet):
    """The listing's filters over history rows: the same parameters, and the same order
    (`announced_on`, `updated_at`, the platform's name, the status, then `id`)."""

    follow_up = FollowUpStateAsOf(label="Follow-up", empty_label="With or without")

    def filter_platform(self, qs, name, value):
        family = Platform.objects.filter(Q(pk=value.pk) | Q(parent=value.pk)).values("pk")
        return qs.filter(platform__in=family)

    def filter_text(self, qs, name, value):
        for word in value.split()[:MAX_SEARCH_WORDS]:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(platform__name__icontains=word)
            )
        return qs


def public_listing_as_of(params, *, day: datetime.date, **fixed) -> CommitmentAsOfFilterSet:
    """`public_listing` (commitments/public/selectors.py) as of `day`: its `.qs` are
    history rows, to be rebuilt with `as_they_stood`. Raises InvalidFilters."""
    params = params.copy()
    for name, value in fixed.items():
        params[name] = value
    filterset = CommitmentAsOfFilterSet(params, queryset=public_commitments_as_of(day=day))
    if filterset.is_valid() and filterset.form.cleaned_data.get("follow_up") == (
        FollowUpState.OVERDUE
    ):
        filterset.form.add_error("follow_up", NO_DUE_DATES)
    if not filterset.is_valid():
        raise InvalidFilters(filterset)
    return filterset


# Rebuilding instances from rows -----------------------------------------------------------


def rebuilt(row) -> Model:
    """The record a history row describes, as an instance of its model, with no query
    (simple-history's own `instance` reads the fields history leaves out, a query a row).
    Fields the history does not keep stay empty."""
    model = row.instance_type
    values = {
        field.attname: getattr(row, field.attname)
        for field in model._meta.concrete_fields
        if hasattr(row, field.attname)
    }
    instance = model(**values)
    instance._state.adding = False
    instance._state.db = row._state.db
    return instance


def records_as_of(model: type[Model], ids, *, day: datetime.date) -> dict[int, Model]:
    """{id: the record as it stood} for `ids`; a record with no row standing then (one
    written in bulk without history, such as load data) as it is now."""
    ids = set(ids) - {None}
    if not ids:
        return {}
    found = {row.id: rebuilt(row) for row in standing(model, day=day, id__in=ids)}
    missing = ids - set(found)
    if missing:
        found.update(model._default_manager.in_bulk(missing))
    return found


def sources_as_of(ids, *, day: datetime.date) -> dict[int, Source]:
    """Sources as they stood; sensitive if sensitive then or now (safeguarding)."""
    sources = records_as_of(Source, ids, day=day)
    for pk in Source.objects.filter(pk__in=sources, sensitive=True).values_list("pk", flat=True):
        sources[pk].sensitive = True
    return sources


def _attach_citations(citations: list[Citation], *, day: datetime.date) -> None:
    sources = sources_as_of({c.source_id for c in citations}, day=day)
    people = records_as_of(Person, {c.person_id for c in citations}, day=day)
    for citation in citations:
        citation.source = sources[citation.source_id]
        citation.person = people.get(citation.person_id)


def as_they_stood(
    rows, *, day: datetime.date, sources: bool = False, evidence: bool = False
) -> list[Commitment]:
    """Commitments rebuilt from history rows (of `public_commitments_as_of`), in their
    order, each with its platform and initiative as they stood. `sources`: also its own
    citations with their sources (and `source_count`), as a listing row and the
    downloads show; `evidence`: those, its people and its public follow-ups with their
    citations, as its page and the API show. A fixed number of queries for any rows."""
    rows = list(rows)
    pledges = [rebuilt(row) for row in rows]
    platforms = records_as_of(Platform, {p.platform_id for p in pledges}, day=day)
    initiatives = records_as_of(Initiative, {p.initiative_id for p in pledges}, day=day)
    for pledge in pledges:
        pledge.platform = platforms[pledge.platform_id]
        pledge.initiative = initiatives.get(pledge.initiative_id)
    if sources or evidence:
        _attach_own_citations(pledges, day=day)
    if evidence:
        _attach_follow_ups(pledges, day=day)
        _attach_people(pledges, rows, day=day)
    return pledges


def cache_related(instance: Model, name: str, items: list) -> None:
    """Give `instance.<name>.all()` these items, as a prefetch would."""
    model = type(instance)._meta.get_field(name).related_model
    queryset = model._default_manager.none()
    queryset._result_cache = list(items)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def _attach_own_citations(pledges: list[Commitment], *, day: datetime.date) -> None:
    ids = [p.pk for p in pledges]
    citations = [rebuilt(row) for row in citations_as_of(day=day, commitment_id__in=ids)]
    citations.sort(key=lambda c: c.pk)
    _attach_citations(citations, day=day)
    for pledge in pledges:
        own = [c for c in citations if c.commitment_id == pledge.pk]
        cache_related(pledge, "citations", own)
        pledge.source_count = len(own)


def _attach_follow_ups(pledges: list[Commitment], *, day: datetime.date) -> None:
    ids = [p.pk for p in pledges]
    follow_ups = [rebuilt(r) for r in public_follow_ups_as_of(day=day, commitment_id__in=ids)]
    follow_ups.sort(key=lambda f: (f.happened_on, f.pk))
    proofs = [
        rebuilt(row)
        for row in citations_as_of(day=day, follow_up_id__in=[f.pk for f in follow_ups])
    ]
    proofs.sort(key=lambda c: c.pk)
    _attach_citations(proofs, day=day)
    by_pledge = {p.pk: p for p in pledges}
    for follow_up in follow_ups:
        follow_up.commitment = by_pledge[follow_up.commitment_id]
        cache_related(follow_up, "citations", [c for c in proofs if c.follow_up_id == follow_up.pk])
    for pledge in pledges:
        cache_related(pledge, "follow_ups", [f for f in follow_ups if f.commitment_id == pledge.pk])


def _attach_people(pledges: list[Commitment], rows: list, *, day: datetime.date) -> None:
    """The people named in each pledge's row of that day (the history's own copy of the
    links), as they stood then."""
    links = HistoricalRecords.m2m_models[Commitment._meta.get_field("people")]
    named = {}
    for history_id, person_id in links.objects.filter(
        history_id__in=[row.history_id for row in rows]
    ).values_list("history_id", "person_id"):
        named.setdefault(history_id, []).append(person_id)
    people = records_as_of(Person, {pk for ids in named.values() for pk in ids}, day=day)
    for pledge, row in zip(pledges, rows, strict=True):
        shown = [people[pk] for pk in named.get(row.history_id, []) if pk in people]
        cache_related(pledge, "people", sorted(shown, key=lambda person: person.name))


def rows_as_they_stood(rows, *, day: datetime.date, chunk_size: int, **shape):
    """`as_they_stood` over an iterator of rows, `chunk_size` at a time (the downloads)."""
    rows = iter(rows)
    while chunk := list(islice(rows, chunk_size)):
        yield from as_they_stood(chunk, day=day, **shape)


def page_as_they_stood(queryset: QuerySet, ids: list[int], *, day: datetime.date, **shape):
    """The rows of `ids` (history ids, in that order), rebuilt."""
    return as_they_stood(rows_in_order(queryset.model.objects, ids), day=day, **shape)


# One pledge's page, and a platform's, as of a day -----------------------------------------


def commitment_page_as_of(*, slug: str, day: datetime.date) -> dict:
    """What a pledge's page shows as of `day` (its template's context); Http404 when the
    pledge was not public then or is not public now."""
    row = public_commitments_as_of(day=day).filter(slug=slug).first()
    if row is None:
        raise Http404("No commitment was public at this address on that day.")
    [commitment] = as_they_stood([row], day=day, evidence=True)
    follow_ups = list(commitment.follow_ups.all())
    ratings = [f for f in follow_ups if f.status_after]
    review = (
        standing(Review, day=day, commitment_id=commitment.pk)
        .order_by("-reviewed_on", "-id")
        .first()
    )
    return {
        "commitment": commitment,
        "rating": ratings[-1] if ratings else None,
        "review": rebuilt(review) if review else None,
        "reply_requests": reply_requests_as_of(commitment, follow_ups, day=day),
    }


def reply_requests_as_of(commitment, follow_ups: list[FollowUp], *, day) -> list[ReplyRequest]:
    """The requests for a reply recorded by the end of `day` (they keep no history), each
    answered only by a follow-up public then, and waiting counted to that day."""
    shown = {f.pk: f for f in follow_ups}
    requests = list(commitment.reply_requests.filter(created_at__lt=day_end(day)))
    for asked in requests:
        asked.answer = shown.get(asked.answer_id)
        asked.commitment = commitment
        asked.days_waiting = functools.partial(ReplyRequest.days_waiting, asked, day)
    return requests


def open_requests_as_of(pledges: QuerySet, *, day: datetime.date) -> QuerySet:
    """Requests recorded by the end of `day` on `pledges` (history rows) with no answer
    the public could see then."""
    answered = public_follow_ups_as_of(day=day).values("id")
    return ReplyRequest.objects.filter(
        commitment__in=pledges.values("id"), created_at__lt=day_end(day)
    ).filter(Q(answer__isnull=True) | ~Q(answer__in=answered))


def platform_pledges_as_of(platform: Platform, *, day: datetime.date) -> dict:
    """What a platform's page is made of as of `day` (directory.PlatformPledges' fields):
    the platform as it stood, its pledges public then and now (its children's included),
    their follow-ups public then and now, its requests open then."""
    family = Platform.objects.filter(Q(pk=platform.pk) | Q(parent=platform.pk)).values("pk")
    pledges = public_commitments_as_of(day=day).filter(platform__in=family)
    follow_ups = public_follow_ups_as_of(day=day).filter(commitment__in=pledges.values("id"))
    shown = records_as_of(Platform, {platform.pk, platform.parent_id}, day=day)
    then = shown[platform.pk]
    then.parent = shown.get(then.parent_id) if then.parent_id else None

    def rows(found) -> list[Commitment]:
        return as_they_stood(found, day=day)

    def newest_follow_ups(length: int) -> list[FollowUp]:
        newest = [rebuilt(row) for row in follow_ups.order_by("-happened_on", "-id")[:length]]
        by_id = {c.pk: c for c in rows(pledges.filter(id__in=[f.commitment_id for f in newest]))}
        for follow_up in newest:
            follow_up.commitment = by_id[follow_up.commitment_id]
        return newest

    return {
        "platform": then,
        "pledges": pledges,
        "follow_ups": follow_ups,
        "open_requests": open_requests_as_of(pledges, day=day),
        "rows": rows,
        "today": day,
        "newest_follow_ups": newest_follow_ups,
    }


def platforms_as_they_stood(platforms: list[Platform], *, day: datetime.date) -> list[Platform]:
    """`platforms` (read today, with their parents) as they stood at the end of `day`, in
    their order; one with no row standing then as it is now."""
    found = records_as_of(Platform, {p.pk for p in platforms}, day=day)
    parents = {p.pk: p.parent for p in platforms}
    shown = []
    for platform in platforms:
        then = found[platform.pk]
        # Its parent as it is read today (its slug is all the API shows of it).
        then.parent = parents[platform.pk] if then.parent_id == platform.parent_id else None
        if then.parent_id and then.parent is None:
            then.parent = records_as_of(Platform, [then.parent_id], day=day).get(then.parent_id)
        shown.append(then)
    return shown
