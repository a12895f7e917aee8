"""The methodology page: what counts as a pledge, how it is sourced and rated, when it is
reviewed, how sources are handled, how to correct it, and the licence of the data.

The statuses and their definitions come from `Status` and `DEFINITIONS` (every status
badge links to its paragraph here), and the review schedule from the live follow-up
rules, so the page cannot drift from what the tracker does.
"""

from django.shortcuts import render

from commitments import licence
from commitments.models import FollowUpRule, Status
from commitments.models.status import DEFINITIONS


def methodology(request):
    context = {
        "statuses": [
            {"value": status.value, "label": status.label, "definition": DEFINITIONS[status]}
            for status in Status
        ],
        "licence": licence,
        "rules": FollowUpRule.objects.only("kind", "interval_days", "grace_days").order_by("kind"),
    }
    return render(request, "commitments/methodology.html", context)
