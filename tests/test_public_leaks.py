"""Only published records appear anywhere public.

A draft pledge sits beside a published one on the same platform and initiative, each with
sources and a follow-up. Every public address is asked for, and none may give away the
draft's title, its address, its follow-up or the words of its sources. The published
pledge must show where it should, so that a page cannot pass by showing nothing.
"""

import datetime

import pytest
from django.urls import reverse

from commitments.curation.evidence import follow_up_record
from commitments.models import Citation, Commitment, FollowUp, Person
from tests.factories import content_of, make_source

CANARY_TITLE = "DRAFT-LEAK-CANARY"
CANARY_SLUG = "tiktok-draft-leak-canary"
CANARY_FOLLOW_UP = "CANARY-FOLLOW-UP"
CANARY_SOURCE = "CANARY-SOURCE-TITLE"
CANARY_PROOF = "CANARY-PROOF-TITLE"
CANARY_QUOTE = "CANARY-QUOTE"
# A curators' note (Person.note) is staff-only even on a published pledge.
CANARY_NOTE = "CANARY-CURATORS-NOTE"
CANARIES = [CANARY_TITLE, CANARY_FOLLOW_UP, CANARY_SOURCE, CANARY_PROOF, CANARY_QUOTE, CANARY_NOTE]
NAMED = {"name": "Jo Named", "role": "Head of Safety", "organisation": "TikTok"}

PUBLISHED_TITLE = "Published pledge beside the draft"
PLATFORM = "tiktok"
INITIATIVE = "weprotect-global-alliance"

ANNOUNCED_ON = datetime.date(2021, 4, 1)
FOLLOWED_UP_ON = datetime.date(2022, 4, 1)

# (address, what a request must answer, whether the published pledge's title is on it).
# An address is a URL name with its arguments and query, or a plain path for the API.
PAGES = [
    (("commitments:overview", [], ""), 200, True),
    (("commitments:list", [], ""), 200, True),
    (("commitments:list", [], "?q=CANARY"), 200, False),
    (("commitments:list", [], f"?platform={PLATFORM}&initiative={INITIATIVE}"), 200, True),
    (("commitments:list", [], "?follow_up=has&sort=-changed"), 200, True),
    (("commitments:list", [], "?announced_after=2021&status=delivered"), 200, True),
    (("commitments:detail", ["published"], ""), 200, True),
    (("commitments:detail", [CANARY_SLUG], ""), 404, False),
    (("commitments:platforms", [], ""), 200, False),
    (("commitments:platform", [PLATFORM], ""), 200, True),
    (("commitments:initiatives", [], ""), 200, False),
    (("commitments:initiative", [INITIATIVE], ""), 200, False),
    (("commitments:matrix", [], ""), 200, False),
    (("commitments:compare", [], ""), 200, False),
]
MACHINE = [
    (("commitments:export_csv", [], ""), 200, True),
    (("commitments:export_csv", [], "?q=CANARY"), 200, False),
    (("commitments:export_json", [], ""), 200, True),
    (("commitments:export_json", [], f"?platform={PLATFORM}"), 200, True),
    (("commitments:feed", [], ""), 200, True),
    (("commitments:feed", [], "?q=CANARY"), 200, False),
    (("commitments:platform_feed", [PLATFORM], ""), 200, True),
    (("commitments:initiative_feed", [INITIATIVE], ""), 200, True),
    (("commitments:badge", [PLATFORM], ""), 200, False),
    (("commitments:compare_csv", [], ""), 200, False),
    (("commitments:compare_json", [], "?sort=-last_evidence"), 200, False),
    (("commitments:scorecard_csv", [PLATFORM], ""), 200, False),
    (("commitments:scorecard_json", [PLATFORM], ""), 200, False),
    ("/api/commitments/", 200, True),
    ("/api/commitments/?q=CANARY", 200, False),
    (f"/api/commitments/?platform={PLATFORM}", 200, True),
    ("/api/commitments/published/", 200, True),
    (f"/api/commitments/{CANARY_SLUG}/", 404, False),
    ("/api/platforms/", 200, False),
    (f"/api/platforms/{PLATFORM}/", 200, False),
    ("/api/initiatives/", 200, False),
    (f"/api/initiatives/{INITIATIVE}/", 200, False),
]


