"""The figures the public pages show: counts of pledges, by status, year, platform and
initiative, each in one query over an index, whatever the number of pledges.

Each takes the pledges to count (published ones, from commitments/public/selectors.py).
A parent platform's counts include its children's, as the listing's platform filter does.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import ExtractYear, RowNumber
from django.utils import timezone

from commitments.dates import format_partial_date
from commitments.models import Commitment, FollowUp, Initiative, Platform, ReplyRequest, Status
from commitments.public.kept import Counted, counted
from commitments.public.selectors import public_commitments


def headline_figures(pledges: QuerySet, today: datetime.date | None = None) -> dict:
    """What the figures say, in one query: pledges; those with follow-up evidence; those
    rated (any status but "announced, not yet rated") and not yet rated; those verified
    and falling short; and those whose review is overdue (the tracker's lateness)."""
    today = today or timezone.localdate()
    figures = pledges.aggregate(
        pledges=Count("*"),
        with_evidence=Count("latest_follow_up_on"),
        not_yet_rated=Count("status", filter=Q(status=Status.ANNOUNCED)),
        verified=Count("status", filter=Q(status=Status.VERIFIED)),
        falls_short=Count("status", filter=Q(status=Status.FALLS_SHORT)),
        reviews_overdue=Count("status", filter=Q(flag_from__lt=today)),
    )
    figures["rated"] = figures["pledges"] - figures["not_yet_rated"]
    figures["lacking"] = figures["pledges"] - figures["with_evidence"]
    figures["evidence_share"] = (
        round(100 * figures["with_evidence"] / figures["pledges"]) if figures["pledges"] else 0
    )
    return figures


def count_by_status(pledges: QuerySet) -> dict[str, int]:
    rows = pledges.order_by().values("status").annotate(count=Count("*"))
    return {row["status"]: row["count"] for row in rows}


def count_by_year_and_status(pledges: QuerySet) -> list[dict]:
    """[{"year": 2020, "status": "announced", "count": 12}, …] by year of announcement.

    Counted by day and status, then added up by year here: SQLite extracts a year in a
    Python function Django gives it, called once a row (1.3 s for 600,000 pledges, against
    0.1 s for the days, a few tens of thousands of groups)."""
    by_year = Counter()
    rows = pledges.order_by().values("announced_on", "status").annotate(count=Count("*"))
    for row in rows:
        by_year[row["announced_on"].year, row["status"]] += row["count"]
    return [
        {"year": year, "status": status, "count": count}
        for (year, status), count in sorted(by_year.items())
    ]


def newest_per_status(pledges: QuerySet, count: int) -> list[Commitment]:
    """The `count` most recently announced pledges of each status, in one query."""
    newest_first = [F("announced_on").desc(), F("id").desc()]
    rank = Window(RowNumber(), partition_by=[F("status")], order_by=newest_first)
    return list(pledges.annotate(rank=rank).filter(rank__lte=count).order_by(*newest_first))


def first_per_initiative(pledges: QuerySet) -> list[Commitment]:
    """Each initiative's first pledge (a membership, say), the newest first."""
    first = [F("announced_on").asc(), F("id").asc()]
    rank = Window(RowNumber(), partition_by=[F("initiative_id")], order_by=first)
    return list(
        pledges.filter(initiative__isnull=False)
        .annotate(rank=rank)
        .filter(rank=1)
        .order_by("-announced_on", "-id")
    )


def first_pledges_per_pair(pledges: QuerySet) -> dict[tuple[int, int], Commitment]:
    """For the matrix: {(platform id, initiative id): the pair's first pledge}, for each
    pair with one, in one query; each carries `.pair_pledges`, the pair's number of them."""
    pair = [F("platform_id"), F("initiative_id")]
    first = [F("announced_on").asc(), F("id").asc()]
    rows = (
        pledges.filter(initiative__isnull=False)
        .annotate(
            rank=Window(RowNumber(), partition_by=pair, order_by=first),
            pair_pledges=Window(Count("id"), partition_by=pair),
        )
        .filter(rank=1)
        .order_by()
    )
    return {(row.platform_id, row.initiative_id): row for row in rows}


def count_subquery(pledges: QuerySet, *, distinct: str | None = None) -> Subquery:
    """The number of `pledges` (or of their different values of the field `distinct`) as
    an expression, for annotating other records with counts of their pledges in the same
    query (`OuterRef` in the filters)."""
    # COUNT as a plain Func, not an Aggregate, so that Django adds no GROUP BY and the
    # subquery yields exactly one row (0 when nothing matches).
    if distinct is None:
        counting = Func("pk", function="COUNT")
    else:
        counting = Func(distinct, template="COUNT(DISTINCT %(expressions)s)")
    counted = pledges.order_by().annotate(n=counting).values("n")
    return Subquery(counted, output_field=IntegerField())


def pledge_counts_by(pledges: QuerySet, column: str, keys) -> dict[int, tuple[int, int]]:
    """For each of `keys` that `column` of some of `pledges` holds (a platform's or an
    initiative's id): how many pledges, and how many of them with follow-up evidence.
    One grouped query, over the index that starts with the column."""
    rows = (
        pledges.filter(**{f"{column}__in": keys})
        .order_by()
        .values_list(column)
        .annotate(pledges=Count("*"), followed_up=Count("latest_follow_up_on"))
    )
    return {key: (count, followed_up) for key, count, followed_up in rows}


def with_pledge_counts(platforms: list[Platform], pledges: QuerySet) -> list[Platform]:
    """`with_counts` of each platform's `pledges` (`platform_pledge_counts`)."""
    return with_counts(platforms, platform_pledge_counts({p.pk for p in platforms}, pledges))


def with_counts(records: list, counts: dict[int, tuple[int, int]]) -> list:
    """Set `.pledges` and `.followed_up` on each record (a platform or an initiative) from
    `counts` ({id: (pledges, followed up)}, none for an id not in it); returns the list."""
    for record in records:
        record.pledges, record.followed_up = counts.get(record.pk, (0, 0))
    return records


def platform_pledge_counts(wanted: set[int], pledges: QuerySet) -> dict[int, tuple[int, int]]:
    """For each of these platforms, its children's included: how many pledges, and how
    many with follow-up evidence. One grouped query over the commitment_by_platform index
    for the whole page of them (rather than a subquery per platform that reads the same
    rows again)."""
    # The children's ids first, so that the pledges are found by platform id alone: an OR
    # across the join to the platform (its parent) let no index be searched, and at a
    # million pledges the page read them all (0.15 s, then 1 s; bench/README.md).
    parents = dict(Platform.objects.filter(parent__in=wanted).values_list("pk", "parent_id"))
    pledge_counts, followed_up = Counter(), Counter()
    counts = pledge_counts_by(pledges, "platform_id", wanted | set(parents))
    for platform_id, (count, with_evidence) in counts.items():
        for owner in {platform_id, parents.get(platform_id)} & wanted:
            pledge_counts[owner] += count
            followed_up[owner] += with_evidence
    return {pk: (pledge_counts[pk], followed_up[pk]) for pk in wanted}


def kept_platform_counts(platforms: list[Platform]) -> Counted:
    """Each platform's published pledges and those with follow-up evidence, its
    children's included (`platform_pledge_counts`), kept a while when slow (kept.py):
    the directory's page and the API's list of platforms alike. 50 platforms with their
    children counted 233,000 pledges in 45-50 ms at a million on PostgreSQL."""
    wanted = sorted(platform.pk for platform in platforms)
    return counted(
        ("platform counts", *wanted),
        lambda: platform_pledge_counts(set(wanted), public_commitments()),
    )


def with_initiative_counts(initiatives: list[Initiative], pledges: QuerySet) -> list[Initiative]:
    """Set `.pledges` and `.followed_up` on each initiative, from one grouped query over
    the commitment_by_initiative index for the whole page (two subqueries per initiative
    read its pledges twice: 44-97 ms against 27-29 for 50 initiatives at a million
    pledges on SQLite); returns the same list."""
    return with_counts(
        initiatives, pledge_counts_by(pledges, "initiative_id", [i.pk for i in initiatives])
    )


# Platform scorecards: the figures of each platform's page, of the comparison of
# platforms and of their downloads, computed here once for all of them.


@dataclass
class Scorecard:
    """One platform's figures, its children's pledges included. `today` is the day the
    waits are counted to."""

    platform: Platform
    today: datetime.date
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Status.values, 0))
    with_evidence: int = 0
    # (date, precision) of the oldest pledge not yet rated, the newest public follow-up
    # and the oldest open request for a reply; None when there is none.
    oldest_unrated: tuple[datetime.date, str] | None = None
    last_evidence: tuple[datetime.date, str] | None = None
    open_requests: int = 0
    oldest_request_on: datetime.date | None = None
    # {year: {"pledges": n, "follow_ups": n}} for the years with either.
    years: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def pledges(self) -> int:
        return sum(self.by_status.values())

    @property
    def not_yet_rated(self) -> int:
        return self.by_status[Status.ANNOUNCED]

    @property
    def rated(self) -> int:
        return self.pledges - self.not_yet_rated

    @property
    def verified(self) -> int:
        return self.by_status[Status.VERIFIED]

    @property
    def falls_short(self) -> int:
        return self.by_status[Status.FALLS_SHORT]

    @property
    def evidence_share(self) -> int | None:
        """The per cent of its pledges with public follow-up evidence; None without any."""
        return round(100 * self.with_evidence / self.pledges) if self.pledges else None

    @property
    def last_evidence_on(self) -> datetime.date | None:
        return self.last_evidence[0] if self.last_evidence else None

    @property
    def last_evidence_display(self) -> str:
        return format_partial_date(*self.last_evidence) if self.last_evidence else ""

    @property
    def oldest_unrated_display(self) -> str:
        return format_partial_date(*self.oldest_unrated) if self.oldest_unrated else ""

    @property
    def oldest_unrated_on(self) -> datetime.date | None:
        return self.oldest_unrated[0] if self.oldest_unrated else None

    @property
    def statuses(self) -> list[dict]:
        """Each status in the life of a pledge with its count, zeros too; named as a
        pledge names them, so that the status badge (_status.html) shows them."""
        return [
            {"status": value, "get_status_display": label, "count": self.by_status[value]}
            for value, label in Status.choices
        ]

    @property
    def timeline(self) -> list[dict]:
        """Every year from its first pledge or evidence to its last, empty years too."""
        if not self.years:
            return []
        empty = {"pledges": 0, "follow_ups": 0}
        span = range(min(self.years), max(self.years) + 1)
        return [{"year": year, **self.years.get(year, empty)} for year in span]


