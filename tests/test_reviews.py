"""The tracker's reviews (commitments/models/reviews.py): shown by date, place and role, a
review resets the follow-up clock and resolves an overdue flag, but it is not evidence:
it moves no status and does not count as follow-up."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from commitments.curation.reviews import review_record, reviews_delete
from commitments.followup import flagging
from commitments.followup.flagging import commitments_flag
from commitments.models import Commitment, Flag, FollowUpRule, Review, Status
from tests.admin_forms import add_inline_row, page_data
from tests.clock import TODAY
from tests.factories import make_commitment
from tests.staff_login import log_in

DAY = datetime.timedelta(days=1)


def refreshed(commitment: Commitment) -> Commitment:
    commitment.refresh_from_db()
    return commitment


def review(commitment, user, on=TODAY, **fields) -> Review:
    fields.setdefault("searched", "the platform's newsroom and transparency centre")
    return review_record(review=Review(commitment=commitment, reviewed_on=on, **fields), user=user)


@pytest.fixture
def overdue(platform):
    return make_commitment(
        platform, "Overdue pledge", kind="membership", announced_on=TODAY - 400 * DAY
    )


def test_a_review_resets_the_clock_but_is_not_evidence(overdue, editor):
    rule = FollowUpRule.objects.get(kind="membership")
    assert refreshed(overdue).follow_up_overdue

    review(overdue, editor, on=TODAY - 2 * DAY)

    pledge = refreshed(overdue)
    assert pledge.last_reviewed_on == TODAY - 2 * DAY
    assert pledge.follow_up_due_on == TODAY - 2 * DAY + rule.interval_days * DAY
    assert not pledge.follow_up_overdue
    assert pledge.status == Status.ANNOUNCED
    assert pledge.latest_follow_up_on is None
    assert Commitment.objects.lacking_follow_up().filter(pk=pledge.pk).exists()


def test_a_review_resolves_the_overdue_flag_and_says_so(overdue, editor):
    commitments_flag(today=TODAY)
    review(overdue, editor)

    commitments_flag(today=TODAY)

    flag = Flag.objects.get(commitment=overdue, reason="overdue")
    assert flag.resolution == flagging.REVIEWED


def test_deleting_the_only_review_puts_the_clock_back(overdue, reviewer):
    recorded = review(overdue, reviewer)
    reviews_delete(reviews=[recorded], user=reviewer)

    pledge = refreshed(overdue)
    assert pledge.last_reviewed_on is None
    assert pledge.follow_up_overdue


def test_the_page_shows_the_newest_review_by_role_not_name(client, overdue, editor, reviewer):
    editor.username = "jo-bloggs"
    editor.save()
    review(overdue, reviewer, on=TODAY - 30 * DAY, found="a new policy page, recorded below")
    review(overdue, editor, on=TODAY - DAY)

    page = client.get(reverse("commitments:detail", args=[overdue.slug]))

    assertContains(
        page,
        "Reviewed 24 November 2026 by an Editor: no new evidence found in the platform&#x27;s "
        "newsroom and transparency centre.",
    )
    assertNotContains(page, "a new policy page")
    assertNotContains(page, "jo-bloggs")


def test_a_pledge_never_reviewed_says_so(client, overdue):
    page = client.get(reverse("commitments:detail", args=[overdue.slug]))
    assertContains(page, "Not yet reviewed by the tracker since it was recorded.")


def test_a_review_cannot_be_dated_in_the_future(overdue):
    with pytest.raises(ValidationError, match="future"):
        Review(
            commitment=overdue, reviewed_on=datetime.date.today() + DAY, searched="x"
        ).full_clean()


def test_staff_record_a_review_on_the_commitment_page(client, editor, overdue):
    log_in(client, editor)
    url = reverse("admin:commitments_commitment_change", args=[overdue.pk])
    data = page_data(client.get(url))
    add_inline_row(
        data,
        "reviews",
        reviewed_on=(TODAY - DAY).isoformat(),
        searched="the platform's help centre",
        found="no new evidence found",
    )

    response = client.post(url, data)

    assert response.status_code == 302
    recorded = Review.objects.get()
    assert (recorded.reviewed_by, recorded.role) == (editor, Review.Role.EDITOR)
    assert refreshed(overdue).last_reviewed_on == TODAY - DAY
