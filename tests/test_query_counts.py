"""Every public page and machine endpoint runs as many queries for 200 published pledges
as for 5: no query per row, per platform's pledge or per source."""

import pytest
from django.urls import reverse

from commitments.models import Commitment, Initiative
from tests.factories import make_commitments, make_platform, queries_for

FEW = 5
MANY = 200


@pytest.fixture
def world(initiative):
    """A parent platform with a child, two more platforms, two initiatives."""
    parent = make_platform("Alpha")
    return {
        "platforms": [parent, make_platform("Alpha Kids", parent=parent)]
        + [make_platform("Beta"), make_platform("Gamma")],
        "initiatives": [
            initiative,
            Initiative.objects.create(
                name="Code of Practice", kind=Initiative.Kind.CODE_OF_PRACTICE
            ),
        ],
    }


def add_pledges(world: dict, count: int) -> list[Commitment]:
    """`count` published pledges spread over the platforms and initiatives, each with a
    source and a follow-up with its own source, in bulk."""
    platforms, initiatives = world["platforms"], world["initiatives"]
    made = []
    for i, platform in enumerate(platforms):
        share = count // len(platforms) + (1 if i < count % len(platforms) else 0)
        made += make_commitments(platform, share)
    for i, initiative in enumerate(initiatives):
        Commitment.objects.filter(pk__in=[c.pk for c in made[i :: len(initiatives)]]).update(
            initiative=initiative
        )
    return made


def public_urls(pledges: list[Commitment], platform: str, initiative: str) -> list[str]:
    """Every public address whose route exists, with the records' slugs filled in.
    `pledges` in the listing's order: a page is read on from the first and back from the
    last, so that neither page is empty (an empty one reads no rows, a query fewer)."""
    pledge, newest, oldest = pledges[0], pledges[0], pledges[-1]
    named = [
        ("commitments:overview", [], ""),
        ("commitments:list", [], ""),
        ("commitments:list", [], f"?platform={platform}&follow_up=has&sort=platform"),
        ("commitments:list", [], "?q=bulk&announced_after=2020&country=GB"),
        ("commitments:list", [], "?page=2"),
        # Read on from a row, as the pages' own links do (commitments/public/paging.py).
        ("commitments:list", [], f"?page=2&after={newest.pk}"),
        ("commitments:list", [], f"?page=2&before={oldest.pk}"),
        ("commitments:detail", [pledge.slug], ""),
        ("commitments:platforms", [], ""),
        ("commitments:platform", [platform], ""),
        ("commitments:initiatives", [], ""),
        ("commitments:initiative", [initiative], ""),
        ("commitments:matrix", [], ""),
        ("commitments:export_csv", [], ""),
        ("commitments:export_json", [], ""),
        ("commitments:export_csv", [], f"?platform={platform}"),
        ("commitments:feed", [], ""),
        ("commitments:platform_feed", [platform], ""),
        ("commitments:initiative_feed", [initiative], ""),
        ("commitments:badge", [platform], ""),
    ]
    api = [
        "/api/commitments/",
        f"/api/commitments/?platform={platform}",
        f"/api/commitments/{pledge.slug}/",
        "/api/platforms/",
        f"/api/platforms/{platform}/",
        "/api/initiatives/",
        f"/api/initiatives/{initiative}/",
    ]
    return [reverse(name, args=args) + query for name, args, query in named] + api


def test_every_public_address_runs_as_many_queries_for_200_pledges_as_for_5(client, world):
    add_pledges(world, FEW)
    in_order = list(Commitment.objects.published().order_by("-announced_on", "-id"))
    urls = public_urls(in_order, "alpha", "weprotect-global-alliance")
    for url in urls:
        queries_for(client, url)  # Warm the caches (content types, sessions) first.
    few = {url: queries_for(client, url) for url in urls}

    add_pledges(world, MANY - FEW)
    assert Commitment.objects.published().count() == MANY
    many = {url: queries_for(client, url) for url in urls}

    grew = {url: (few[url], many[url]) for url in urls if few[url] != many[url]}
    table = "\n".join(f"  {few[url]:3} -> {many[url]:3}  {url}" for url in urls)
    assert not grew, f"queries with {FEW} and with {MANY} pledges:\n{table}"