def platform_scorecards(
    platforms: list[Platform],
    pledges: QuerySet,
    today: datetime.date | None = None,
    *,
    follow_ups: QuerySet | None = None,
    requests: QuerySet | None = None,
) -> list[Scorecard]:
    """A Scorecard for each platform, in their order, from three grouped queries whatever
    the number of platforms and pledges: pledges, public follow-ups and open requests for
    a reply, each grouped by platform and its parent (a parent's figures include its
    children's, as with_pledge_counts counts them). `follow_ups` and `requests` are those
    of `pledges` when given (a page as of a day, commitments/public/as_of.py, gives its
    own), else read here."""
    today = today or timezone.localdate()
    cards = {platform.pk: Scorecard(platform=platform, today=today) for platform in platforms}
    wanted = set(cards)
    pledges = pledges.filter(Q(platform__in=wanted) | Q(platform__parent__in=wanted)).order_by()
    for row in _pledge_rows(pledges):
        for card in _owners(cards, row["platform_id"], row["platform__parent_id"]):
            _add_pledges(card, row)
    if follow_ups is None:
        follow_ups = FollowUp.objects.public().filter(commitment__in=pledges.values("pk"))
    for row in _follow_up_rows(follow_ups):
        for card in _owners(cards, row["platform_id"], row["parent_id"]):
            _add_follow_ups(card, row)
    if requests is None:
        requests = ReplyRequest.objects.unanswered().filter(commitment__in=pledges.values("pk"))
    for row in _request_rows(requests):
        for card in _owners(cards, row["platform_id"], row["parent_id"]):
            card.open_requests += row["count"]
            card.oldest_request_on = _earliest(card.oldest_request_on, row["oldest"])
    return list(cards.values())


