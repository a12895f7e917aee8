"""The front page: headline figures, what has gone quiet, what changed, and the chart.

Its figures count every published pledge: kept a while when that is slow
(commitments/public/kept.py)."""

from django.shortcuts import render

from commitments.models import FollowUp, Platform
from commitments.public.charts import status_by_year_chart
from commitments.public.kept import counted
from commitments.public.selectors import public_commitments
from commitments.public.statistics import count_by_year_and_status, headline_figures

LIST_LENGTH = 8
COUNTS_KEY = ("overview counts",)


def overview(request):
    published = public_commitments()
    counts = counted(COUNTS_KEY, lambda: overview_counts(published))
    context = {
        **counts.value,
        "counted": counts,
        "quiet": published.lacking_follow_up().order_by("announced_on", "id")[:LIST_LENGTH],
        "recent_follow_ups": FollowUp.objects.public()
        .filter(commitment__published=True)
        .select_related("commitment__platform")
        .order_by("-created_at", "-id")[:LIST_LENGTH],
        "recent_commitments": published.order_by("-updated_at", "-id")[:LIST_LENGTH],
        "chart": status_by_year_chart(counts.value["by_year"]),
    }
    return render(request, "commitments/overview.html", context)


def overview_counts(published) -> dict:
    """The page's counts: `figures`, `platforms_tracked` and `by_year` (the chart's rows)."""
    return {
        "figures": headline_figures(published),
        "platforms_tracked": Platform.objects.count(),
        "by_year": count_by_year_and_status(published),
    }
