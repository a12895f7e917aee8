"""The values a commitment stores about other rows, recomputed explicitly.

A commitment keeps a few values derived from other rows, so that pages and jobs read a
column instead of recomputing it:

- `status`, `latest_follow_up_on` and its precision, from its follow-ups;
- `follow_up_due_on` and `flag_from`, from its dates, status, kind, cadence and interval
  and the follow-up rule of its kind;
- `search_document` (PostgreSQL) or `search_text` and its FTS5 index (SQLite), from its
  title, summary, platform's name and the titles of the sources it cites, and whether
  it is published: a draft has none (`SEARCHABLE`), so publishing and unpublishing
  refresh it too.

`commitments_refresh` recomputes them for any number of commitments, with one UPDATE
per value. Every service that changes what they are made of calls it at its end for the
commitments it touched, the way healthchecks calls `update_next_nag_dates()` after a
change; no save() override and no signal keeps them. A service that knows which values
its change can move may name only those (`values=`): a new follow-up cannot move a
search document, a rule only moves due dates.
"""

import datetime
from collections.abc import Collection, Iterable

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connections, transaction
from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from commitments.bulk_history import history_write
from commitments.dates import DatePrecision
from commitments.models import (
    CLOSED_STATUSES,
    Citation,
    Commitment,
    FollowUp,
    FollowUpRule,
    Platform,
    Review,
    Status,
)
from commitments.models.expressions import AddDays
from commitments.models.pledges import SEARCH_CONFIG, SEARCHABLE
from commitments.sqlite_search import search_text_refresh

# A recurring pledge is due again one cadence after its last evidence.
CADENCE_DAYS = {"monthly": 31, "quarterly": 92, "half_yearly": 183, "annual": 366}
# What commitments_refresh() can recompute, and the columns it writes.
STATUS, DUE_DATES, SEARCH = "status", "due dates", "search"
EVERYTHING = frozenset({STATUS, DUE_DATES, SEARCH})
DERIVED_FIELDS = [
    "status",
    "latest_follow_up_on",
    "latest_follow_up_precision",
    "updated_at",
    "follow_up_due_on",
    "flag_from",
    "last_reviewed_on",
    "search_document",
    "search_text",
]
# Rows changed, read back and given history rows at a time (an IN list each).
HISTORY_CHUNK = 2000
NO_DATE = datetime.date(1, 1, 1)


def commitments_refresh(
    *,
    commitments: QuerySet | Iterable[int],
    values: Collection[str] = EVERYTHING,
    user=None,
    reason: str = "",
    record_history: bool = True,
) -> None:
    """Recompute the derived `values` (all of them by default) of `commitments` (a
    queryset, or ids).

    A change of status is kept in each commitment's history, as `user`'s for `reason`,
    unless `record_history` is false (load data, which has no history).
    """
    if not isinstance(commitments, QuerySet):
        commitments = Commitment.objects.filter(pk__in=list(commitments))
    with transaction.atomic():
        if STATUS in values:
            refresh_status(commitments, user=user, reason=reason, record_history=record_history)
        # After the status: the due dates read the newest evidence and whether it is closed.
        if DUE_DATES in values:
            refresh_due_dates(commitments)
        if SEARCH in values:
            refresh_search_documents(commitments)


def pledges_described_by(*, platform=None, source=None) -> QuerySet:
    """The commitments whose search document holds `platform`'s name or `source`'s title,
    to refresh when either is edited."""
    if platform is not None:
        return Commitment.objects.filter(platform=platform)
    return Commitment.objects.filter(
        pk__in=Citation.objects.filter(source=source).values("commitment")
    )


# Status and the newest evidence ------------------------------------------------------------


def newest_status():
    """The status named by the newest approved rating ("announced", not yet rated, if
    none): the latest rating a person gave on evidence and a Reviewer approved."""
    naming = (
        FollowUp.objects.filter(commitment=OuterRef("pk"))
        .public()
        .ratings()
        .order_by("-happened_on", "-id")
    )
    return Coalesce(Subquery(naming.values("status_after")[:1]), Value(Status.ANNOUNCED))


def newest_evidence(field: str):
    """`field` of the newest follow-up the public sees (a draft rating moves nothing)."""
    evidence = FollowUp.objects.filter(commitment=OuterRef("pk")).public()
    return Subquery(evidence.order_by("-happened_on", "-id").values(field)[:1])


