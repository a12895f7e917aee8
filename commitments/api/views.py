"""The read-only API: commitments, platforms and initiatives, looked up by slug.

Each listing takes the parameters of its public page, read by the same FilterSet
(commitments/public/filters.py; for pledges, through the listing's own selector), so
`/api/commitments/?status=stalled` holds what `/commitments/?status=stalled` shows, in
the same order; a bad parameter is a 400 that names it. Only published pledges appear,
and only published pledges are counted. Pages hold 50 rows (`?page_size=` from 1 to 200;
anything else is a 400, commitments/api/pagination.py) and cost the same few queries at
any size. What the schema says of every answer is commitments/api/schema.py's."""

import inspect

from django.db.models import OuterRef, Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from commitments.api.examples import EXAMPLES
from commitments.api.pagination import Pages
from commitments.api.schema import PARTIAL_DATE_PARAMETER
from commitments.api.serializers import (
    CommitmentSerializer,
    InitiativeSerializer,
    PlatformSerializer,
)
from commitments.models import Citation, Commitment, Initiative, Platform
from commitments.public.filters import CommitmentFilterSet, InitiativeFilterSet, PlatformFilterSet
from commitments.public.selectors import InvalidFilters, public_commitments, public_listing
from commitments.public.statistics import count_subquery, with_pledge_counts


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    # What a slug can hold, as the pages' <slug:slug>: anything else (a NUL, which
    # PostgreSQL refuses in a query) is a 404 before it reaches the database.
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
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
            PARTIAL_DATE_PARAMETER,
            description=f"Announced {when}: YYYY, YYYY-MM or YYYY-MM-DD (a year or month "
            f"counts as a whole).",
        )
        for name, when in [("announced_after", "from"), ("announced_before", "until")]
    ),
]


class PublicListingFilter(DjangoFilterBackend):
    """The listing's own selector (commitments/public/selectors.py) in place of
    django-filter's: published pledges only, the same filters, and a 400 with the reasons
    (as DjangoFilterBackend gives) for a bad parameter."""

    def filter_queryset(self, request, queryset, view):
        try:
            return public_listing(request.query_params, queryset=queryset).qs
        except InvalidFilters as error:
            raise translate_validation(error.filterset.errors) from error


def documented(listing: str, *, one: str, **list_schema):
    """Each operation's example request and answer (commitments/api/examples.py), the
    request also written out as a line of its description. `one` says what a record's
    own address answers (the class's docstring says what the listing does)."""

    def decorate(viewset):
        listed, single = EXAMPLES[listing, "list"], EXAMPLES[listing, "retrieve"]
        listing_description = f"{inspect.getdoc(viewset)}\n\n{listed.request_line(listing)}"
        return extend_schema_view(
            list=extend_schema(
                description=listing_description, examples=listed.schema_examples(), **list_schema
            ),
            retrieve=extend_schema(
                description=f"{one}\n\n{single.request_line(listing)}",
                examples=single.schema_examples(),
            ),
        )(viewset)

    return decorate


@documented(
    "/api/commitments/",
    one="One published pledge, by its slug, with its sources and follow-ups.",
    parameters=COMMITMENT_PARAMETERS,
)
class CommitmentViewSet(ReadOnlyViewSet):
    """Published pledges, newest announced first unless `sort` says otherwise."""

    # Published ones only: PublicListingFilter starts from the public listing, for the
    # list and for each pledge alike.
    queryset = Commitment.objects.with_evidence()
    serializer_class = CommitmentSerializer
    filter_backends = [PublicListingFilter]
    filterset_class = CommitmentFilterSet  # what the schema documents


@documented(
    "/api/platforms/", one="One platform, by its slug, with counts of its published pledges."
)
class PlatformViewSet(ReadOnlyViewSet):
    """Platforms, with counts of their published pledges (a parent's include its children's)."""

    queryset = Platform.objects.select_related("parent").order_by("name")
    serializer_class = PlatformSerializer
    filterset_class = PlatformFilterSet

    # The counts are set on the page's platforms in one grouped query
    # (commitments/public/statistics.py).

    def paginate_queryset(self, queryset):
        return with_pledge_counts(list(super().paginate_queryset(queryset)), public_commitments())

    def get_object(self):
        return with_pledge_counts([super().get_object()], public_commitments())[0]


@documented(
    "/api/initiatives/",
    one="One initiative, by its slug, with its sources and counts of the published pledges "
    "made to it.",
)
class InitiativeViewSet(ReadOnlyViewSet):
    """Initiatives, with counts of the published pledges made to them."""

    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilterSet

    def get_queryset(self):
        pledges = Commitment.objects.published().filter(initiative=OuterRef("pk"))
        return Initiative.objects.prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("source"))
        ).annotate(
            pledges=count_subquery(pledges), followed_up=count_subquery(pledges.followed_up())
        )
