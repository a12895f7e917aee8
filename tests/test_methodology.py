"""The methodology page at /methodology/: its sections, every status with its public
definition (from Status and DEFINITIONS), the live review schedule; every status badge
links to its definition; the footer links to the page; and the tracker's own lateness is
told in neutral words."""

import re

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from commitments.models import Commitment, FollowUpRule, Status
from commitments.models.status import DEFINITIONS
from tests.clock import NOW, TODAY
from tests.factories import make_commitment
from tests.page_helpers import page_text, sections, shown_text

METHODOLOGY = "/methodology/"
SECTION_IDS = [
    "scope",
    "sources",
    "statuses",
    "reviews",
    "as-of",
    "safeguarding",
    "corrections",
    "licence",
]
# A status badge: a link to its definition, with the value in its class and its fragment.
BADGE = re.compile(r'<(\w+) class="status status-([a-z_]+)"(?: href="([^"]*)")?>(.*?)</\1>')
FOOTER = re.compile(r'<footer class="site-footer">(.*?)</footer>', re.S)
ON_NOW = time_machine.travel(NOW, tick=False)


def element_with_id(markup: str, element_id: str) -> str:
    """The markup of the <div> with this id (status definitions hold no nested <div>)."""
    found = re.search(rf'<div [^>]*id="{re.escape(element_id)}"[^>]*>(.*?)</div>', markup, re.S)
    assert found, f'no <div id="{element_id}"> on the page'
    return found.group(1)


def badges(response) -> list[tuple[str, str, str, str]]:
    """(tag, status value, href, label) of every status badge on a page."""
    return BADGE.findall(response.content.decode())


def methodology_ids(client) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', client.get(METHODOLOGY).content.decode()))


@pytest.fixture
def delivered(platform):
    """A published pledge rated delivered by a follow-up."""
    return make_commitment(
        platform, "Teen accounts private by default", kind="age_restriction", follow_up="delivered"
    )


def test_the_page_answers_at_its_address_with_every_section(client, db):
    assert reverse("commitments:methodology") == METHODOLOGY
    response = client.get(METHODOLOGY)
    assert response.status_code == 200
    markup = response.content.decode()
    assert "<h1>Methodology</h1>" in markup
    for section_id in SECTION_IDS:
        assert re.search(rf'<h2 id="{section_id}">', markup), section_id


def test_every_status_is_defined_in_order_from_its_definitions(client, db):
    markup = client.get(METHODOLOGY).content.decode()
    positions = []
    for status in Status:
        element = element_with_id(markup, f"status-{status.value}")
        assert f"<h3>{escape(status.label)}</h3>" in element
        assert f"<p>{escape(DEFINITIONS[status])}</p>" in element
        positions.append(markup.index(f'id="status-{status.value}"'))
    assert positions == sorted(positions), "the statuses are listed in Status order"
    statuses = sections(client.get(METHODOLOGY))["What each status means"]
    assert "No job or timer ever changes a status." in shown_text(statuses)


def test_the_scope_sources_safeguarding_corrections_and_licence_are_stated(client, db):
    text = shown_text(client.get(METHODOLOGY).content.decode())
    assert "WeProtect Global Alliance" in text
    assert "EU Code of Practice on Disinformation" in text
    assert "A pledge is published only once it has at least one source" in text
    assert "never fetches or stores images or media from a source" in text
    assert "A source marked sensitive shows no quote and no archive link" in text
    assert "Staff review every correction." in text
    assert "Nothing a visitor sends appears publicly until staff act on it." in text
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page_text(
        client.get(METHODOLOGY)
    )
    assert "CC BY 4.0" in text


