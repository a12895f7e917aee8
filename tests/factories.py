"""Small factories for tests that need more rows than the conftest cast.

`make_commitment` builds one pledge as the admin would (save(), history, then the
refresh of what it stores) and `add_follow_up` records evidence through its service;
`make_commitments` builds many at once with bulk inserts, for tests that
need volume (query counts that must not grow with the data).
"""

import datetime
import itertools
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments.curation.evidence import follow_up_record
from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Initiative,
    Platform,
    Source,
    Status,
)
from commitments.public.selectors import public_listing
from commitments.refresh import DUE_DATES, SEARCH, commitments_refresh

_numbers = itertools.count(1)


def make_source(**fields) -> Source:
    n = next(_numbers)
    fields.setdefault("url", f"https://example.org/source/{n}")
    fields.setdefault("title", f"Source {n}")
    return Source.objects.create(**fields)


def make_platform(name: str, **fields) -> Platform:
    return Platform.objects.create(name=name, **fields)


# The dataset the project ships (data/README.md); tests read its counts from it.
SHIPPED = Path(__file__).resolve().parent.parent / "data" / "commitments.json"


def make_commitment(
    platform: Platform,
    title: str | None = None,
    *,
    published: bool = True,
    with_source: bool = True,
    follow_up: bool | str = False,
    **fields,
) -> Commitment:
    """A pledge of `platform`. `follow_up=True` adds a follow-up that changes nothing;
    a status (such as "delivered") adds one that moves the pledge to it."""
    fields.setdefault("kind", Commitment.Kind.POLICY)
    fields.setdefault("announced_on", datetime.date(2021, 3, 1))
    commitment = Commitment.objects.create(
        platform=platform,
        title=title or f"Pledge {next(_numbers)}",
        published=published,
        **fields,
    )
    if with_source:
        Citation.objects.create(commitment=commitment, source=make_source())
    # What the admin does once the page is saved: the stored due dates and search document
    # (a new pledge has no follow-up, so its status is already "announced": not refreshed,
    # which the suite's thousands of pledges feel).
    commitments_refresh(commitments=[commitment.pk], values={DUE_DATES, SEARCH})
    commitment.refresh_from_db()
    if follow_up:
        add_follow_up(commitment, status_after="" if follow_up is True else follow_up)
    return commitment


def add_follow_up(
    commitment: Commitment,
    *,
    happened_on: datetime.date | None = None,
    status_after: str = "",
    with_source: bool = True,
    **fields,
) -> FollowUp:
    fields.setdefault("kind", FollowUp.Kind.PROGRESS_REPORT)
    fields.setdefault("summary", "A progress report.")
    # Approved: as a Reviewer records it (drafts are made by hand where a test needs one).
    follow_up = follow_up_record(
        approve=True,
        follow_up=FollowUp(
            commitment=commitment,
            happened_on=happened_on or commitment.announced_on + datetime.timedelta(days=90),
            status_after=status_after,
            **fields,
        ),
    )
    if with_source:
        Citation.objects.create(follow_up=follow_up, source=make_source())
    commitment.refresh_from_db()
    return follow_up


def make_commitments(platform: Platform, count: int, *, published: bool = True) -> list:
    """`count` pledges, each with a source and a follow-up with its own source, in a
    handful of bulk inserts (no history rows: these are data, not edits)."""
    numbers = [next(_numbers) for _ in range(count)]
    day = datetime.date(2020, 1, 1)
    commitments = Commitment.objects.bulk_create(
        Commitment(
            platform=platform,
            kind=Commitment.Kind.POLICY,
            title=f"Bulk pledge {n}",
            slug=f"bulk-pledge-{n}",
            announced_on=day + datetime.timedelta(days=n % 900),
            published=published,
        )
        for n in numbers
    )
    sources = Source.objects.bulk_create(
        Source(url=f"https://example.org/bulk/{n}/{part}", title=f"Bulk source {n} {part}")
        for n in numbers
        for part in ("pledge", "evidence")
    )
    follow_ups = FollowUp.objects.bulk_create(
        FollowUp(
            commitment=c,
            happened_on=c.announced_on + datetime.timedelta(days=30),
            kind=FollowUp.Kind.PROGRESS_REPORT,
            summary="Bulk progress.",
            status_after=Status.IN_PROGRESS,
            approved_at=timezone.now(),
        )
        for c in commitments
    )
    Citation.objects.bulk_create(
        [Citation(commitment=c, source=s) for c, s in zip(commitments, sources[::2], strict=True)]
        + [Citation(follow_up=f, source=s) for f, s in zip(follow_ups, sources[1::2], strict=True)]
    )
    commitments_refresh(commitments=[c.pk for c in commitments], record_history=False)
    return commitments


DRAFT_TITLE = "Unannounced draft pledge that must stay private"

# Parameter sets of the public listing, for tests that check that another view of it
# (exports, feeds, API) holds the same rows.
LISTING_QUERIES = [
    {},
    {"platform": "meta"},
    {"platform": "instagram"},
    {"initiative": "weprotect-global-alliance"},
    {"kind": "age_restriction", "announced_after": "2021"},
    {"announced_before": "2021-03"},
    {"status": "delivered"},
    {"follow_up": "lacks"},
    {"follow_up": "has", "sort": "platform"},
    {"sort": "-changed"},
    {"q": "teen"},
    {"country": "GB"},
]


def make_listing_mix(initiative: Initiative) -> None:
    """Platforms (Meta with its child Instagram, and Roblox) and pledges that differ in
    every way the listing filters on, plus one draft that must never be shown."""
    meta = make_platform("Meta")
    instagram = make_platform("Instagram", parent=meta)
    roblox = make_platform("Roblox")
    make_commitment(
        meta,
        "Meta endorses the Voluntary Principles",
        initiative=initiative,
        kind=Commitment.Kind.ENDORSEMENT,
        announced_on=datetime.date(2020, 3, 5),
    )
    make_commitment(
        instagram,
        "Teen accounts are private by default",
        kind=Commitment.Kind.AGE_RESTRICTION,
        announced_on=datetime.date(2021, 7, 27),
        follow_up="delivered",
    )
    make_commitment(
        instagram,
        "Teen DMs restricted in the UK",
        kind=Commitment.Kind.AGE_RESTRICTION,
        announced_on=datetime.date(2022, 1, 1),
        announced_precision="month",
        worldwide=False,
        countries="GB",
        follow_up=True,
    )
    make_commitment(
        roblox,
        "Roblox joins WeProtect",
        initiative=initiative,
        kind=Commitment.Kind.MEMBERSHIP,
        announced_on=datetime.date(2021, 1, 1),
        announced_precision="year",
        follow_up="stalled",
    )
    make_commitment(
        roblox,
        'Roblox =HYPERLINK("evil") <b>bold</b> & more',
        kind=Commitment.Kind.POLICY,
        announced_on=datetime.date(2021, 3, 10),
        worldwide=False,
        countries="US",
    )
    make_commitment(
        roblox,
        DRAFT_TITLE,
        published=False,
        initiative=initiative,
        kind=Commitment.Kind.AGE_RESTRICTION,
        announced_on=datetime.date(2023, 1, 1),
        follow_up="delivered",
    )


def listing_slugs(params: dict) -> list[str]:
    """The slugs the public listing shows for `params`, in its order, on all its pages."""
    return [c.slug for c in public_listing(params).qs]


def content_of(response) -> bytes:
    """The body of a response, streamed or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def queries_for(client, url: str) -> int:
    """How many queries answering `url` takes, body included (a stream is read lazily)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        content_of(response)
    assert response.status_code == 200, response
    return len(queries)