def _owners(cards: dict, platform_id: int, parent_id: int | None) -> list[Scorecard]:
    return [cards[pk] for pk in {platform_id, parent_id} if pk in cards]


def _pledge_rows(pledges: QuerySet):
    return pledges.values(
        "platform_id",
        "platform__parent_id",
        "status",
        "announced_precision",
        year=ExtractYear("announced_on"),
    ).annotate(
        count=Count("*"), with_evidence=Count("latest_follow_up_on"), first=Min("announced_on")
    )


def _follow_up_rows(follow_ups: QuerySet):
    return (
        follow_ups.values(
            platform_id=F("commitment__platform_id"),
            parent_id=F("commitment__platform__parent_id"),
            year=ExtractYear("happened_on"),
            precision=F("happened_precision"),
        )
        .annotate(count=Count("*"), newest=Max("happened_on"))
        .order_by()
    )


def _request_rows(requests: QuerySet):
    return (
        requests.values(
            platform_id=F("commitment__platform_id"),
            parent_id=F("commitment__platform__parent_id"),
        )
        .annotate(count=Count("*"), oldest=Min("asked_on"))
        .order_by()
    )


def _add_pledges(card: Scorecard, row: dict) -> None:
    card.by_status[row["status"]] += row["count"]
    card.with_evidence += row["with_evidence"]
    card.years.setdefault(row["year"], {"pledges": 0, "follow_ups": 0})["pledges"] += row["count"]
    if row["status"] == Status.ANNOUNCED:
        found = (row["first"], row["announced_precision"])
        if card.oldest_unrated is None or found[0] < card.oldest_unrated[0]:
            card.oldest_unrated = found


def _add_follow_ups(card: Scorecard, row: dict) -> None:
    year = card.years.setdefault(row["year"], {"pledges": 0, "follow_ups": 0})
    year["follow_ups"] += row["count"]
    found = (row["newest"], row["precision"])
    if card.last_evidence is None or found[0] > card.last_evidence[0]:
        card.last_evidence = found


def _earliest(known: datetime.date | None, found: datetime.date) -> datetime.date:
    return found if known is None or found < known else known
