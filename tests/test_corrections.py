"""The public's "Suggest a correction or new evidence" form and the staff queue it feeds
(commitments/public/corrections.py, commitments/curation/submissions.py)."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from commitments.curation.submissions import LIMITS, TOO_MANY, client_key
from commitments.models import Submission
from tests.factories import add_follow_up, content_of
from tests.staff_login import log_in
from tests.test_public_leaks import MACHINE, PAGES, url_for

CANARY = "SUBMISSION-LEAK-CANARY"
SOURCE = "https://www.example.org/report-on-teen-accounts"


def form_url(commitment=None) -> str:
    if commitment is None:
        return reverse("commitments:correction")
    return reverse("commitments:commitment_correction", args=[commitment.slug])


def send(client, url, **fields):
    data = {"what_is_wrong": "The feature was switched off in 2025.", "source_url": SOURCE}
    data.update(fields)
    return client.post(url, data)


def test_every_pledge_page_links_to_its_form(client, commitment):
    page = client.get(reverse("commitments:detail", args=[commitment.slug]))
    assertContains(page, f'href="{form_url(commitment)}">Suggest a correction or new evidence')
    assertContains(client.get(form_url(commitment)), commitment.title)


def test_a_visitor_sends_a_correction_and_is_told_what_happens_next(client, commitment):
    response = send(client, form_url(commitment), email="reader@example.org")

    assertRedirects(response, reverse("commitments:correction_sent"))
    submission = Submission.objects.get()
    assert submission.commitment == commitment
    assert submission.state == Submission.State.NEW
    assert submission.email == "reader@example.org"
    assert submission.client_key == client_key("127.0.0.1") != "127.0.0.1"
    sent = client.get(reverse("commitments:correction_sent"))
    assertContains(sent, "Nothing you sent appears on the site until staff act on it.")


def test_a_general_correction_needs_no_pledge(client, db):
    send(client, form_url())
    assert Submission.objects.get().commitment is None


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"what_is_wrong": ""}, "This field is required."),
        ({"what_is_wrong": "x" * 4001}, "Ensure this value has at most 4000 characters"),
        ({"source_url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"source_url": "ftp://example.org/file"}, "http"),
        (
            {"source_url": "https://me:secret@example.org/"},
            "Remove the user name and password from the address.",
        ),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"website": "https://spam.example"}, "was filled in"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(client, commitment, fields, error):
    response = send(client, form_url(commitment), **fields)

    assert response.status_code == 400
    assertContains(response, error, status_code=400)
    assert not Submission.objects.exists()


def test_a_draft_pledge_has_no_form(client, commitment):
    commitment.published = False
    commitment.save()
    assert client.get(form_url(commitment)).status_code == 404
    assert send(client, form_url(commitment)).status_code == 404
    assert not Submission.objects.exists()


def test_one_client_is_throttled_and_told_so(client, commitment):
    limit = LIMITS[0][0]
    for _ in range(limit):
        assert send(client, form_url(commitment)).status_code == 302

    response = send(client, form_url(commitment))

    assert response.status_code == 429
    assertContains(response, TOO_MANY.split(":")[0], status_code=429)
    assert Submission.objects.count() == limit
    # Another client is not held back.
    other = Client(REMOTE_ADDR="127.0.0.2")
    assert send(other, form_url(commitment)).status_code == 302


def test_the_form_refuses_a_post_without_its_csrf_token(commitment):
    strict = Client(enforce_csrf_checks=True)
    assert send(strict, form_url(commitment)).status_code == 403
    assert not Submission.objects.exists()


@pytest.fixture
def submitted(client, commitment):
    send(client, form_url(commitment), what_is_wrong=CANARY, email="canary@example.org")
    return Submission.objects.get()


@pytest.mark.parametrize(("address", "status", "shows_published"), PAGES + MACHINE)
def test_a_submission_leaks_nowhere_public(client, submitted, address, status, shows_published):
    url = url_for(address, submitted.commitment.slug)
    body = content_of(client.get(url)).decode()
    assert CANARY not in body and "canary@example.org" not in body, url


# The staff queue --------------------------------------------------------------------------


def decide(client, submission, **fields):
    url = reverse("admin:commitments_submission_change", args=[submission.pk])
    data = {"state": submission.state, "follow_up": "", "rejection_reason": ""}
    data.update(fields)
    return client.post(url, data)


def test_staff_see_the_source_as_text_not_a_link(client, editor, submitted):
    log_in(client, editor)
    page = client.get(reverse("admin:commitments_submission_change", args=[submitted.pk]))
    assertContains(page, f"<code>{SOURCE}</code>")
    assert f'href="{SOURCE}"' not in page.content.decode()


def test_staff_reject_with_a_reason_only(client, editor, submitted):
    log_in(client, editor)

    refused = decide(client, submitted, state="rejected")
    assertContains(refused, "Say why it was rejected.")
    decide(client, submitted, state="rejected", rejection_reason="The source says otherwise.")

    submitted.refresh_from_db()
    assert (submitted.state, submitted.decided_by) == ("rejected", editor)


def test_staff_accept_into_a_follow_up_of_the_same_pledge(client, editor, submitted, platform):
    log_in(client, editor)
    refused = decide(client, submitted, state="accepted")
    assertContains(refused, "Choose the follow-up it was accepted into")

    follow_up = add_follow_up(submitted.commitment, summary="Switched off in 2025.")
    response = decide(client, submitted, state="accepted", follow_up=str(follow_up.pk))

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.state, submitted.follow_up) == ("accepted", follow_up)


def test_nobody_adds_a_submission_in_the_admin(client, reviewer):
    log_in(client, reviewer)
    assert client.get(reverse("admin:commitments_submission_add")).status_code == 403
