"""The figures the public pages show: counts of pledges, by status, year, platform and
initiative, each in one query over an index, whatever the number of pledges.

Each takes the pledges to count (published ones, from commitments/public/selectors.py).
A parent platform's counts include its children's, as the listing's platform filter does.
"""

import datetime
from collections import Counter

from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Subquery, Window
from django.db.models.functions import ExtractYear, RowNumber
from django.utils import timezone

from commitments.models import Commitment, Platform, Status


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
    """[{"year": 2020, "status": "announced", "count": 12}, …] by year of announcement."""
    return list(
        pledges.annotate(year=ExtractYear("announced_on"))
        .values("year", "status")
        .annotate(count=Count("*"))
        .order_by("year", "status")
    )


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


def count_subquery(pledges: QuerySet) -> Subquery:
    """The number of `pledges` as an expression, for annotating other records with counts
    of their pledges in the same query (`OuterRef` in the filters)."""
    # COUNT as a plain Func, not an Aggregate, so that Django adds no GROUP BY and the
    # subquery yields exactly one row (0 when nothing matches).
    counted = pledges.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


def with_pledge_counts(platforms: list[Platform], pledges: QuerySet) -> list[Platform]:
    """Set `.pledges` and `.followed_up` on each platform, from one grouped query over the
    commitment_by_platform index for the whole page of them (rather than a subquery per
    platform that reads the same rows again); returns the same list."""
    wanted = {platform.pk for platform in platforms}
    rows = (
        pledges.filter(Q(platform__in=wanted) | Q(platform__parent__in=wanted))
        .order_by()
        .values("platform_id", "platform__parent_id")
        .annotate(pledges=Count("*"), followed_up=Count("latest_follow_up_on"))
    )
    pledge_counts, followed_up = Counter(), Counter()
    for row in rows:
        for owner in {row["platform_id"], row["platform__parent_id"]} & wanted:
            pledge_counts[owner] += row["pledges"]
            followed_up[owner] += row["followed_up"]
    for platform in platforms:
        platform.pledges = pledge_counts[platform.pk]
        platform.followed_up = followed_up[platform.pk]
    return platforms
