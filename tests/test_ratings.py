"""A status is a rating a person gives on cited evidence: a follow-up that sets one cites
a source, and only an independent test or a regulator's finding rates a pledge verified or
falling short. Refused everywhere a follow-up is written: its admin page, the follow-up
rows of the commitment page, the importer, and the model's own validation."""

import copy
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from commitments.followup.flagging import commitments_flag
from commitments.models import Commitment, Flag, FollowUp, Status
from commitments.models.evidence import NEEDS_INDEPENDENT, NEEDS_SOURCE
from tests.admin_forms import add_inline_row, management_form, page_data
from tests.clock import TODAY
from tests.factories import add_follow_up, make_commitment
from tests.staff_login import log_in
from tests.test_importer import run_import, small_dataset, write


@pytest.fixture
def logged_in(client, reviewer):
    log_in(client, reviewer)
    return client


def follow_up_add_data(client, commitment, **fields) -> dict:
    response = client.get(reverse("admin:commitments_followup_add"))
    assert response.status_code == 200
    data = page_data(response)
    data.update(
        commitment=str(commitment.pk),
        happened_on="2026-11-02",
        happened_precision="day",
        kind=FollowUp.Kind.PROGRESS_REPORT,
        summary="The platform reported the feature live in the UK.",
    )
    data.update(fields)
    return data


def refreshed(commitment: Commitment) -> Commitment:
    commitment.refresh_from_db()
    return commitment


# The follow-up's own admin page --------------------------------------------------------


def test_a_follow_up_that_sets_a_status_without_a_source_is_a_form_error(logged_in, commitment):
    data = follow_up_add_data(logged_in, commitment, status_after=Status.DELIVERED)

    response = logged_in.post(reverse("admin:commitments_followup_add"), data)

    assertContains(response, escape(NEEDS_SOURCE))
    assert not FollowUp.objects.exists()
    assert refreshed(commitment).status == Status.ANNOUNCED


def test_a_follow_up_with_a_status_and_a_source_rates_the_pledge(logged_in, commitment, source):
    data = follow_up_add_data(logged_in, commitment, status_after=Status.DELIVERED)
    add_inline_row(data, "citations", source=str(source.pk))

    response = logged_in.post(reverse("admin:commitments_followup_add"), data)

    assert response.status_code == 302
    assert refreshed(commitment).status == Status.DELIVERED
    assert FollowUp.objects.get().citations.get().source == source


def test_evidence_that_sets_no_status_needs_no_source(logged_in, commitment):
    data = follow_up_add_data(logged_in, commitment, status_after="")

    response = logged_in.post(reverse("admin:commitments_followup_add"), data)

    assert response.status_code == 302
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize("status", [Status.VERIFIED, Status.FALLS_SHORT])
def test_only_independent_evidence_rates_verified_or_falls_short(
    logged_in, commitment, source, status
):
    data = follow_up_add_data(
        logged_in, commitment, kind=FollowUp.Kind.STATEMENT, status_after=status
    )
    add_inline_row(data, "citations", source=str(source.pk))

    response = logged_in.post(reverse("admin:commitments_followup_add"), data)

    assertContains(response, escape(NEEDS_INDEPENDENT.format(status=status.label.lower())))
    assert not FollowUp.objects.exists()

    data["kind"] = FollowUp.Kind.REGULATOR_FINDING
    response = logged_in.post(reverse("admin:commitments_followup_add"), data)
    assert response.status_code == 302
    assert refreshed(commitment).status == status


def test_removing_the_last_source_of_a_rating_is_a_form_error(logged_in, commitment):
    follow_up = add_follow_up(commitment, status_after=Status.IN_PROGRESS)
    url = reverse("admin:commitments_followup_change", args=[follow_up.pk])
    data = page_data(logged_in.get(url))
    data["citations-0-DELETE"] = "on"

    response = logged_in.post(url, data)

    assertContains(response, escape(NEEDS_SOURCE))
    assert follow_up.citations.count() == 1


# The follow-up rows of the commitment page ------------------------------------------------


def commitment_page(client, commitment) -> tuple[str, dict]:
    url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    return url, page_data(client.get(url))


def test_a_new_follow_up_row_cannot_set_a_status_it_has_no_source_for(logged_in, commitment):
    url, data = commitment_page(logged_in, commitment)
    add_inline_row(
        data,
        "follow_ups",
        happened_on="2026-11-02",
        kind=FollowUp.Kind.STATEMENT,
        summary="The platform says it is done.",
        status_after=Status.DELIVERED,
    )
    # Its sources' rows, nested inside it (none here).
    data.update(management_form("follow_ups-0-citations"))

    response = logged_in.post(url, data)

    assertContains(response, escape(NEEDS_SOURCE))
    assert not FollowUp.objects.exists()
    assert refreshed(commitment).status == Status.ANNOUNCED


def test_a_sourced_follow_up_row_may_change_its_status_there(logged_in, commitment):
    add_follow_up(commitment, status_after=Status.IN_PROGRESS)
    url, data = commitment_page(logged_in, commitment)
    data["follow_ups-0-status_after"] = Status.DELIVERED

    response = logged_in.post(url, data)

    assert response.status_code == 302
    assert refreshed(commitment).status == Status.DELIVERED


