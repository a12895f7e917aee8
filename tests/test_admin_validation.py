"""Every rule broken through the admin is a form error on the page, and changes nothing."""

import datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from commitments.curation.publishing import NEEDS_SOURCE
from commitments.models import Citation, Commitment, Platform, Source
from tests.admin_forms import add_inline_row, inline_prefixes, new_pledge_data, page_data
from tests.staff_login import log_in

AGE_BAND_ERROR = "The age band must lie within 0–21, with the lower age not above the upper."


def add_url(model: str) -> str:
    return reverse(f"admin:commitments_{model}_add")


def change_url(obj) -> str:
    return reverse(f"admin:commitments_{obj._meta.model_name}_change", args=[obj.pk])


def get_page(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return page_data(response)


@pytest.fixture
def logged_in(client, reviewer):
    log_in(client, reviewer)
    return client


def test_the_commitment_add_page_has_its_inlines(logged_in):
    response = logged_in.get(add_url("commitment"))

    assert inline_prefixes(response) == ["citations", "follow_ups", "reviews", "reply_requests"]


def test_a_reviewer_adds_a_published_commitment_with_its_source(logged_in, platform, source):
    data = new_pledge_data(logged_in, platform, published="on")
    add_inline_row(data, "citations", source=str(source.pk), quote="Aged 16 and over")

    response = logged_in.post(add_url("commitment"), data)

    assert response.status_code == 302
    pledge = Commitment.objects.get(title="Direct messages off for under-16s")
    assert pledge.published
    assert list(pledge.citations.values_list("source", "quote")) == [
        (source.pk, "Aged 16 and over")
    ]


def test_effective_date_before_announced_is_a_form_error(logged_in, commitment):
    data = get_page(logged_in, change_url(commitment))
    data["effective_on"] = "2020-06-01"
    history_before = commitment.history.count()

    response = logged_in.post(change_url(commitment), data)

    assertContains(
        response,
        "The effective date cannot be before the date the commitment was announced.",
    )
    commitment.refresh_from_db()
    assert commitment.effective_on is None
    assert commitment.history.count() == history_before


@pytest.mark.parametrize(
    "age_min, age_max, error",
    [
        ("-1", "", "Ensure this value is greater than or equal to 0."),
        ("", "22", "Ensure this value is less than or equal to 21."),
        ("16", "13", AGE_BAND_ERROR),
    ],
)
def test_age_band_outside_0_to_21_or_upside_down_is_a_form_error(
    logged_in, commitment, age_min, age_max, error
):
    data = get_page(logged_in, change_url(commitment))
    data.update(age_min=age_min, age_max=age_max)

    response = logged_in.post(change_url(commitment), data)

    assertContains(response, error)
    commitment.refresh_from_db()
    assert (commitment.age_min, commitment.age_max) == (None, None)


def test_countries_of_a_worldwide_pledge_is_a_form_error(logged_in, commitment):
    data = get_page(logged_in, change_url(commitment))
    data.update(worldwide="on", countries="GB")

    response = logged_in.post(change_url(commitment), data)

    assertContains(response, "Leave the countries empty for a worldwide pledge")
    commitment.refresh_from_db()
    assert commitment.countries == ""


@pytest.mark.parametrize(
    "url, error",
    [
        ("ftp://example.org/report.pdf", "Enter a web address that starts with http://"),
        ("javascript:alert(1)", "Enter a valid URL."),
        (
            "https://editor:secret@intranet.example/admin/",
            "Remove the user name and password from the address.",
        ),
    ],
)
def test_source_url_must_be_http_or_https(logged_in, url, error):
    data = get_page(logged_in, add_url("source"))
    data.update(url=url, title="A report")

    response = logged_in.post(add_url("source"), data)

    assertContains(response, error)
    assert not Source.objects.exists()


@pytest.mark.parametrize("url", ["ftp://tiktok.com/", "javascript:alert(1)"])
def test_platform_website_must_be_http_or_https(logged_in, platform, url):
    data = get_page(logged_in, change_url(platform))
    data["website"] = url

    response = logged_in.post(change_url(platform), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["website"]
    platform.refresh_from_db()
    assert platform.website == ""


@pytest.mark.parametrize(
    "spelling",
    [
        "https://NewsRoom.TikTok.com/en-gb/tiktok-joins-weprotect",
        "https://newsroom.tiktok.com/en-gb/tiktok-joins-weprotect#top",
        "HTTPS://newsroom.tiktok.com:443/en-gb/tiktok-joins-weprotect",
    ],
)
def test_a_source_url_differing_only_in_spelling_is_a_duplicate(logged_in, source, spelling):
    data = get_page(logged_in, add_url("source"))
    data.update(url=spelling, title="The same page again")

    response = logged_in.post(add_url("source"), data)

    assertContains(response, "Source with this URL already exists.")
    assert list(Source.objects.values_list("title", flat=True)) == [source.title]


def test_the_same_pledge_twice_for_an_initiative_is_a_form_error(logged_in, commitment, source):
    data = new_pledge_data(
        logged_in,
        commitment.platform,
        initiative=str(commitment.initiative.pk),
        kind=commitment.kind,
        title=commitment.title,
    )
    add_inline_row(data, "citations", source=str(source.pk))

    response = logged_in.post(add_url("commitment"), data)

    assertContains(
        response,
        "This platform already has a commitment of this kind with this title for this initiative.",
    )
    assert Commitment.objects.count() == 1
    assert Citation.objects.count() == 1


def test_the_same_pledge_twice_without_an_initiative_is_a_form_error(logged_in, platform):
    Commitment.objects.create(
        platform=platform,
        kind=Commitment.Kind.POLICY,
        title="Direct messages off for under-16s",
        announced_on=datetime.date(2020, 4, 16),
    )
    data = new_pledge_data(logged_in, platform)

    response = logged_in.post(add_url("commitment"), data)

    assertContains(response, "This platform already has a commitment of this kind with this title.")
    assert Commitment.objects.count() == 1


def test_publishing_a_new_commitment_without_a_source_is_a_form_error(logged_in, platform):
    data = new_pledge_data(logged_in, platform, published="on")

    response = logged_in.post(add_url("commitment"), data)

    assertContains(response, NEEDS_SOURCE)
    assert not Commitment.objects.exists()


def test_removing_the_last_source_of_a_published_commitment_is_a_form_error(logged_in, commitment):
    data = get_page(logged_in, change_url(commitment))
    data["citations-0-DELETE"] = "on"

    response = logged_in.post(change_url(commitment), data)

    assertContains(response, NEEDS_SOURCE)
    assert commitment.citations.count() == 1


def test_a_blank_citation_row_does_not_count_as_a_source(logged_in, platform):
    data = new_pledge_data(logged_in, platform, published="on")
    add_inline_row(data, "citations", source="", quote="")

    response = logged_in.post(add_url("commitment"), data)

    assertContains(response, NEEDS_SOURCE)
    assert not Commitment.objects.exists()


def test_a_platform_cannot_be_its_own_parent(logged_in, platform):
    data = get_page(logged_in, change_url(platform))
    data["parent"] = str(platform.pk)

    response = logged_in.post(change_url(platform), data)

    assertContains(response, "A platform cannot be its own parent")
    platform.refresh_from_db()
    assert platform.parent is None


def test_deleting_a_platform_with_commitments_is_refused_not_a_crash(logged_in, commitment):
    url = reverse("admin:commitments_platform_delete", args=[commitment.platform.pk])

    response = logged_in.post(url, {"post": "yes"})

    assertContains(response, "would require deleting the following protected related objects")
    assert Platform.objects.filter(pk=commitment.platform.pk).exists()
