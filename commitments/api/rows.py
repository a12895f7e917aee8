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


# Each query's columns, resolved once: values() looks up every named field and join anew
# (0.35 ms a query of a page's 7), and each page only narrows these to its ids. A
# QuerySet is never changed by filtering it, so one shared by every request is safe.
RELATED = [f"{name}__{column}" for name in ("platform", "initiative") for column in NAMED]
PLEDGES = Commitment.objects.published().values(*PLEDGE_ROW_COLUMNS, *RELATED)
FOLLOW_UPS = FollowUp.objects.public().values(*FOLLOW_UP_COLUMNS)
CITATIONS = Citation.objects.order_by("id").values_list(
    "commitment_id", "follow_up_id", "quote", *(f"source__{column}" for column in SOURCE_COLUMNS)
)


def public_pledge_rows(ids: list) -> list[PledgeRow]:
    """The pledges with these primary keys, in the order of `ids`, with their public
    evidence. The ids are the public listing's (commitments/public/selectors.py); one
    unpublished or deleted since they were read is left out (never shown, never a 500)."""
    found = {}
    for columns in PLEDGES.filter(pk__in=ids):
        platform = Row(slug=columns.pop("platform__slug"), name=columns.pop("platform__name"))
        initiative = Row(slug=columns.pop("initiative__slug"), name=columns.pop("initiative__name"))
        pledge = PledgeRow(**columns, platform=platform, citations=Related(), follow_ups=Related())
        pledge.initiative = initiative if pledge.initiative_id is not None else None
        found[pledge.id] = pledge
    pledges = [found[pk] for pk in ids if pk in found]

    # Only a pledge with a date of public evidence has any (commitments/refresh.py keeps
    # the date from the same follow-ups): a page without them asks for none.
    followed_up = [pk for pk, pledge in found.items() if pledge.latest_follow_up_on is not None]
    follow_ups = {}
    for columns in FOLLOW_UPS.filter(commitment_id__in=followed_up) if followed_up else ():
        follow_up = follow_ups[columns["id"]] = Row(**columns, citations=Related())
        found[follow_up.commitment_id].follow_ups.append(follow_up)

    cited = Q(commitment_id__in=list(found)) | Q(follow_up_id__in=list(follow_ups))
    for pledge_id, follow_up_id, quote, *source in CITATIONS.filter(cited):
        citation = Row(quote=quote, source=Row(**dict(zip(SOURCE_COLUMNS, source, strict=True))))
        cited_by = found[pledge_id] if pledge_id is not None else follow_ups[follow_up_id]
        cited_by.citations.append(citation)
    return pledges
