"""The front page: headline figures, what has gone quiet, what changed, and the chart."""

from django.shortcuts import render

from commitments.models import Commitment, FollowUp, Platform
from commitments.public.charts import status_by_year_chart

LIST_LENGTH = 8


def overview(request):
    published = Commitment.objects.published()
    context = {
        "figures": published.headline_figures(),
        "platforms_tracked": Platform.objects.count(),
        "quiet": published.lacking_follow_up()
        .for_listing()
        .order_by("announced_on", "id")[:LIST_LENGTH],
        "recent_follow_ups": FollowUp.objects.filter(commitment__published=True)
        .select_related("commitment__platform")
        .order_by("-created_at", "-id")[:LIST_LENGTH],
        "recent_commitments": published.for_listing().order_by("-updated_at", "-id")[:LIST_LENGTH],
        "chart": status_by_year_chart(published.count_by_year_and_status()),
    }
    return render(request, "commitments/overview.html", context)
