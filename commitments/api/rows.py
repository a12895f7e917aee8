"""Published pledges as the API writes them out: each read as a plain row with its
public evidence (its own citations; its public follow-ups, no draft rating, in date
order, each with its citations; every citation with its source), in three queries
for any number of pledges: the pledges with their platform and initiative, the
follow-ups, then every citation of both with its source.

Plain rows, not model instances: `values()` and no `Model.from_db` for each pledge, its
platform and initiative, each follow-up, citation and source: at 25 pledges of a page,
3.9 ms against 7.0 for instances with their evidence (bench/README.md, the API pair).

The serializers (commitments/api/serializers.py) write these rows and the model
instances a pledge as it stood is rebuilt into (commitments/public/as_of.py) alike:
both give the attributes of the fields they show and `.citations.all()` /
`.follow_ups.all()`. tests/test_api.py checks that a page written from these rows is
what DRF's walk over the declared fields gives for the same records read as instances.
"""

from django.db.models import Q

from commitments.api.serializers import PLEDGE_API_COLUMNS, FollowUpSerializer
from commitments.models import Citation, Commitment, FollowUp
from commitments.public.fields import PLEDGE_COLUMNS, PledgeRow, Row


class Related(list):
    """A row's citations or follow-ups: `.all()` gives them, as a prefetched relation's
    manager does for an instance."""

    def all(self):
        return self


PLEDGE_ROW_COLUMNS = [
    "id",
    "slug",
    "initiative_id",
    *PLEDGE_COLUMNS,
    *PLEDGE_API_COLUMNS,
]
NAMED = ["slug", "name"]  # of a pledge's platform and initiative
# The follow-up's fields the API shows (all columns but its sources), the precision of
# its date, and its pledge.
FOLLOW_UP_COLUMNS = [
    *(name for name in FollowUpSerializer.Meta.fields if name != "sources"),
    "happened_precision",
    "commitment_id",
]
SOURCE_COLUMNS = [
    "url",
    "title",
    "publisher",
    "published_on",
    "published_precision",
    "archived_url",
    "sensitive",
]


def public_pledge_rows(ids: list) -> list[PledgeRow]:
    """The pledges with these primary keys, in the order of `ids`, with their public
    evidence. The ids are the public listing's (commitments/public/selectors.py); one
    unpublished or deleted since they were read is left out (never shown, never a 500)."""
    related = [f"{name}__{column}" for name in ("platform", "initiative") for column in NAMED]
    found = {}
    for columns in (
        Commitment.objects.published().filter(pk__in=ids).values(*PLEDGE_ROW_COLUMNS, *related)
    ):
        platform = Row(slug=columns.pop("platform__slug"), name=columns.pop("platform__name"))
        initiative = Row(slug=columns.pop("initiative__slug"), name=columns.pop("initiative__name"))
        pledge = PledgeRow(**columns, platform=platform, citations=Related(), follow_ups=Related())
        pledge.initiative = initiative if pledge.initiative_id is not None else None
        found[pledge.id] = pledge
    pledges = [found[pk] for pk in ids if pk in found]
    ids = list(found)

    follow_ups = {}
    for columns in (
        FollowUp.objects.public().filter(commitment_id__in=ids).values(*FOLLOW_UP_COLUMNS)
    ):
        follow_up = follow_ups[columns["id"]] = Row(**columns, citations=Related())
        found[follow_up.commitment_id].follow_ups.append(follow_up)

    sources = [f"source__{column}" for column in SOURCE_COLUMNS]
    citations = (
        Citation.objects.filter(Q(commitment_id__in=ids) | Q(follow_up_id__in=list(follow_ups)))
        .order_by("id")
        .values_list("commitment_id", "follow_up_id", "quote", *sources)
    )
    for pledge_id, follow_up_id, quote, *source in citations:
        citation = Row(quote=quote, source=Row(**dict(zip(SOURCE_COLUMNS, source, strict=True))))
        cited_by = found[pledge_id] if pledge_id is not None else follow_ups[follow_up_id]
        cited_by.citations.append(citation)
    return pledges
