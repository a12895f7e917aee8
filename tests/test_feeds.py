import datetime
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from commitments.models import Commitment
from commitments.public import feeds
from tests.factories import (
    DRAFT_TITLE,
    LISTING_QUERIES,
    add_follow_up,
    listing_slugs,
    make_commitment,
    make_commitments,
    make_listing_mix,
    queries_for,
)

ATOM = "{http://www.w3.org/2005/Atom}"
FEED = reverse("commitments:feed")


def entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    # What RFC 4287 requires of a feed and of each entry.
    for name in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{name}").text
    found = root.findall(f"{ATOM}entry")
    for entry in found:
        for name in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{name}").text
    return found


def text(entry: ET.Element, name: str) -> str:
    return entry.find(f"{ATOM}{name}").text


def link(entry: ET.Element) -> str:
    return entry.find(f"{ATOM}link").get("href")


def pledge_slugs(response) -> list[str]:
    """Slugs of the pledge entries (not status changes), in feed order."""
    return [
        link(e).rstrip("/").rsplit("/", 1)[1]
        for e in entries(response)
        if ":commitment/" in text(e, "id")
    ]


def platform_feed(slug: str) -> str:
    return reverse("commitments:platform_feed", args=[slug])


def initiative_feed(slug: str) -> str:
    return reverse("commitments:initiative_feed", args=[slug])


@pytest.fixture
def mix(commitment, initiative):
    make_listing_mix(initiative)


def test_a_pledge_is_an_entry_linking_to_its_page(client, commitment):
    (entry,) = entries(client.get(FEED))
    assert text(entry, "title") == "TikTok: TikTok joins the WeProtect Global Alliance"
    assert link(entry) == f"http://testserver/commitments/{commitment.slug}/"
    assert text(entry, "id") == f"tag:127.0.0.1,2026:commitment/{commitment.pk}"
    assert text(entry, "published").startswith("2020-06-22T00:00:00")
    assert text(entry, "updated").startswith("2020-06-22T00:00:00")
    assert "announced 22 June 2020" in text(entry, "summary")


def test_a_status_change_is_an_entry_linking_to_the_follow_up(client, commitment):
    follow_up = add_follow_up(
        commitment, happened_on=datetime.date(2021, 2, 1), status_after="delivered"
    )
    add_follow_up(commitment, happened_on=datetime.date(2021, 3, 1))  # changes no status
    change, pledge = entries(client.get(FEED))
    assert text(change, "title").endswith("— now delivered, per the platform")
    assert link(change) == (
        f"http://testserver/commitments/{commitment.slug}/#follow-up-{follow_up.pk}"
    )
    assert text(change, "id") == f"tag:127.0.0.1,2026:follow-up/{follow_up.pk}"
    assert text(change, "id") != text(pledge, "id")


def test_entries_come_newest_first_and_capped(client, platform):
    make_commitments(platform, feeds.LIMIT)  # each with a status change after it
    found = entries(client.get(FEED))
    assert len(found) == feeds.LIMIT
    dates = [text(e, "updated") for e in found]
    assert dates == sorted(dates, reverse=True)
    assert len({text(e, "id") for e in found}) == feeds.LIMIT


def test_titles_and_summaries_are_escaped(client, platform):
    make_commitment(platform, "<script>alert(1)</script> & co", summary="<b>bold</b>")
    (entry,) = entries(client.get(FEED))
    # XML-escaped once: the parsed title is the text itself.
    assert text(entry, "title") == "TikTok: <script>alert(1)</script> & co"
    # The summary is type="html": escaped once more, so a reader shows the tags as text.
    assert entry.find(f"{ATOM}summary").get("type") == "html"
    assert "&lt;b&gt;bold&lt;/b&gt;" in text(entry, "summary")
    assert "<b>" not in text(entry, "summary")


def test_a_platform_feed_includes_its_childrens_pledges(client, mix):
    assert set(pledge_slugs(client.get(platform_feed("meta")))) == set(
        listing_slugs({"platform": "meta"})
    )
    assert "Instagram" in text(entries(client.get(platform_feed("meta")))[0], "title")
    root = ET.fromstring(client.get(platform_feed("meta")).content)
    assert root.find(f"{ATOM}title").text == "Meta: child-safety commitments"


def test_an_initiative_feed_holds_its_pledges(client, mix):
    found = pledge_slugs(client.get(initiative_feed("weprotect-global-alliance")))
    assert set(found) == set(listing_slugs({"initiative": "weprotect-global-alliance"}))


def test_status_changes_follow_the_feeds_scope(client, mix):
    changes = [
        text(e, "title")
        for e in entries(client.get(platform_feed("roblox")))
        if ":follow-up/" in text(e, "id")
    ]
    assert changes == ["Roblox: Roblox joins WeProtect — now stalled"]


@pytest.mark.parametrize("params", [p for p in LISTING_QUERIES if "sort" not in p])
def test_the_feed_takes_the_listings_parameters(client, mix, params):
    # Newest first: the listing's default order.
    assert pledge_slugs(client.get(FEED, params)) == listing_slugs(params)


def test_a_filtered_feed_links_to_its_listing(client, commitment):
    root = ET.fromstring(client.get(FEED, {"kind": "membership"}).content)
    alternate = root.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == "http://testserver/commitments/?kind=membership"


def test_a_draft_appears_in_no_feed(client, mix):
    for url in [FEED, platform_feed("roblox"), initiative_feed("weprotect-global-alliance")]:
        content = client.get(url).content.decode()
        # The draft has a status change too: neither appears.
        assert DRAFT_TITLE not in content


def test_a_drafts_status_changes_appear_in_no_feed(client, platform):
    draft = make_commitment(platform, "Secret", published=False)
    add_follow_up(draft, status_after="withdrawn")
    assert entries(client.get(FEED)) == []


@pytest.mark.parametrize(
    "url", [platform_feed("nobody"), initiative_feed("nothing")], ids=["platform", "initiative"]
)
def test_an_unknown_slug_is_a_404(client, db, url):
    assert client.get(url).status_code == 404


def test_invalid_parameters_are_a_400_with_reasons(client, commitment):
    response = client.get(FEED, {"announced_before": "2021-13"})
    assert response.status_code == 400
    assert response.content.decode().startswith("announced_before: ")


@pytest.mark.parametrize("which", ["all", "platform", "initiative"])
def test_the_query_count_does_not_grow_with_the_rows(client, platform, initiative, which):
    url = {
        "all": FEED,
        "platform": platform_feed(platform.slug),
        "initiative": initiative_feed(initiative.slug),
    }[which]
    make_commitments(platform, 5)
    Commitment.objects.update(initiative=initiative)
    few = queries_for(client, url)
    make_commitments(platform, 195)
    Commitment.objects.update(initiative=initiative)
    assert queries_for(client, url) == few