def test_the_review_schedule_is_read_from_the_live_rules(client, db):
    FollowUpRule.objects.update_or_create(
        kind=Commitment.Kind.MEMBERSHIP, defaults={"interval_days": 123, "grace_days": 7}
    )
    reviews = sections(client.get(METHODOLOGY))["When pledges are reviewed"]
    rows = [
        [shown_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", reviews, re.S)
    ]
    assert ["Membership", "due after 123 days", "flagged for staff 7 days later"] in rows
    text = shown_text(reviews)
    assert "wins over the rule" in text
    assert "not a verdict on the platform" in text
    assert "an overdue review never changes a status" in text


def test_without_rules_the_schedule_says_none_is_set(client, db):
    FollowUpRule.objects.all().delete()
    reviews = sections(client.get(METHODOLOGY))["When pledges are reviewed"]
    assert "No review schedule is set yet." in reviews
    assert "<table" not in reviews


@pytest.mark.parametrize("page", ["overview", "list", "detail"])
def test_the_footer_links_to_the_methodology(client, commitment, page):
    url = {
        "overview": reverse("commitments:overview"),
        "list": reverse("commitments:list"),
        "detail": reverse("commitments:detail", args=[commitment.slug]),
    }[page]
    footer = FOOTER.search(client.get(url).content.decode())
    assert footer, "the page has no footer"
    assert f'<a href="{METHODOLOGY}">Methodology</a>' in footer.group(1)


def test_the_badges_on_a_pledges_page_link_to_their_definitions(client, delivered):
    response = client.get(reverse("commitments:detail", args=[delivered.slug]))
    link = (
        f'<a class="status status-delivered" href="{METHODOLOGY}#status-delivered">'
        f"{Status.DELIVERED.label}</a>"
    )
    found = sections(response)
    assert link in found["Status"]
    assert f"status moved to {link}" in found["What happened since"]
    assert "status-delivered" in methodology_ids(client)


def test_the_badges_on_the_list_link_to_their_definitions(client, delivered, commitment):
    found = badges(client.get(reverse("commitments:list")))
    assert sorted(found) == [
        ("a", "announced", f"{METHODOLOGY}#status-announced", Status.ANNOUNCED.label),
        ("a", "delivered", f"{METHODOLOGY}#status-delivered", Status.DELIVERED.label),
    ]
    assert {"status-announced", "status-delivered"} <= methodology_ids(client)


def test_every_badge_on_every_public_page_is_a_link_to_its_definition(
    client, delivered, commitment
):
    defined = methodology_ids(client)
    pages = [
        reverse("commitments:overview"),
        reverse("commitments:list"),
        reverse("commitments:detail", args=[delivered.slug]),
        reverse("commitments:detail", args=[commitment.slug]),
        reverse("commitments:platform", args=[commitment.platform.slug]),
        reverse("commitments:initiative", args=[commitment.initiative.slug]),
        reverse("commitments:matrix"),
    ]
    seen = 0
    for url in pages:
        for tag, value, href, label in badges(client.get(url)):
            seen += 1
            assert (tag, href) == ("a", f"{METHODOLOGY}#status-{value}"), (url, label)
            assert f"status-{value}" in defined
            assert label == escape(Status(value).label)
    assert seen, "no status badge found on any page"


@ON_NOW
def test_an_overdue_review_is_told_as_the_trackers_schedule_not_the_platforms(client, commitment):
    assert commitment.follow_up_overdue
    due = f"{commitment.follow_up_due_on.day} {commitment.follow_up_due_on:%B %Y}"
    status = sections(client.get(reverse("commitments:detail", args=[commitment.slug])))["Status"]
    overdue = re.search(r'<p class="(review-overdue)">(.*?)</p>', status, re.S)
    assert overdue, "no paragraph about the overdue review"
    assert f'<a href="{METHODOLOGY}#reviews">Review</a>' in overdue.group(2)
    assert shown_text(overdue.group(2)) == (
        f"Review overdue since {due}: the tracker is late in looking for newer evidence. "
        "This is about the tracker's schedule, not about the platform."
    )
    assert "evidence-lacking" not in status
    assert "Follow-up overdue" not in status
    assert "reviews" in methodology_ids(client)


@ON_NOW
def test_an_overdue_review_in_the_list_is_neutral(client, commitment):
    due = f"{commitment.follow_up_due_on.day} {commitment.follow_up_due_on:%B %Y}"
    markup = client.get(reverse("commitments:list")).content.decode()
    overdue = re.search(
        r'<li class="evidence ([^"]*)">(<a [^>]*>Review</a> overdue since [^<]*)</li>', markup
    )
    assert overdue, "the row does not say the review is overdue"
    assert overdue.group(1) == "review-overdue"
    assert shown_text(overdue.group(2)) == f"Review overdue since {due}"
    rows = re.findall(r'<li class="commitment">.*?</li>', markup, re.S)
    assert rows and not any("Follow-up overdue" in row for row in rows)


def test_a_pledge_without_follow_ups_says_so_plainly(client, commitment):
    status = sections(client.get(reverse("commitments:detail", args=[commitment.slug])))["Status"]
    assert "No follow-up evidence has been recorded yet." in status
    plain = re.search(r"</a>\s*No follow-up evidence has been recorded yet\.</p>", status)
    assert plain, "the sentence is wrapped in emphasis or a class"


@ON_NOW
def test_a_pledge_not_yet_due_is_not_overdue(client, platform):
    fresh = make_commitment(platform, "Fresh pledge", announced_on=TODAY)
    markup = client.get(reverse("commitments:detail", args=[fresh.slug])).content.decode()
    assert "overdue" not in shown_text(markup)