def test_an_older_unsourced_rating_does_not_block_the_rest_of_the_page(logged_in, commitment):
    # Recorded before the rule, without a source.
    add_follow_up(commitment, status_after=Status.IN_PROGRESS, with_source=False)
    url, data = commitment_page(logged_in, commitment)
    data["summary"] = "An edited summary."

    response = logged_in.post(url, data)

    assert response.status_code == 302
    assert refreshed(commitment).summary == "An edited summary."


# The model and the importer ---------------------------------------------------------------


def test_the_model_refuses_a_verified_rating_from_the_platforms_own_statement(commitment):
    follow_up = FollowUp(
        commitment=commitment,
        happened_on=datetime.date(2026, 11, 2),
        kind=FollowUp.Kind.STATEMENT,
        summary="We did it.",
        status_after=Status.VERIFIED,
    )
    with pytest.raises(ValidationError) as error:
        follow_up.full_clean()
    assert error.value.message_dict == {
        "status_after": [NEEDS_INDEPENDENT.format(status="verified")]
    }


def rated_without_source(data):
    data["commitments"][0]["follow_ups"][0]["sources"] = []


def verified_by_statement(data):
    follow_up = data["commitments"][0]["follow_ups"][0]
    follow_up.update(kind="statement", status_after="verified")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "breaks, field, reason",
    [
        (rated_without_source, "sources", NEEDS_SOURCE),
        (verified_by_statement, "status_after", NEEDS_INDEPENDENT.format(status="verified")),
    ],
)
def test_the_importer_refuses_a_rating_naming_record_and_field(tmp_path, breaks, field, reason):
    data = small_dataset()
    breaks(data)

    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, data))

    message = str(error.value)
    assert "Nothing was imported" in message
    assert (
        f"commitments[0] “TikTok joins the WeProtect Global Alliance”, "
        f"field 'follow_ups[0].{field}': {reason}"
    ) in message
    assert not Commitment.objects.exists() and not FollowUp.objects.exists()


@pytest.mark.django_db
def test_an_imported_rating_is_public_and_its_history_names_the_file(tmp_path, client, monkeypatch):
    write(tmp_path, small_dataset(), name="shipped-ratings.json")
    monkeypatch.chdir(tmp_path)
    run_import("shipped-ratings.json")

    pledge = Commitment.objects.get(title="TikTok joins the WeProtect Global Alliance")
    assert pledge.status == Status.IN_PROGRESS
    reasons = {
        *pledge.history.values_list("history_change_reason", flat=True),
        *FollowUp.history.values_list("history_change_reason", flat=True),
    }
    assert reasons == {"Imported from shipped-ratings.json"}
    page = client.get(reverse("commitments:detail", args=[pledge.slug]))
    assertContains(page, Status.IN_PROGRESS.label)


@pytest.mark.django_db
def test_a_long_file_name_is_cut_to_fit_the_history(tmp_path):
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    run_import(write(deep, copy.deepcopy(small_dataset())))

    reason = Commitment.history.values_list("history_change_reason", flat=True).first()
    assert len(reason) <= 100
    assert reason.startswith("Imported from …") and reason.endswith("/data.json")


def test_the_admin_shows_no_timer_lapse_setting(logged_in):
    response = logged_in.get(reverse("admin:commitments_followuprule_changelist"))
    assertNotContains(response, "lapse after")


def test_a_lapse_proposal_tells_the_reviewer_how_to_accept_or_dismiss_it(logged_in, platform):
    pledge = make_commitment(platform, "Past its deadline", deadline=datetime.date(2026, 6, 30))
    commitments_flag(today=TODAY)
    flag = Flag.objects.get(reason=Flag.Reason.LAPSE_PROPOSED)

    page = logged_in.get(reverse("admin:commitments_flag_change", args=[flag.pk]))

    add = reverse("admin:commitments_followup_add")
    assertContains(page, "Its own deadline (30 June 2026) has passed")
    assertContains(page, f'href="{add}?commitment={pledge.pk}&amp;status_after=lapsed"')
    form = logged_in.get(add, {"commitment": pledge.pk, "status_after": "lapsed"})
    assert form.context["adminform"].form.initial["status_after"] == "lapsed"
    assert refreshed(pledge).status == Status.ANNOUNCED


def test_reverting_a_follow_up_to_a_rating_it_has_no_source_for_is_refused(logged_in, commitment):
    follow_up = add_follow_up(commitment, status_after=Status.IN_PROGRESS)
    follow_up.status_after = ""
    follow_up.save()
    follow_up.citations.all().delete()
    rated_version = follow_up.history.filter(status_after=Status.IN_PROGRESS).first()
    revert = reverse(
        "admin:commitments_followup_simple_history", args=[follow_up.pk, rated_version.history_id]
    )

    response = logged_in.post(revert, page_data(logged_in.get(revert)))

    assertContains(response, escape(NEEDS_SOURCE))
    follow_up.refresh_from_db()
    assert follow_up.status_after == ""
