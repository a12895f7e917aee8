"""The platform's right of reply (commitments/models/replies.py): staff record when and how
a platform was asked; its pledge's page shows the clock, or the answer (a follow-up of kind
Platform's reply, with its source) and how long it took; its page lists open requests."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from commitments.curation.evidence import follow_up_record
from commitments.models import FollowUp, ReplyRequest
from tests.admin_forms import add_inline_row, page_data
from tests.clock import NOW
from tests.factories import add_follow_up
from tests.staff_login import log_in

ON_NOW = time_machine.travel(NOW, tick=False)  # 25 November 2026
ASKED_ON = datetime.date(2026, 10, 27)


def detail(client, commitment) -> str:
    return client.get(reverse("commitments:detail", args=[commitment.slug])).content.decode()


@ON_NOW
def test_staff_record_a_request_and_the_page_shows_the_clock(client, editor, commitment):
    log_in(client, editor)
    url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    data = page_data(client.get(url))
    add_inline_row(
        data, "reply_requests", asked_on="2026-10-27", how="by email to its press office"
    )

    assert client.post(url, data).status_code == 302
    assert ReplyRequest.objects.get().asked_by == editor

    client.logout()
    assertContains(
        client.get(reverse("commitments:detail", args=[commitment.slug])),
        "TikTok was asked on 27 October 2026 (by email to its press office); "
        "no answer after 29 days.",
    )
    platform_page = client.get(reverse("commitments:platform", args=["tiktok"]))
    assertContains(platform_page, "Open requests for its reply")
    assertContains(platform_page, "no answer after 29 days")


@ON_NOW
def test_an_answer_shows_with_how_long_it_took(client, commitment):
    reply = add_follow_up(
        commitment,
        happened_on=datetime.date(2026, 11, 10),
        kind=FollowUp.Kind.REPLY,
        summary="The platform says the report comes out in January.",
    )
    ReplyRequest.objects.create(
        commitment=commitment, asked_on=ASKED_ON, how="by email", answer=reply
    )

    page = detail(client, commitment)

    assert (
        "TikTok was asked on 27 October 2026 (by email) and answered on 10 November 2026, "
        f'14 days later: <a href="#follow-up-{reply.pk}">its reply</a>.'
    ) in page
    assert "no answer after" not in page
    platform_page = client.get(reverse("commitments:platform", args=["tiktok"]))
    assertContains(platform_page, "No request to TikTok is waiting for an answer.")


@pytest.mark.parametrize(
    "answer_fields, error",
    [
        ({"kind": FollowUp.Kind.STATEMENT}, "Choose a follow-up of kind Platform's reply."),
        ({"happened_on": datetime.date(2026, 10, 1)}, "dated before the platform was asked"),
    ],
)
def test_the_answer_must_be_a_reply_after_the_request(commitment, answer_fields, error):
    fields = {"kind": FollowUp.Kind.REPLY, "happened_on": datetime.date(2026, 11, 10)}
    answer = add_follow_up(commitment, **{**fields, **answer_fields})
    request = ReplyRequest(commitment=commitment, asked_on=ASKED_ON, how="email", answer=answer)
    with pytest.raises(ValidationError, match=error):
        request.full_clean()


def test_a_request_cannot_be_dated_in_the_future(commitment):
    later = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        ReplyRequest(commitment=commitment, asked_on=later, how="email").full_clean()


def test_a_draft_pledges_request_shows_nowhere(client, commitment):
    commitment.published = False
    commitment.save()
    ReplyRequest.objects.create(commitment=commitment, asked_on=ASKED_ON, how="CANARY-HOW")
    assertNotContains(client.get(reverse("commitments:platform", args=["tiktok"])), "CANARY-HOW")


@ON_NOW
def test_an_answer_drafted_as_a_rating_is_not_shown_until_approved(client, commitment, editor):
    reply = follow_up_record(
        follow_up=FollowUp(
            commitment=commitment,
            happened_on=datetime.date(2026, 11, 10),
            kind=FollowUp.Kind.REPLY,
            summary="We have finished the work.",
            status_after="delivered",
        ),
        user=editor,
    )
    ReplyRequest.objects.create(
        commitment=commitment, asked_on=ASKED_ON, how="by email", answer=reply
    )

    page = detail(client, commitment)

    assert "no answer after 29 days" in page
    assert f"#follow-up-{reply.pk}" not in page
    platform_page = client.get(reverse("commitments:platform", args=["tiktok"]))
    assertContains(platform_page, "no answer after 29 days")
