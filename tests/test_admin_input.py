"""Staff addresses and posts that cannot be a record (issue 11): a 404 or a 400 that says
why, never a 500, and nothing written."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from commitments.admin.inlines import MAX_INLINE_ROWS
from commitments.models import Citation, Commitment
from tests.admin_forms import page_data
from tests.staff_login import log_in


@pytest.fixture
def logged_in(client, reviewer):
    log_in(client, reviewer)
    return client


@pytest.mark.parametrize("model", ["commitment", "platform", "source", "initiative"])
@pytest.mark.parametrize("tail", ["history/abc/", "history/1.5/"])
def test_a_version_that_is_not_a_number_is_a_404(logged_in, commitment, model, tail):
    record = {
        "commitment": commitment,
        "platform": commitment.platform,
        "source": commitment.citations.get().source,
        "initiative": commitment.initiative,
    }[model]
    url = reverse(f"admin:commitments_{model}_change", args=[record.pk]).replace("change/", tail)

    assert logged_in.get(url).status_code == 404


def test_a_record_id_that_is_not_a_number_is_a_404_on_its_history(logged_in, commitment):
    assert logged_in.get("/admin/commitments/commitment/abc/history/").status_code == 404
    assert logged_in.get("/admin/commitments/followup/abc/history/1/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/admin/autocomplete/?app_label=commitments&model_name=commitment&field_name=platform"
        "&term=tik%00tok",
        "/admin/autocomplete/?app_label=commitments&model_name=followup&field_name=commitment"
        "&term=%00",
        "/admin/commitments/commitment/?q=%00",
    ],
)
def test_a_nul_in_a_staff_search_is_a_400_with_the_reason(logged_in, commitment, url):
    response = logged_in.get(url)
    assertContains(response, "NUL character", status_code=400)


def test_a_nul_in_a_posted_form_is_a_400_and_changes_nothing(logged_in, commitment):
    url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    data = page_data(logged_in.get(url))
    data["title"] = "Renamed\x00"

    response = logged_in.post(url, data)

    assertContains(response, "NUL character", status_code=400)
    commitment.refresh_from_db()
    assert commitment.title == "TikTok joins the WeProtect Global Alliance"


def test_a_forged_count_of_inline_rows_builds_no_more_than_the_cap(logged_in, commitment):
    url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    data = page_data(logged_in.get(url))
    data["citations-TOTAL_FORMS"] = "100000"
    history_before = commitment.history.count()

    response = logged_in.post(url, data)

    assert response.status_code == 200
    assertContains(response, f"Please submit at most {MAX_INLINE_ROWS} forms.")
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.prefix == "citations"
    )
    assert len(formset.forms) == MAX_INLINE_ROWS
    assert commitment.history.count() == history_before
    assert Citation.objects.filter(commitment=commitment).count() == 1
    assert Commitment.objects.count() == 1


@pytest.mark.parametrize("field", ["platform", "initiative", "owner", "people"])
def test_an_autocomplete_value_that_cannot_be_an_id_is_a_form_error(logged_in, commitment, field):
    # Django's autocomplete widget looked the posted value up to show the form again: "abc"
    # for a number raised, a 500 in place of the form's own error.
    url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    data = page_data(logged_in.get(url))
    data[field] = ["abc"] if field == "people" else "abc"

    response = logged_in.post(url, data)

    error = "is not a valid value" if field == "people" else "Select a valid choice"
    assertContains(response, error)
    commitment.refresh_from_db()
    assert commitment.platform.name == "TikTok" and commitment.owner is None


def test_a_follow_up_for_a_pledge_that_cannot_be_one_is_a_form_error(logged_in, commitment):
    url = reverse("admin:commitments_followup_add")
    data = page_data(logged_in.get(url))
    data.update(commitment=":", happened_on="2021-05-01", kind="statement", summary="Done.")

    response = logged_in.post(url, data)

    assertContains(response, "Select a valid choice")
    assert not commitment.follow_ups.exists()
