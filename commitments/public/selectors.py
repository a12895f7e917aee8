"""What the public side may read: published pledges only, and the listing of them that a
query string asks for.

The listing page, its downloads, the feeds and the API all start here, so that
`/commitments/?status=stalled`, `/commitments.csv?status=stalled`,
`/feeds/commitments.atom?status=stalled` and `/api/commitments/?status=stalled` hold the
same pledges in the same order, and a bad parameter is refused the same way on each.
"""

from django.db.models import QuerySet

from commitments.models import Commitment
from commitments.public.filters import CommitmentFilterSet


class InvalidFilters(Exception):
    """The query string asks for something the listing cannot show; `filterset` holds
    the reasons (`filterset.errors`), for each surface to say in its own way."""

    def __init__(self, filterset: CommitmentFilterSet):
        self.filterset = filterset
        super().__init__(dict(filterset.errors))


def public_commitments(queryset: QuerySet | None = None) -> QuerySet:
    """Published pledges (of `queryset`, if given), with what a listing row shows."""
    base = Commitment.objects.all() if queryset is None else queryset
    return base.published().for_listing()


def public_listing(params, *, queryset: QuerySet | None = None, **fixed) -> CommitmentFilterSet:
    """The listing that `params` (a query string's QueryDict, or a dict) ask for, with
    the `fixed` parameters on top (a platform's feed fixes `platform`), as a valid bound
    FilterSet: its `.qs` are the pledges, its form what the page shows. Raises
    InvalidFilters when a parameter is refused."""
    params = params.copy()
    for name, value in fixed.items():
        params[name] = value
    filterset = CommitmentFilterSet(params, queryset=public_commitments(queryset))
    if not filterset.is_valid():
        raise InvalidFilters(filterset)
    return filterset
