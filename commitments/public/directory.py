"""Platforms, initiatives and the matrix of who joined what.

Platforms and initiatives with no published pledge still appear: the gaps are part of
the picture.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from commitments.models import Commitment, FollowUp, Initiative, Platform, ReplyRequest, Status
from commitments.public import as_of
from commitments.public.filters import InitiativeFilterSet, PlatformFilterSet
from commitments.public.scorecards import timeline_rows
from commitments.public.selectors import public_commitments
from commitments.public.statistics import (
    count_by_status,
    count_subquery,
    first_per_initiative,
    first_pledges_per_pair,
    kept_platform_counts,
    newest_per_status,
    platform_scorecards,
    with_counts,
)

DIRECTORY_PAGE_SIZE = 100
# A platform page shows the newest few pledges of each status and links to the rest:
# three, so that the page holds about the listing's 25 rows (ten of each of seven
# statuses weighed 105 KB at a million pledges).
PER_STATUS = 3
TIMELINE_LENGTH = 30


def platform_list(request):
    platforms = Platform.objects.select_related("parent").order_by("name")
    filterset = PlatformFilterSet(request.GET, queryset=platforms)
    if not filterset.is_valid():
        context = {"filter": filterset, "page": None}
        return render(request, "commitments/platform_list.html", context, status=400)
    page = Paginator(filterset.qs, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    platforms = list(page.object_list)
    counts = kept_platform_counts(platforms)
    page.object_list = with_counts(platforms, counts.value)
    context = {"filter": filterset, "page": page, "counted": counts}
    return render(request, "commitments/platform_list.html", context)


def platform_detail(request, slug):
    try:
        day = as_of.as_of_day(request.GET)
    except as_of.InvalidAsOf as error:
        return as_of.refused(request, error)
    platform = get_object_or_404(Platform.objects.select_related("parent"), slug=slug)
    if day is None:
        pledges = public_commitments().of_platform(platform)
        shown = PlatformPledges(
            platform=platform,
            pledges=pledges,
            follow_ups=FollowUp.objects.public().filter(commitment__in=pledges.values("pk")),
            open_requests=ReplyRequest.objects.unanswered().filter(
                commitment__in=pledges.values("pk")
            ),
        )
        context = platform_context(shown)
    else:
        shown = PlatformPledges(**as_of.platform_pledges_as_of(platform, day=day))
        context = platform_context(shown)
        context["as_of"] = as_of.banner(request, day)
    return render(request, "commitments/platform_detail.html", context)


@dataclass
class PlatformPledges:
    """What a platform's page is made of: its public pledges (its children's included),
    their public follow-ups and its open requests for a reply; today's by default, or as
    of a day (commitments/public/as_of.py: history rows, rebuilt by `rows`)."""

    platform: Platform
    pledges: QuerySet
    follow_ups: QuerySet
    open_requests: QuerySet
    rows: Callable[[list], list] = list
    today: datetime.date | None = None
    # The same follow-ups with their pledges, newest first, for the timeline.
    newest_follow_ups: Callable[[int], list] | None = None


def platform_context(shown: PlatformPledges) -> dict:
    platform, pledges, rows = shown.platform, shown.pledges, shown.rows
    by_status = count_by_status(pledges)
    [card] = platform_scorecards(
        [platform],
        pledges,
        shown.today,
        follow_ups=shown.follow_ups,
        requests=shown.open_requests,
    )
    oldest_unrated = rows(
        pledges.filter(status=Status.ANNOUNCED).order_by("announced_on", "id")[:1]
    )
    return {
        "platform": platform,
        "card": card,
        "years": timeline_rows(card),
        "oldest_unrated": oldest_unrated[0] if oldest_unrated else None,
        "children": platform.children.order_by("name"),
        "by_status": group_by_status(rows(newest_per_status(pledges, PER_STATUS)), by_status),
        "per_status": PER_STATUS,
        "memberships": rows(first_per_initiative(pledges)),
        "timeline": timeline(shown, TIMELINE_LENGTH),
        "pledge_count": sum(by_status.values()),
        # Its open requests for a reply, oldest first: the longest unanswered on top.
        "open_requests": shown.open_requests.select_related("commitment").order_by(
            "asked_on", "id"
        ),
    }


def group_by_status(shown: list[Commitment], counts: dict[str, int]) -> list[dict]:
    """For each status in the life of a pledge: its label, how many, and the newest few."""
    return [
        {
            "value": value,
            "label": label,
            "count": counts[value],
            "pledges": [c for c in shown if c.status == value],
        }
        for value, label in Status.choices
        if counts.get(value)
    ]


def timeline(shown: PlatformPledges, length: int) -> list[dict]:
    """The newest pledges and follow-ups as one list of events, newest first."""
    events = [
        {"date": c.announced_on, "when": c.announced_display, "commitment": c, "follow_up": None}
        for c in shown.rows(shown.pledges.order_by("-announced_on", "-id")[:length])
    ]
    if shown.newest_follow_ups is not None:
        follow_ups = shown.newest_follow_ups(length)
    else:
        follow_ups = shown.follow_ups.select_related("commitment").order_by("-happened_on", "-id")[
            :length
        ]
    events += [
        {
            "date": f.happened_on,
            "when": f.happened_display,
            "commitment": f.commitment,
            "follow_up": f,
        }
        for f in follow_ups
    ]
    return sorted(events, key=lambda event: event["date"], reverse=True)[:length]


def member_count() -> Subquery:
    """How many platforms have a published pledge in the initiative: a subquery per
    initiative, read from the commitment_members index (a join grouped over every pledge
    read them all: 0.6 s at a million pledges, then 15 ms)."""
    mine = Commitment.objects.published().filter(initiative=OuterRef("pk"))
    return count_subquery(mine, distinct="platform_id")


def initiative_list(request):
    initiatives = Initiative.objects.annotate(members=member_count())
    filterset = InitiativeFilterSet(request.GET, queryset=initiatives.order_by("name"))
    if not filterset.is_valid():
        context = {"filter": filterset, "page": None}
        return render(request, "commitments/initiative_list.html", context, status=400)
    page = Paginator(filterset.qs, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "commitments/initiative_list.html", {"filter": filterset, "page": page})


def initiative_detail(request, slug):
    initiative = get_object_or_404(Initiative, slug=slug)
    # A page of its pledges, not all: at a million pledges an initiative had 12,000, and
    # its page weighed 20 MB. Oldest first, in the order of the commitment_initiative_page
    # index (by the platform's name among a day's, all were read and sorted: 830 ms).
    pledges = public_commitments().filter(initiative=initiative).order_by("announced_on", "id")
    page = Paginator(pledges, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    joined = Commitment.objects.published().filter(initiative=initiative, platform=OuterRef("pk"))
    context = {
        "initiative": initiative,
        "page": page,
        "not_joined": Platform.objects.exclude(Exists(joined)).order_by("name"),
        "sources": initiative.citations.select_related("source").with_kept_text().order_by("id"),
    }
    return render(request, "commitments/initiative_detail.html", context)


def matrix(request):
    platforms = list(Platform.objects.order_by("name"))
    initiatives = list(Initiative.objects.order_by("name"))
    cells = first_pledges_per_pair(public_commitments())
    rows = []
    for platform in platforms:
        row_cells = [(i, cells.get((platform.pk, i.pk))) for i in initiatives]
        joined = sum(1 for _, cell in row_cells if cell)
        rows.append(
            {
                "platform": platform,
                "cells": row_cells,
                "joined": joined,
                "not_joined": len(initiatives) - joined,
            }
        )
    # The list's address once, not a {% url %} in each of thousands of cells.
    context = {
        "initiatives": initiatives,
        "rows": rows,
        "list_url": reverse("commitments:list"),
        "statuses": Status.choices,
    }
    return render(request, "commitments/matrix.html", context)
