"""Platforms, initiatives and the matrix of who joined what.

Platforms and initiatives with no published pledge still appear: the gaps are part of
the picture.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Min, OuterRef, Q
from django.shortcuts import get_object_or_404, render

from commitments.filters import InitiativeFilterSet, PlatformFilterSet
from commitments.models import Commitment, FollowUp, Initiative, Platform, Status

DIRECTORY_PAGE_SIZE = 100
PUBLISHED = Q(commitments__published=True)


def platform_list(request):
    # A parent's counts include its children's, as on its own page and in the API.
    pledges = Commitment.objects.published().of_platform(OuterRef("pk"))
    platforms = Platform.objects.select_related("parent").annotate(
        pledges=pledges.count_subquery(),
        followed_up=pledges.followed_up().count_subquery(),
    )
    filterset = PlatformFilterSet(request.GET, queryset=platforms.order_by("name"))
    page = Paginator(filterset.qs, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "commitments/platform_list.html", {"filter": filterset, "page": page})


def platform_detail(request, slug):
    platform = get_object_or_404(Platform.objects.select_related("parent"), slug=slug)
    pledges = list(
        Commitment.objects.published()
        .for_listing()
        .filter(Q(platform=platform) | Q(platform__parent=platform))
        .order_by("-announced_on", "-id")
    )
    context = {
        "platform": platform,
        "children": platform.children.order_by("name"),
        "by_status": group_by_status(pledges),
        "memberships": [c for c in pledges if c.initiative_id],
        "timeline": timeline(pledges),
        "pledge_count": len(pledges),
    }
    return render(request, "commitments/platform_detail.html", context)


def group_by_status(pledges: list[Commitment]) -> list[tuple[str, list[Commitment]]]:
    groups = []
    for value, label in Status.choices:
        members = [c for c in pledges if c.status == value]
        if members:
            groups.append((label, members))
    return groups


def timeline(pledges: list[Commitment]) -> list[dict]:
    """Pledges and their follow-ups as one list of events, newest first."""
    events = [
        {"date": c.announced_on, "when": c.announced_display, "commitment": c, "follow_up": None}
        for c in pledges
    ]
    by_id = {c.pk: c for c in pledges}
    for follow_up in FollowUp.objects.filter(commitment__in=by_id).order_by("happened_on"):
        events.append(
            {
                "date": follow_up.happened_on,
                "when": follow_up.happened_display,
                "commitment": by_id[follow_up.commitment_id],
                "follow_up": follow_up,
            }
        )
    return sorted(events, key=lambda event: event["date"], reverse=True)


def initiative_list(request):
    initiatives = Initiative.objects.annotate(
        members=Count("commitments__platform", filter=PUBLISHED, distinct=True)
    )
    filterset = InitiativeFilterSet(request.GET, queryset=initiatives.order_by("name"))
    page = Paginator(filterset.qs, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "commitments/initiative_list.html", {"filter": filterset, "page": page})


def initiative_detail(request, slug):
    initiative = get_object_or_404(Initiative, slug=slug)
    pledges = list(
        Commitment.objects.published()
        .for_listing()
        .filter(initiative=initiative)
        .order_by("announced_on", "platform__name", "id")
    )
    joined = {c.platform_id for c in pledges}
    context = {
        "initiative": initiative,
        "pledges": pledges,
        "not_joined": Platform.objects.exclude(pk__in=joined).order_by("name"),
        "sources": initiative.citations.select_related("source").order_by("id"),
    }
    return render(request, "commitments/initiative_detail.html", context)


def matrix(request):
    platforms = list(Platform.objects.order_by("name"))
    initiatives = list(Initiative.objects.order_by("name"))
    first_pledges = (
        Commitment.objects.published()
        .filter(initiative__isnull=False)
        .values("platform_id", "initiative_id")
        .annotate(first=Min("announced_on"), pledges=Count("id"))
    )
    cells = {(row["platform_id"], row["initiative_id"]): row for row in first_pledges}
    rows = [
        {"platform": p, "cells": [(i, cells.get((p.pk, i.pk))) for i in initiatives]}
        for p in platforms
    ]
    context = {"initiatives": initiatives, "rows": rows}
    return render(request, "commitments/matrix.html", context)
