"""Export every record in the exchange format of data/README.md.

The inverse of the importer: export, import into an empty database and export again
gives the same JSON. Records come out in a stable order (the order they were made in;
follow-ups by date) so that two exports of the same data are identical.

`public=True` gives what the public may read, for the citable releases
(commitments/releases/): published pledges only, and no curators' notes.
"""

from django.db.models import Prefetch

from commitments import licence
from commitments.dates import iso_partial_date
from commitments.models import Citation, Commitment, FollowUp, Initiative, Platform

CITATIONS = Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("id"))


def source_data(source) -> dict:
    return {
        "url": source.url,
        "publisher": source.publisher,
        "published_on": iso_partial_date(source.published_on, source.published_precision),
        "title": source.title,
    }


def cited_sources(record) -> list[dict]:
    return [source_data(citation.source) for citation in record.citations.all()]


def initiative_data(initiative: Initiative) -> dict:
    return {
        "name": initiative.name,
        "kind": initiative.kind.replace("_", " "),
        "founded_on": iso_partial_date(initiative.founded_on, initiative.founded_precision),
        "url": initiative.url or None,
        "description": initiative.description,
        "sources": cited_sources(initiative),
    }


def platform_data(platform: Platform) -> dict:
    data = {"name": platform.name, "operator": platform.operator, "category": platform.category}
    if platform.parent:  # this project's addition to the format: only when there is one
        data["parent"] = platform.parent.name
    return data


def person_data(person, *, public: bool = False) -> dict:
    data = {"name": person.name, "role": person.role, "organisation": person.organisation}
    if person.note and not public:  # the curators' note, only when there is one (a staff file)
        data["note"] = person.note
    return data


def follow_up_data(follow_up: FollowUp) -> dict:
    return {
        "happened_on": iso_partial_date(follow_up.happened_on, follow_up.happened_precision),
        "kind": follow_up.kind,
        "summary": follow_up.summary,
        "status_after": follow_up.status_after or None,
        "sources": cited_sources(follow_up),
    }


def commitment_data(commitment: Commitment, *, public: bool = False) -> dict:
    data = {
        "platform": commitment.platform.name,
        "initiative": commitment.initiative.name if commitment.initiative else None,
        "kind": commitment.kind,
        "title": commitment.title,
        "summary": commitment.summary,
        "announced_on": iso_partial_date(commitment.announced_on, commitment.announced_precision),
        "effective_on": iso_partial_date(commitment.effective_on, commitment.effective_precision),
        "sources": cited_sources(commitment),
        "people": [person_data(person, public=public) for person in commitment.people.all()],
        "confidence": commitment.confidence,
    }
    follow_ups = [follow_up_data(f) for f in commitment.follow_ups.all()]
    if follow_ups:  # the format leaves the key out when there are none
        data["follow_ups"] = follow_ups
    return data


def dataset_export(*, public: bool = False) -> dict:
    """Every record, drafts included (the staff's file); with `public`, only what the
    public may read: the published pledges (as `public_commitments` has them) with their
    public follow-ups, people without the curators' notes, and every platform and
    initiative (their pages list them all, pledges or none)."""
    pledges = Commitment.objects.published() if public else Commitment.objects.all()
    commitments = (
        pledges.select_related("platform", "initiative")
        .prefetch_related(
            CITATIONS,
            "people",
            Prefetch(
                "follow_ups",
                # Draft ratings are not yet the tracker's word; importing is approving.
                queryset=FollowUp.objects.public()
                .order_by("happened_on", "id")
                .prefetch_related(CITATIONS),
            ),
        )
        .order_by("id")
    )
    return {
        "initiatives": [
            initiative_data(i)
            for i in Initiative.objects.prefetch_related(CITATIONS).order_by("id")
        ],
        "platforms": [
            platform_data(p) for p in Platform.objects.select_related("parent").order_by("id")
        ],
        "commitments": [commitment_data(c, public=public) for c in commitments],
        "license": licence.as_data(),
    }
