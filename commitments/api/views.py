"""The read-only API: commitments, platforms and initiatives, looked up by slug.

Each listing takes the parameters of its public page, read by the same FilterSet
(commitments/public/filters.py; for pledges, through the listing's own selector), so
`/api/commitments/?status=stalled` holds what `/commitments/?status=stalled` shows, in
the same order; a bad parameter is a 400 that names it. Only published pledges appear,
and only published pledges are counted. Pages hold 50 rows (`?page_size=` from 1 to 200;
anything else is a 400, commitments/api/pagination.py) and cost the same few queries at
any size. What the schema says of every answer is commitments/api/schema.py's."""

import inspect

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from commitments.api.examples import EXAMPLES
from commitments.api.pagination import Pages
from commitments.api.rows import public_pledge_rows
from commitments.api.schema import AS_OF_PARAMETER, PARTIAL_DATE_PARAMETER
from commitments.api.serializers import (
    CommitmentSerializer,
    InitiativeSerializer,
    PlatformSerializer,
)
from commitments.models import Citation, Commitment, Initiative, Platform
from commitments.public import as_of
from commitments.public.filters import CommitmentFilterSet, InitiativeFilterSet, PlatformFilterSet
from commitments.public.selectors import InvalidFilters, public_listing
from commitments.public.statistics import (
    kept_platform_counts,
    with_counts,
    with_initiative_counts,
    with_pledge_counts,
)


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Each viewset reads `as_of` (commitments/public/as_of.py): a bad one is a 400,
    `{"as_of": ["reason"]}`, before anything else is read."""

    lookup_field = "slug"
    # What a slug can hold, as the pages' <slug:slug>: anything else (a NUL, which
    # PostgreSQL refuses in a query) is a 404 before it reaches the database.
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends = [DjangoFilterBackend]
    pagination_class = Pages

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        try:
            self.as_of = as_of.as_of_day(request.query_params)
        except as_of.InvalidAsOf as error:
            raise ValidationError({as_of.PARAMETER: [str(error)]}) from error


class CountedViewSet(ReadOnlyViewSet):
    """A page of records, or the one record, given their counts of pledges by
    `counted` (one grouped query, commitments/public/statistics.py)."""

    def paginate_queryset(self, queryset):
        return self.counted(list(super().paginate_queryset(queryset)))

    def get_object(self):
        return self.counted([super().get_object()])[0]

    def counted(self, records: list) -> list:
        raise NotImplementedError


# The header of an answer whose counts were kept: when they were counted (ISO 8601, UTC).
COUNTED_AT = "X-Counted-At"

AS_OF = OpenApiParameter(
    as_of.PARAMETER,
    AS_OF_PARAMETER,
    description="Answer as the records stood at the end of this day (YYYY-MM-DD, site "
    "time zone), rebuilt from their history: only what was public then and is public "
    "now. From 1990-01-01 to today; anything else is a 400.",
)


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
            if view.as_of is not None:
                return as_of.public_listing_as_of(request.query_params, day=view.as_of).qs
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
                description=listing_description,
                examples=listed.schema_examples(),
                parameters=[*list_schema.pop("parameters", []), AS_OF],
                **list_schema,
            ),
            retrieve=extend_schema(
                description=f"{one}\n\n{single.request_line(listing)}",
                examples=single.schema_examples(),
                parameters=[AS_OF],
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
    # list and for each pledge alike. The page's rows are read with their evidence as
    # plain rows (commitments/api/rows.py).
    queryset = Commitment.objects.all()
    serializer_class = CommitmentSerializer
    filter_backends = [PublicListingFilter]
    filterset_class = CommitmentFilterSet  # what the schema documents

    # As of a day, the filter gives history rows: each page, or the one pledge, is
    # rebuilt as it stood (a fixed number of queries, commitments/public/as_of.py).

    def paginate_queryset(self, queryset):
        if self.as_of is not None:
            page = super().paginate_queryset(queryset)
            return (
                None if page is None else as_of.as_they_stood(page, day=self.as_of, evidence=True)
            )
        # Ids first, as the listing's pages (commitments/public/listing.py): the page's
        # place is found in an index, and only its rows are read whole, with their
        # evidence (a platform's page at a million pledges: 4 ms to sort its 989 whole
        # rows before).
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True))
        return None if ids is None else public_pledge_rows(list(ids))

    def get_object(self):
        if self.as_of is not None:
            return as_of.as_they_stood([super().get_object()], day=self.as_of, evidence=True)[0]
        # Found as DRF finds it (a 404 if the public listing lacks it), then read as a
        # page's rows are.
        return public_pledge_rows([super().get_object().pk])[0]


@documented(
    "/api/platforms/", one="One platform, by its slug, with counts of its published pledges."
)
class PlatformViewSet(CountedViewSet):
    """Platforms, with counts of their published pledges (a parent's include its children's)."""

    queryset = Platform.objects.select_related("parent").order_by("name")
    serializer_class = PlatformSerializer
    filterset_class = PlatformFilterSet

    # Today's counts are kept a while when slow, as the directory's page keeps them
    # (`kept_platform_counts`); the answer then says when they were counted, in
    # COUNTED_AT. As of a day: each platform as it stood, its counts of the pledges
    # public then.

    counted_at = None

    def counted(self, platforms: list[Platform]) -> list[Platform]:
        if self.as_of is None:
            counts = kept_platform_counts(platforms)
            self.counted_at = counts.counted_at
            return with_counts(platforms, counts.value)
        shown = as_of.platforms_as_they_stood(platforms, day=self.as_of)
        return with_pledge_counts(shown, as_of.public_commitments_as_of(day=self.as_of))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.counted_at is not None:
            response[COUNTED_AT] = self.counted_at.isoformat(timespec="seconds")
        return response


@documented(
    "/api/initiatives/",
    one="One initiative, by its slug, with its sources and counts of the published pledges "
    "made to it.",
)
class InitiativeViewSet(CountedViewSet):
    """Initiatives, with counts of the published pledges made to them."""

    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilterSet

    queryset = Initiative.objects.prefetch_related(
        Prefetch("citations", queryset=Citation.objects.select_related("source"))
    )

    # As of a day, the counts are of the pledges public then (the initiatives' own
    # fields and sources are today's).

    def counted(self, initiatives: list[Initiative]) -> list[Initiative]:
        if self.as_of is None:
            pledges = Commitment.objects.published()
        else:
            pledges = as_of.public_commitments_as_of(day=self.as_of)
        return with_initiative_counts(initiatives, pledges)
