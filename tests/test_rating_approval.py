"""Editors draft ratings; a rating is public, and moves the status, only once a Reviewer
approves it (by saving it, by the approve action, or by importing a file). The page says
who rated it, by role, and when."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from commitments.curation.evidence import follow_up_change, follow_up_record
from commitments.models import Commitment, FollowUp, Status
from tests.admin_forms import add_inline_row, message_texts, page_data
from tests.clock import NOW
from tests.factories import add_follow_up, content_of, make_source
from tests.staff_login import log_in
from tests.test_public_leaks import MACHINE, PAGES, url_for

DRAFT_WORDS = "DRAFT-RATING-CANARY"


def refreshed(commitment: Commitment) -> Commitment:
    commitment.refresh_from_db()
    return commitment


def draft_rating(commitment, editor, status=Status.DELIVERED, summary=DRAFT_WORDS) -> FollowUp:
    follow_up = follow_up_record(
        follow_up=FollowUp(
            commitment=commitment,
            happened_on=datetime.date(2026, 11, 2),
            kind=FollowUp.Kind.STATEMENT,
            summary=summary,
            status_after=status,
        ),
        user=editor,
    )
    follow_up.citations.create(source=make_source())
    return follow_up


def post_follow_up(client, commitment, source, **fields):
    add = reverse("admin:commitments_followup_add")
    data = page_data(client.get(add))
    data.update(
        commitment=str(commitment.pk),
        happened_on="2026-11-02",
        happened_precision="day",
        kind=FollowUp.Kind.STATEMENT,
        summary="The platform says the feature is live.",
        status_after=Status.DELIVERED,
    )
    data.update(fields)
    add_inline_row(data, "citations", source=str(source.pk))
    return client.post(add, data)


def approve(client, *follow_ups):
    changelist = reverse("admin:commitments_followup_changelist")
    return client.post(
        changelist,
        {"action": "approve_selected", "_selected_action": [f.pk for f in follow_ups]},
        follow=True,
    )


def test_an_editors_rating_is_a_draft_that_moves_nothing(client, editor, commitment, source):
    log_in(client, editor)

    response = post_follow_up(client, commitment, source)

    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.is_draft and follow_up.approved_by is None
    pledge = refreshed(commitment)
    assert pledge.status == Status.ANNOUNCED
    assert pledge.latest_follow_up_on is None  # a draft is not yet evidence the public sees
    listed = client.get(reverse("admin:commitments_followup_changelist"), {"rating": "draft"})
    assertContains(listed, "Draft: public once a Reviewer approves it")


def test_a_reviewer_approves_a_draft_and_the_page_says_who_rated_it_and_when(
    client, editor, reviewer, commitment
):
    follow_up = draft_rating(commitment, editor)
    log_in(client, reviewer)

    with time_machine.travel(NOW, tick=False):
        response = approve(client, follow_up)

    assert "Approved 1 rating: now public." in message_texts(response)
    follow_up.refresh_from_db()
    assert (follow_up.approved_by, follow_up.approved_at) == (reviewer, NOW)
    assert follow_up.history.order_by("-history_id").first().history_user == reviewer
    assert refreshed(commitment).status == Status.DELIVERED
    page = client.get(reverse("commitments:detail", args=[commitment.slug]))
    assertContains(page, DRAFT_WORDS)
    assertContains(
        page,
        f'Rated by a Reviewer on 25 November 2026, on the <a href="#follow-up-{follow_up.pk}">'
        "evidence of 2 November 2026</a>.",
    )
    assertNotContains(page, reviewer.username)


def test_an_editor_cannot_approve(client, editor, commitment):
    follow_up = draft_rating(commitment, editor)
    log_in(client, editor)

    page = client.get(reverse("admin:commitments_followup_changelist"))
    assertNotContains(page, "approve_selected")
    approve(client, follow_up)

    assert FollowUp.objects.get().is_draft
    assert refreshed(commitment).status == Status.ANNOUNCED


def test_a_reviewers_own_rating_is_public_when_saved(client, reviewer, commitment, source):
    log_in(client, reviewer)

    post_follow_up(client, commitment, source)

    follow_up = FollowUp.objects.get()
    assert not follow_up.is_draft and follow_up.approved_by == reviewer
    assert refreshed(commitment).status == Status.DELIVERED


def test_an_editor_changing_an_approved_rating_makes_it_a_draft_again(commitment, editor):
    earlier = add_follow_up(commitment, status_after=Status.IN_PROGRESS)
    newer = add_follow_up(
        commitment, happened_on=datetime.date(2026, 1, 1), status_after=Status.STALLED
    )
    assert refreshed(commitment).status == Status.STALLED

    newer.status_after = Status.DELIVERED
    follow_up_change(follow_up=newer, user=editor)

    assert FollowUp.objects.get(pk=newer.pk).is_draft
    # The public status falls back on the newest approved rating.
    assert refreshed(commitment).status == earlier.status_after


def test_an_editor_fixing_the_words_of_an_approved_rating_keeps_it_approved(commitment, editor):
    rating = add_follow_up(commitment, status_after=Status.IN_PROGRESS)
    rating.summary = "A progress report, with its typo fixed."
    follow_up_change(follow_up=rating, user=editor)

    assert not FollowUp.objects.get(pk=rating.pk).is_draft
    assert refreshed(commitment).status == Status.IN_PROGRESS


@pytest.fixture
def published_with_draft_rating(commitment, editor):
    add_follow_up(commitment, status_after=Status.IN_PROGRESS, summary="Approved progress.")
    draft_rating(commitment, editor)
    return refreshed(commitment)


@pytest.mark.parametrize(("address", "status", "shows_published"), PAGES + MACHINE)
def test_no_public_address_shows_a_draft_rating(
    client, published_with_draft_rating, address, status, shows_published
):
    pledge = published_with_draft_rating
    url = url_for(address, pledge.slug).replace("status=delivered", "status=in_progress")
    response = client.get(url)
    body = content_of(response).decode()

    assert DRAFT_WORDS not in body, f"{url} shows the draft rating"
    if pledge.slug in url:
        assert "Approved progress." in body or response.status_code == 404


def test_an_editor_moving_an_approved_rating_to_another_pledge_drafts_it(
    commitment, platform, editor
):
    other = Commitment.objects.create(
        platform=platform,
        kind=Commitment.Kind.POLICY,
        title="Another pledge",
        announced_on=commitment.announced_on,
        published=True,
    )
    rating = add_follow_up(commitment, status_after=Status.DELIVERED)

    rating.commitment = other
    follow_up_change(follow_up=rating, user=editor)

    assert FollowUp.objects.get(pk=rating.pk).is_draft
    # Neither pledge is rated by it until a Reviewer approves the move.
    assert refreshed(other).status == Status.ANNOUNCED
    assert refreshed(commitment).status == Status.ANNOUNCED
