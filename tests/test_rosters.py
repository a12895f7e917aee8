"""Membership rosters against a local HTTP server whose members page changes: names read
with the initiative's selectors, matched to platforms (by name and other names), a
roster that gains a member (a "joined" proposal) and loses one (a "left" proposal),
accepting and dismissing proposals, and the admin's queue."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from commitments.curation.rosters import (
    ProposalError,
    roster_proposal_accept,
    roster_proposals_dismiss,
)
from commitments.followup.rosters import LISTED_AGAIN, names_in, roster_key, rosters_read
from commitments.models import (
    Commitment,
    Initiative,
    PlatformAlias,
    RosterProposal,
    RosterSnapshot,
)
from tests.factories import make_commitment, make_platform, make_source
from tests.staff_login import log_in
from tests.test_snapshots import serving

Kind, State = RosterProposal.Kind, RosterProposal.State


def members_page(*names: str, logos: tuple[str, ...] = ()) -> bytes:
    items = "".join(f"<li class='member'><a href='/m'>{name}</a></li>" for name in names)
    images = "".join(
        f"<img class='logo' alt='{alt}' src='/{n}.png'>" for n, alt in enumerate(logos)
    )
    return (
        "<html><body><nav><li class='member-nav'>Home</li></nav>"
        f"<ul class='members'>{items}</ul><div class='logos'>{images}</div></body></html>"
    ).encode()


@pytest.fixture
def site():
    with serving() as pages:
        yield pages


@pytest.fixture
def alliance(db, site):
    """An initiative whose members page lists names in <li class=member> and logos."""
    site.serve("/members", members_page("TikTok", "Snap Inc."), "text/html")
    initiative = Initiative.objects.create(
        name="WeProtect Global Alliance",
        kind=Initiative.Kind.ALLIANCE,
        roster_source=make_source(url=site.url("/members"), title="Our members"),
        roster_selectors="ul.members li.member\n.logos img",
    )
    return initiative


def read():
    return rosters_read(timeout=5)


def proposals(**filters):
    return RosterProposal.objects.filter(**filters)


# Reading names ---------------------------------------------------------------------------


def test_names_are_read_with_the_selectors_once_each_in_order():
    body = members_page("TikTok", "  Snap   Inc. ", "tiktok", logos=("Roblox", ""))

    assert names_in(body, "ul.members li\n.logos img") == ["TikTok", "Snap Inc.", "Roblox"]


def test_a_roster_key_ignores_case_punctuation_and_legal_suffixes():
    assert roster_key("Meta Platforms, Inc.") == roster_key("meta platforms") == "meta platforms"
    assert roster_key("Snap Inc.") == "snap"


def test_the_first_roster_proposes_every_name_with_no_recorded_pledge(alliance, site):
    tiktok = make_platform("TikTok")
    snap = make_platform("Snapchat")
    PlatformAlias.objects.create(platform=snap, name="Snap Inc")
    make_commitment(tiktok, "TikTok joins", initiative=alliance, kind=Commitment.Kind.MEMBERSHIP)

    report = read()

    snapshot = RosterSnapshot.objects.get()
    assert snapshot.names == ["TikTok", "Snap Inc."]
    assert snapshot.source == alliance.roster_source
    proposal = proposals().get()  # TikTok is recorded: only Snap is proposed
    assert (proposal.kind, proposal.name, proposal.platform) == (Kind.JOINED, "Snap Inc.", snap)
    assert (report.read, report.changed, report.proposals) == (1, 1, 1)


def test_an_unchanged_roster_keeps_no_new_version_and_proposes_nothing_more(alliance, site):
    read()
    first = RosterSnapshot.objects.get()

    report = read()

    again = RosterSnapshot.objects.get()
    assert again.last_seen_at > first.last_seen_at
    assert (report.changed, report.proposals) == (0, 0)
    assert proposals().count() == 2


def test_a_name_that_appears_is_proposed_as_joined_unmatched_too(alliance, site):
    make_platform("TikTok")
    make_platform("Snapchat")
    read()
    site.serve("/members", members_page("TikTok", "Snap Inc.", "Yubo SAS"), "text/html")

    read()

    new = proposals(name="Yubo SAS").get()
    assert (new.kind, new.platform) == (Kind.JOINED, None)
    assert RosterSnapshot.objects.count() == 2


def test_a_recorded_member_that_disappears_is_proposed_as_left(alliance, site):
    tiktok = make_platform("TikTok")
    make_commitment(tiktok, "TikTok joins", initiative=alliance, kind=Commitment.Kind.MEMBERSHIP)
    read()
    site.serve("/members", members_page("Snap Inc."), "text/html")

    read()

    left = proposals(kind=Kind.LEFT).get()
    assert (left.name, left.platform, left.state) == ("TikTok", tiktok, State.OPEN)


def test_a_member_listed_again_dismisses_its_left_proposal(alliance, site):
    tiktok = make_platform("TikTok")
    make_commitment(tiktok, "TikTok joins", initiative=alliance, kind=Commitment.Kind.MEMBERSHIP)
    read()
    site.serve("/members", members_page("Snap Inc."), "text/html")
    read()
    site.serve("/members", members_page("Snap Inc.", "TikTok"), "text/html")

    read()

    left = proposals(kind=Kind.LEFT).get()
    assert (left.state, left.note) == (State.DISMISSED, LISTED_AGAIN)


def test_a_name_no_pledge_was_recorded_for_that_disappears_is_no_news(alliance, site):
    read()
    site.serve("/members", members_page("TikTok"), "text/html")

    read()

    assert not proposals(kind=Kind.LEFT).exists()


def test_a_dismissed_joined_proposal_is_not_made_again(alliance, site):
    read()
    roster_proposals_dismiss(proposals=proposals(name="TikTok"), user=None, note="Not followed")
    site.serve("/members", members_page("TikTok", "Snap Inc.", "Kik"), "text/html")

    read()

    assert proposals(name="TikTok").count() == 1
    assert proposals(name="Kik").exists()


@pytest.mark.parametrize(
    "page, problem",
    [
        (b"<html><body><p>We moved our members list.</p></body></html>", "matched no name"),
        (None, "HTTP 404"),
    ],
    ids=["redesigned", "gone"],
)
def test_a_page_with_no_names_keeps_no_roster_and_proposes_no_departures(
    alliance, site, page, problem
):
    tiktok = make_platform("TikTok")
    make_commitment(tiktok, "TikTok joins", initiative=alliance, kind=Commitment.Kind.MEMBERSHIP)
    read()
    if page is None:
        site.pages.pop("/members")
    else:
        site.serve("/members", page, "text/html")

    report = read()

    assert RosterSnapshot.objects.count() == 1
    assert not proposals(kind=Kind.LEFT).exists()
    assert problem in report.summary()


def test_a_sensitive_members_page_is_never_read(alliance, site):
    alliance.roster_source.sensitive = True
    alliance.roster_source.save()

    read()

    assert site.requests == []


def test_selectors_must_be_css_and_go_with_a_page(db):
    source = make_source()
    for fields, problem in [
        ({"roster_source": source, "roster_selectors": "ul >> li"}, "Not a CSS selector"),
        ({"roster_source": source, "roster_selectors": ""}, "at least one selector"),
        ({"roster_selectors": "li"}, "Choose the members page"),
    ]:
        initiative = Initiative(name="X", kind=Initiative.Kind.ALLIANCE, **fields)
        with pytest.raises(ValidationError, match=problem):
            initiative.full_clean()


# Deciding --------------------------------------------------------------------------------


def test_accepting_joined_records_a_draft_pledge_citing_the_roster(alliance, site, reviewer):
    snap = make_platform("Snapchat")
    read()
    proposal = proposals(name="Snap Inc.").get()

    roster_proposal_accept(proposal=proposal, user=reviewer, platform=snap)

    proposal.refresh_from_db()
    pledge = proposal.commitment
    assert proposal.state == State.ACCEPTED and proposal.decided_by == reviewer
    assert (pledge.platform, pledge.initiative, pledge.kind) == (
        snap,
        alliance,
        Commitment.Kind.MEMBERSHIP,
    )
    assert not pledge.published  # a draft, for an Editor to complete
    seen = proposal.snapshot.first_seen_at.date()
    assert pledge.announced_on == seen
    citation = pledge.citations.get()
    assert (citation.source, citation.quote) == (alliance.roster_source, "Snap Inc.")
    # The roster's spelling is remembered: the next roster matches it.
    assert PlatformAlias.objects.get(name="Snap Inc.").platform == snap


def test_accepting_joined_without_a_platform_is_refused_and_writes_nothing(alliance, site):
    read()
    proposal = proposals(name="TikTok").get()

    with pytest.raises(ProposalError, match="Choose the platform"):
        roster_proposal_accept(proposal=proposal, user=None)

    assert not Commitment.objects.exists()
    proposal.refresh_from_db()
    assert proposal.state == State.OPEN


def test_accepting_left_records_a_follow_up_that_rates_nothing(alliance, site, reviewer):
    tiktok = make_platform("TikTok")
    pledge = make_commitment(
        tiktok, "TikTok joins", initiative=alliance, kind=Commitment.Kind.MEMBERSHIP
    )
    status = pledge.status
    read()
    site.serve("/members", members_page("Snap Inc."), "text/html")
    read()

    roster_proposal_accept(proposal=proposals(kind=Kind.LEFT).get(), user=reviewer)

    follow_up = pledge.follow_ups.get()
    assert follow_up.status_after == ""
    assert "no longer listed" in follow_up.summary
    assert follow_up.citations.get().source == alliance.roster_source
    pledge.refresh_from_db()
    assert pledge.status == status


def test_a_decided_proposal_cannot_be_accepted_again(alliance, site):
    snap = make_platform("Snapchat")
    read()
    proposal = proposals(name="Snap Inc.").get()
    roster_proposal_accept(proposal=proposal, user=None, platform=snap)

    with pytest.raises(ProposalError, match="decided already"):
        roster_proposal_accept(proposal=proposal, user=None, platform=snap)
    assert Commitment.objects.count() == 1


# The admin -------------------------------------------------------------------------------


def test_an_editor_accepts_a_proposal_on_its_page(client, editor, alliance, site):
    snap = make_platform("Snapchat")
    read()
    proposal = proposals(name="Snap Inc.").get()
    log_in(client, editor)
    url = reverse("admin:commitments_rosterproposal_change", args=[proposal.pk])
    assertContains(client.get(url), "Accept")

    response = client.post(
        url, {"decision": "accept", "platform": str(snap.pk), "decision_note": ""}
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == State.ACCEPTED
    assert proposal.commitment.platform == snap


def test_dismissing_without_a_note_is_a_form_error(client, editor, alliance, site):
    read()
    proposal = proposals(name="TikTok").get()
    log_in(client, editor)
    url = reverse("admin:commitments_rosterproposal_change", args=[proposal.pk])

    response = client.post(url, {"decision": "dismiss", "decision_note": ""})

    assertContains(response, "Say why it is dismissed.")
    proposal.refresh_from_db()
    assert proposal.state == State.OPEN


def test_a_refused_acceptance_says_why_and_changes_nothing(client, editor, alliance, site):
    snap = make_platform("Snapchat")  # "Snap Inc." does not match it by name
    make_commitment(
        snap,
        "Snapchat is listed as a member of WeProtect Global Alliance",
        initiative=alliance,
        kind=Commitment.Kind.MEMBERSHIP,
        published=False,
    )
    read()
    proposal = proposals(name="Snap Inc.").get()
    log_in(client, editor)
    url = reverse("admin:commitments_rosterproposal_change", args=[proposal.pk])

    response = client.post(
        url, {"decision": "accept", "platform": str(snap.pk), "decision_note": ""}, follow=True
    )

    assertContains(response, "Snapchat already has a pledge to WeProtect Global Alliance recorded")
    proposal.refresh_from_db()
    assert proposal.state == State.OPEN
    assert Commitment.objects.count() == 1
    assert not PlatformAlias.objects.exists()


def test_the_queue_lists_open_proposals_for_staff(client, editor, alliance, site):
    read()
    log_in(client, editor)

    response = client.get(reverse("admin:commitments_rosterproposal_changelist"))

    assertContains(response, "TikTok")
    assertContains(response, "Snap Inc.")


def test_snapshot_sources_reads_the_rosters_too(alliance, site, capsys):
    call_command("snapshot_sources", "--timeout", "5")

    assert RosterSnapshot.objects.exists()
    assert "Rosters: 1 read, 1 changed, 2 proposals made." in capsys.readouterr().out
