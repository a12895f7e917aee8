"""The front page: headline figures, what has gone quiet, what changed, and the chart.

Its figures count every published pledge. On a small tracker that takes a few
milliseconds; at a million pledges it took seconds. So counting that takes longer than
SLOW_COUNTING is kept for KEPT_FOR (in the default cache, per process) and the page says
when it was counted; quicker counting is done afresh each time and says nothing.
"""

import time

from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone

from commitments.models import FollowUp, Platform
from commitments.public.charts import status_by_year_chart
from commitments.public.selectors import public_commitments
from commitments.public.statistics import count_by_year_and_status, headline_figures

LIST_LENGTH = 8
SLOW_COUNTING = 0.05  # seconds: the target for a whole page
KEPT_FOR = 300  # seconds
COUNTS_KEY = "overview:counts"


def overview(request):
    published = public_commitments()
    counts = overview_counts(published)
    context = {
        **counts,
        "quiet": published.lacking_follow_up().order_by("announced_on", "id")[:LIST_LENGTH],
        "recent_follow_ups": FollowUp.objects.public()
        .filter(commitment__published=True)
        .select_related("commitment__platform")
        .order_by("-created_at", "-id")[:LIST_LENGTH],
        "recent_commitments": published.order_by("-updated_at", "-id")[:LIST_LENGTH],
        "chart": status_by_year_chart(counts["by_year"]),
        "kept_minutes": KEPT_FOR // 60,
    }
    return render(request, "commitments/overview.html", context)


def overview_counts(published) -> dict:
    """The page's counts: `figures`, `platforms_tracked`, `by_year` (the chart's rows) and
    `counted_at`, the time they were counted if they were kept (else None)."""
    kept = cache.get(COUNTS_KEY)
    if kept is not None:
        return kept
    started = time.monotonic()
    counts = {
        "figures": headline_figures(published),
        "platforms_tracked": Platform.objects.count(),
        "by_year": count_by_year_and_status(published),
        "counted_at": None,
    }
    if time.monotonic() - started > SLOW_COUNTING:
        counts["counted_at"] = timezone.now()
        cache.set(COUNTS_KEY, counts, KEPT_FOR)
    return counts
