"""The read-only API: commitments, platforms and initiatives, looked up by slug.

Each listing takes the parameters of its public page, read by the same FilterSet
(commitments/public/filters.py), so `/api/commitments/?status=stalled` holds what
`/commitments/?status=stalled` shows, in the same order; a bad parameter is a 400 that
names it. Only published pledges appear, and only published pledges are counted.
Pages hold 50 rows (`?page_size=` up to 200) and cost the same few queries at any size.
"""

from django.db.models import OuterRef, Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination

from commitments.api.serializers import (
    CommitmentSerializer,
    InitiativeSerializer,
    PlatformSerializer,
)
from commitments.models import Citation, Commitment, Initiative, Platform
from commitments.public.counts import with_pledge_counts
from commitments.public.filters import CommitmentFilterSet, InitiativeFilterSet, PlatformFilterSet


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    filter_backends = [DjangoFilterBackend]
    pagination_class = Pages


# The schema generator cannot see what these filters take (a method filter, choices read
# from the database, dates that may be partial); the test of the schema checks that this
# list names only filters of the FilterSet.
COMMITMENT_PARAMETERS = [
    OpenApiParameter(
        "platform",
        str,
        description="A platform's slug; a parent (such as meta) includes its children's "
        "pledges. An unknown slug is a 400.",
    ),
    OpenApiParameter(
        "initiative", str, description="An initiative's slug. An unknown slug is a 400."
    ),
    *(
        OpenApiParameter(
            name,
            {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
            description=f"Announced {when}: YYYY, YYYY-MM or YYYY-MM-DD (a year or month "
            f"counts as a whole).",
        )
        for name, when in [("announced_after", "from"), ("announced_before", "until")]
    ),
]


@extend_schema_view(list=extend_schema(parameters=COMMITMENT_PARAMETERS))
class CommitmentViewSet(ReadOnlyViewSet):
    """Published pledges, newest announced first unless `sort` says otherwise."""

    queryset = Commitment.objects.published().for_listing().with_evidence()
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet


class PlatformViewSet(ReadOnlyViewSet):
    """Platforms, with counts of their published pledges (a parent's include its children's)."""

    queryset = Platform.objects.select_related("parent").order_by("name")
    serializer_class = PlatformSerializer
    filterset_class = PlatformFilterSet

    # The counts are set on the page's platforms in one grouped query
    # (commitments/public/counts.py).

    def paginate_queryset(self, queryset):
        return with_pledge_counts(list(super().paginate_queryset(queryset)))

    def get_object(self):
        return with_pledge_counts([super().get_object()])[0]


class InitiativeViewSet(ReadOnlyViewSet):
    """Initiatives, with counts of the published pledges made to them."""

    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilterSet

    def get_queryset(self):
        pledges = Commitment.objects.published().filter(initiative=OuterRef("pk"))
        return Initiative.objects.prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("source"))
        ).annotate(
            pledges=pledges.count_subquery(), followed_up=pledges.followed_up().count_subquery()
        )