def refresh_status(
    commitments: QuerySet, *, user=None, reason: str = "", record_history: bool = True
) -> int:
    """Set the status and the date of the newest evidence where they have changed, in
    one UPDATE; such a change counts as a change of the commitment (`updated_at`)."""
    now = timezone.now()
    stale = commitments.alias(
        new_status=newest_status(),
        new_on=Coalesce(newest_evidence("happened_on"), Value(NO_DATE)),
        new_precision=Coalesce(newest_evidence("happened_precision"), Value(DatePrecision.DAY)),
        stored_on=Coalesce("latest_follow_up_on", Value(NO_DATE)),
    ).filter(
        ~Q(status=F("new_status"))
        | ~Q(stored_on=F("new_on"))
        | ~Q(latest_follow_up_precision=F("new_precision"))
    )
    new_values = {
        "status": newest_status(),
        "latest_follow_up_on": newest_evidence("happened_on"),
        "latest_follow_up_precision": Coalesce(
            newest_evidence("happened_precision"), Value(DatePrecision.DAY)
        ),
        "updated_at": Value(now),
    }
    if not record_history:
        return Commitment.objects.filter(pk__in=stale.values("pk")).update(**new_values)
    # The changed rows by id, to write their history: any number of rows may share the
    # moment `now` or stop matching `commitments` once their status has moved.
    ids = list(stale.values_list("pk", flat=True))
    for start in range(0, len(ids), HISTORY_CHUNK):
        chunk = ids[start : start + HISTORY_CHUNK]
        Commitment.objects.filter(pk__in=chunk).update(**new_values)
        rows = list(Commitment.objects.filter(pk__in=chunk).order_by("pk"))
        history_write(rows, update=True, user=user, reason=reason)
    return len(ids)


# Due dates ----------------------------------------------------------------------------


def refresh_due_dates(commitments: QuerySet) -> int:
    """When these pledges were last reviewed and are next due, in one UPDATE.

    Due on the last evidence or review (the latest of announced, effective, the newest
    follow-up and the newest review: a review resets the clock, though it is not
    evidence) plus the interval: the pledge's own, else its cadence, else its kind's
    rule; flagged from `grace_days` later. Closed pledges, and kinds with no rule, are
    never due.
    """
    rule = FollowUpRule.objects.filter(kind=OuterRef("kind"))
    newest_review = Subquery(
        Review.objects.filter(commitment=OuterRef("pk"))
        .order_by("-reviewed_on")
        .values("reviewed_on")[:1]
    )
    last_evidence = Greatest(
        "announced_on",
        Coalesce("effective_on", "announced_on"),
        Coalesce("latest_follow_up_on", "announced_on"),
        Coalesce(newest_review, "announced_on"),
    )
    interval = Coalesce(
        "follow_up_interval_days",
        Case(
            *[When(cadence=c, then=Value(d)) for c, d in CADENCE_DAYS.items()],
            default=None,
            output_field=IntegerField(),
        ),
        Subquery(rule.values("interval_days")),
    )
    due = AddDays(last_evidence, interval)
    grace = Coalesce(Subquery(rule.values("grace_days")), Value(0))
    closed = Q(status__in=CLOSED_STATUSES)
    return commitments.update(
        last_reviewed_on=newest_review,
        follow_up_due_on=Case(When(closed, then=None), default=due),
        flag_from=Case(When(closed, then=None), default=AddDays(due, grace)),
    )


# Search documents ---------------------------------------------------------------------


def refresh_search_documents(commitments: QuerySet) -> int:
    """Rebuild these pledges' search documents in one UPDATE on PostgreSQL, or their
    search text and its FTS5 index on SQLite (commitments/sqlite_search.py); a draft's
    is emptied (SEARCHABLE). Returns the rows updated."""
    if connections[commitments.db].vendor == "sqlite":
        return search_text_refresh(commitments)
    platform_name = Platform.objects.filter(pk=OuterRef("platform_id")).values("name")
    source_titles = (
        Citation.objects.filter(commitment=OuterRef("pk"))
        .values("commitment")
        # In the order cited, so that the same rows always give the same document.
        .annotate(titles=StringAgg("source__title", " ", order_by="id"))
        .values("titles")
    )
    document = SearchVector(
        "title",
        "summary",
        Subquery(platform_name),
        Subquery(source_titles),
        config=SEARCH_CONFIG,
    )
    return commitments.update(search_document=Case(When(SEARCHABLE, then=document), default=None))