@pytest.fixture
def draft_beside_published(platform, initiative):
    published = pledge_with_evidence(platform, initiative, PUBLISHED_TITLE, published=True)
    draft = pledge_with_evidence(platform, initiative, CANARY_TITLE, published=False)
    assert draft.slug == CANARY_SLUG
    return published


def pledge_with_evidence(platform, initiative, title, *, published):
    canary = not published
    pledge = Commitment.objects.create(
        platform=platform,
        initiative=initiative,
        kind=Commitment.Kind.MEMBERSHIP if canary else Commitment.Kind.POLICY,
        title=title,
        summary="A summary.",
        announced_on=ANNOUNCED_ON,
        published=published,
    )
    # The same person named by both, and quoted by the published one's source.
    person, _ = Person.objects.get_or_create(**NAMED, defaults={"note": CANARY_NOTE})
    pledge.people.add(person)
    Citation.objects.create(
        commitment=pledge,
        source=make_source(title=CANARY_SOURCE if canary else "Published pledge's source"),
        quote=CANARY_QUOTE if canary else "Published words.",
        person=None if canary else person,
    )
    follow_up = follow_up_record(
        approve=True,
        follow_up=FollowUp(
            commitment=pledge,
            happened_on=FOLLOWED_UP_ON,
            kind=FollowUp.Kind.PROGRESS_REPORT,
            summary=CANARY_FOLLOW_UP if canary else "Published progress.",
            status_after="delivered",
        ),
    )
    Citation.objects.create(
        follow_up=follow_up,
        source=make_source(title=CANARY_PROOF if canary else "Published proof"),
    )
    pledge.refresh_from_db()
    return pledge


def url_for(address, published_slug: str) -> str:
    if isinstance(address, str):
        return address.replace("/published/", f"/{published_slug}/")
    name, args, query = address
    args = [published_slug if arg == "published" else arg for arg in args]
    return reverse(name, args=args) + query


@pytest.mark.parametrize(("address", "status", "shows_published"), PAGES + MACHINE)
def test_no_public_address_gives_away_a_draft(
    client, draft_beside_published, address, status, shows_published
):
    url = url_for(address, draft_beside_published.slug)
    response = client.get(url)
    body = content_of(response).decode()

    assert response.status_code == status, f"{url}: {response.status_code}"
    for canary in CANARIES:
        assert canary not in body, f"{url} shows {canary!r}"
    if CANARY_SLUG not in url:
        # A 404 page may repeat the address asked for; anywhere else the slug is a leak.
        assert CANARY_SLUG not in body, f"{url} gives away the draft's address"
    if shows_published:
        assert PUBLISHED_TITLE in body, f"{url} does not show the published pledge"


def test_the_draft_is_not_counted_either(client, draft_beside_published):
    """The published pledge alone: 1 pledge on the overview, on the platform and its list."""
    overview = client.get(reverse("commitments:overview")).content.decode()
    assert '<span class="figure">1</span> pledges' in overview
    platform = client.get(reverse("commitments:platform", args=[PLATFORM])).content.decode()
    assert "Pledges by status (1)" in platform
    listing = client.get(reverse("commitments:list")).content.decode()
    assert "1 commitment." in listing


def test_the_people_named_show_without_their_curators_note(client, draft_beside_published):
    """The note's canary is looked for on every address above; here, that the person it
    belongs to is on the pledge's page, so that the page cannot pass by showing nobody."""
    url = reverse("commitments:detail", args=[draft_beside_published.slug])
    body = client.get(url).content.decode()
    for value in NAMED.values():
        assert value in body
    assert CANARY_NOTE not in body
