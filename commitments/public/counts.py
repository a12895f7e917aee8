"""How many published pledges each platform has, and how many were followed up.

A parent's counts include its children's, as the listing's platform filter does. The
counts come from one grouped query over the commitment_by_platform index for a whole
page of platforms, rather than a subquery per platform that reads the same rows again.
"""

from collections import Counter

from django.db.models import Count, Q

from commitments.models import Commitment, Platform


def with_pledge_counts(platforms: list[Platform]) -> list[Platform]:
    """Set `.pledges` and `.followed_up` on each platform; returns the same list."""
    wanted = {platform.pk for platform in platforms}
    rows = (
        Commitment.objects.published()
        .filter(Q(platform__in=wanted) | Q(platform__parent__in=wanted))
        .order_by()
        .values("platform_id", "platform__parent_id")
        .annotate(pledges=Count("*"), followed_up=Count("latest_follow_up_on"))
    )
    pledges, followed_up = Counter(), Counter()
    for row in rows:
        for owner in {row["platform_id"], row["platform__parent_id"]} & wanted:
            pledges[owner] += row["pledges"]
            followed_up[owner] += row["followed_up"]
    for platform in platforms:
        platform.pledges = pledges[platform.pk]
        platform.followed_up = followed_up[platform.pk]
    return platforms
