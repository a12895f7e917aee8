"""The rules of the records, checked where forms meet them (`full_clean()`) and, where a
named constraint holds them, where the database does (a direct save or update)."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, FieldError, ValidationError
from django.db import IntegrityError, transaction
from django.forms import modelform_factory

from commitments.dates import DatePrecision
from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Initiative,
    Platform,
    Source,
)

ANNOUNCED_ON = datetime.date(2020, 6, 22)  # the `commitment` fixture's announcement
DAY_BEFORE_ANNOUNCEMENT = datetime.date(2020, 6, 21)
MID_MARCH_2020 = datetime.date(2020, 3, 17)
FIRST_OF_MARCH_2020 = datetime.date(2020, 3, 1)
FIRST_OF_JANUARY_2020 = datetime.date(2020, 1, 1)
FIRST_REPORT_ON = datetime.date(2021, 1, 15)

SOURCE_URL = "https://newsroom.tiktok.com/en-gb/tiktok-joins-weprotect"  # the fixture's

EFFECTIVE_BEFORE_ANNOUNCED = "commitment_effective_not_before_announced"
AGE_BAND_VALID = "commitment_age_band_valid"
CITES_EXACTLY_ONE_RECORD = "citation_cites_exactly_one_record"


def new_commitment(platform, **fields) -> Commitment:
    """An unsaved commitment that passes every rule until `fields` break one."""
    values = {
        "platform": platform,
        "kind": Commitment.Kind.POLICY,
        "title": "Teen accounts are private by default",
        "announced_on": ANNOUNCED_ON,
    }
    return Commitment(**(values | fields))


def add_follow_up(commitment, happened_on, status_after="") -> FollowUp:
    return FollowUp.objects.create(
        commitment=commitment,
        happened_on=happened_on,
        kind=FollowUp.Kind.PROGRESS_REPORT,
        summary="The platform reported on its progress.",
        status_after=status_after,
    )


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        instance.full_clean()
    return raised.value.message_dict


# Effective date and announcement ------------------------------------------------------


def test_it_refuses_an_effective_date_before_the_announcement(platform):
    pledge = new_commitment(platform, effective_on=DAY_BEFORE_ANNOUNCEMENT)

    assert errors_of(pledge)[NON_FIELD_ERRORS] == [
        "The effective date cannot be before the date the commitment was announced."
    ]


def test_it_accepts_an_effective_date_on_the_day_of_the_announcement(platform):
    new_commitment(platform, effective_on=ANNOUNCED_ON).full_clean()


def test_the_database_refuses_a_new_commitment_effective_before_its_announcement(platform):
    with pytest.raises(IntegrityError, match=EFFECTIVE_BEFORE_ANNOUNCED), transaction.atomic():
        new_commitment(platform, effective_on=DAY_BEFORE_ANNOUNCEMENT).save()

    assert Commitment.objects.count() == 0


def test_the_database_refuses_an_update_making_the_effective_date_precede_the_announcement(
    commitment,
):
    with pytest.raises(IntegrityError, match=EFFECTIVE_BEFORE_ANNOUNCED), transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk).update(effective_on=DAY_BEFORE_ANNOUNCEMENT)

    assert Commitment.objects.get(pk=commitment.pk).effective_on is None


# Age band -----------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "age"), [("age_min", -1), ("age_max", 22), ("age_min", 22)])
def test_it_refuses_an_age_outside_0_to_21(platform, field, age):
    assert field in errors_of(new_commitment(platform, **{field: age}))


def test_it_refuses_an_age_band_whose_lower_age_is_above_the_upper(platform):
    pledge = new_commitment(platform, age_min=16, age_max=13)

    assert errors_of(pledge)[NON_FIELD_ERRORS] == [
        "The age band must lie within 0–21, with the lower age not above the upper."
    ]


@pytest.mark.parametrize(("age_min", "age_max"), [(0, 21), (13, 13), (None, 17), (13, None)])
def test_it_accepts_an_age_band_within_0_to_21(platform, age_min, age_max):
    new_commitment(platform, age_min=age_min, age_max=age_max).full_clean()


@pytest.mark.parametrize(("age_min", "age_max"), [(16, 13), (13, 22), (22, None)])
def test_the_database_refuses_an_age_band_beyond_21_or_upside_down(platform, age_min, age_max):
    with pytest.raises(IntegrityError, match=AGE_BAND_VALID), transaction.atomic():
        new_commitment(platform, age_min=age_min, age_max=age_max).save()

    assert Commitment.objects.count() == 0


def test_the_database_refuses_a_negative_age(platform):
    with pytest.raises(IntegrityError), transaction.atomic():
        new_commitment(platform, age_min=-1).save()

    assert Commitment.objects.count() == 0


def test_the_database_refuses_an_update_turning_the_age_band_upside_down(commitment):
    with pytest.raises(IntegrityError, match=AGE_BAND_VALID), transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk).update(age_min=16, age_max=13)

    stored = Commitment.objects.get(pk=commitment.pk)
    assert (stored.age_min, stored.age_max) == (None, None)


# One pledge, held once ----------------------------------------------------------------


def duplicate_of(commitment, **fields) -> Commitment:
    values = {
        "initiative": commitment.initiative,
        "kind": commitment.kind,
        "title": commitment.title,
    }
    return new_commitment(commitment.platform, **(values | fields))


def test_it_refuses_a_second_commitment_of_one_kind_and_title_for_one_initiative(commitment):
    assert errors_of(duplicate_of(commitment))[NON_FIELD_ERRORS] == [
        "This platform already has a commitment of this kind with this title for this initiative."
    ]


def test_the_database_refuses_a_second_commitment_for_one_initiative(commitment):
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate_of(commitment).save()

    assert Commitment.objects.count() == 1


def test_it_refuses_a_second_commitment_of_one_kind_and_title_without_an_initiative(
    commitment,
):
    duplicate_of(commitment, initiative=None).save()

    assert errors_of(duplicate_of(commitment, initiative=None))[NON_FIELD_ERRORS] == [
        "This platform already has a commitment of this kind with this title."
    ]


def test_the_database_refuses_a_second_commitment_without_an_initiative(commitment):
    duplicate_of(commitment, initiative=None).save()

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate_of(commitment, initiative=None).save()

    assert Commitment.objects.count() == 2


@pytest.mark.parametrize(
    "difference",
    [
        {"initiative": None},
        {"kind": Commitment.Kind.ENDORSEMENT},
        {"title": "TikTok renews its WeProtect membership"},
    ],
)
def test_it_accepts_a_commitment_that_differs_in_initiative_kind_or_title(commitment, difference):
    duplicate_of(commitment, **difference).full_clean()


def test_it_accepts_the_same_pledge_for_another_initiative(commitment):
    other = Initiative.objects.create(name="Tech Coalition", kind=Initiative.Kind.ALLIANCE)

    duplicate_of(commitment, initiative=other).full_clean()


# Sources: one address, one source -----------------------------------------------------


def test_a_source_address_is_stored_normalised(db):
    saved = Source.objects.create(url="HTTPS://Example.ORG:443/Report#page-2", title="A report")

    assert Source.objects.get(pk=saved.pk).url == "https://example.org/Report"


@pytest.mark.parametrize(
    "spelling",
    [
        "https://NewsRoom.TikTok.com/en-gb/tiktok-joins-weprotect",
        "https://newsroom.tiktok.com/en-gb/tiktok-joins-weprotect#top",
        "HTTPS://newsroom.tiktok.com:443/en-gb/tiktok-joins-weprotect",
    ],
)
def test_it_refuses_a_source_whose_address_differs_only_in_host_case_or_fragment(source, spelling):
    assert errors_of(Source(url=spelling, title="Again"))["url"] == [
        "Source with this URL already exists."
    ]


def test_the_database_refuses_a_second_spelling_of_a_source_address(source):
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(url=SOURCE_URL.replace("tiktok.com", "TikTok.com") + "#top")

    assert Source.objects.count() == 1


def test_it_accepts_a_source_whose_address_differs_in_the_path_case(source):
    Source(url=SOURCE_URL.replace("en-gb", "EN-GB"), title="Another").full_clean()


@pytest.mark.parametrize("url", ["https://example.org:99999/", "https://example.org:abc/"])
def test_it_refuses_a_source_address_with_an_impossible_port_as_a_form_error(db, url):
    assert "url" in errors_of(Source(url=url, title="A report"))


# Web addresses are http or https ------------------------------------------------------

WEB_ADDRESS_FIELDS = [
    (Source, {"title": "A report"}, "url"),
    (Source, {"url": "https://example.org/report", "title": "A report"}, "archived_url"),
    (Platform, {"name": "Roblox"}, "website"),
    (Initiative, {"name": "Tech Coalition", "kind": Initiative.Kind.ALLIANCE}, "url"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "values", "field"), WEB_ADDRESS_FIELDS)
@pytest.mark.parametrize(
    "address", ["ftp://example.org/report.pdf", "javascript:alert(1)", "mailto:a@example.org"]
)
def test_it_refuses_a_web_address_that_is_not_http_or_https(model, values, field, address):
    errors = errors_of(model(**values, **{field: address}))

    assert "Enter a web address that starts with http:// or https://." in errors[field]


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "values", "field"), WEB_ADDRESS_FIELDS)
def test_it_accepts_an_https_web_address(model, values, field):
    model(**values, **{field: "https://example.org/about"}).full_clean()


# Citations ----------------------------------------------------------------------------


@pytest.fixture
def follow_up(commitment):
    return add_follow_up(commitment, FIRST_REPORT_ON)


def test_it_refuses_a_citation_that_cites_nothing(source):
    errors = errors_of(Citation(source=source))

    assert CITES_EXACTLY_ONE_RECORD in errors[NON_FIELD_ERRORS][0]


def test_it_refuses_a_citation_that_cites_two_records(source, commitment, initiative):
    errors = errors_of(Citation(source=source, commitment=commitment, initiative=initiative))

    assert CITES_EXACTLY_ONE_RECORD in errors[NON_FIELD_ERRORS][0]


@pytest.mark.parametrize("cited", ["commitment", "follow_up", "initiative"])
def test_it_accepts_a_citation_of_exactly_one_record(request, source, cited):
    Citation(source=source, **{cited: request.getfixturevalue(cited)}).full_clean()


@pytest.mark.parametrize("cited", [(), ("commitment", "follow_up"), ("follow_up", "initiative")])
def test_the_database_refuses_a_citation_of_none_or_two_records(request, source, cited):
    records = {name: request.getfixturevalue(name) for name in cited}
    before = Citation.objects.count()

    with pytest.raises(IntegrityError, match=CITES_EXACTLY_ONE_RECORD), transaction.atomic():
        Citation.objects.create(source=source, **records)

    assert Citation.objects.count() == before


# Scope: worldwide or named countries --------------------------------------------------


def test_it_refuses_countries_for_a_worldwide_pledge(platform):
    errors = errors_of(new_commitment(platform, worldwide=True, countries="GB"))

    assert errors["countries"] == [
        "Leave the countries empty for a worldwide pledge, or untick worldwide."
    ]


@pytest.mark.parametrize("countries", ["GB", "GB, IE", "GB,IE,FR"])
def test_it_accepts_country_codes_for_a_pledge_that_is_not_worldwide(platform, countries):
    new_commitment(platform, worldwide=False, countries=countries).full_clean()


@pytest.mark.parametrize(
    "countries", ["gb", "GBR", "G", "GB;IE", "GB IE", "GB,", "United Kingdom", "GB,  IE"]
)
def test_it_refuses_anything_but_comma_separated_two_letter_country_codes(platform, countries):
    errors = errors_of(new_commitment(platform, worldwide=False, countries=countries))

    assert errors["countries"] == [
        "List two-letter country codes separated by commas, like GB, IE."
    ]


# Partial dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("precision", "stored", "shown"),
    [
        (DatePrecision.DAY, MID_MARCH_2020, "17 March 2020"),
        (DatePrecision.MONTH, FIRST_OF_MARCH_2020, "March 2020"),
        (DatePrecision.YEAR, FIRST_OF_JANUARY_2020, "2020"),
    ],
)
def test_a_partial_announcement_date_is_stored_as_the_first_day_and_shown_as_known(
    platform, precision, stored, shown
):
    pledge = new_commitment(platform, announced_on=MID_MARCH_2020, announced_precision=precision)
    pledge.full_clean()
    pledge.save()

    pledge = Commitment.objects.get(pk=pledge.pk)
    assert pledge.announced_on == stored
    assert pledge.announced_display == shown


def test_a_month_precise_effective_date_is_stored_as_the_first_of_the_month(platform):
    pledge = new_commitment(
        platform,
        announced_on=FIRST_OF_JANUARY_2020,
        effective_on=MID_MARCH_2020,
        effective_precision=DatePrecision.MONTH,
    )
    pledge.full_clean()

    assert pledge.effective_on == FIRST_OF_MARCH_2020
    assert pledge.effective_display == "March 2020"


@pytest.mark.parametrize(
    ("model", "values", "date_field", "precision_field"),
    [
        (Source, {"url": "https://e.org/", "title": "R"}, "published_on", "published_precision"),
        (Initiative, {"name": "T", "kind": "alliance"}, "founded_on", "founded_precision"),
    ],
)  # fmt: skip
def test_other_partial_dates_are_truncated_by_clean_too(
    db, model, values, date_field, precision_field
):
    instance = model(**values, **{date_field: MID_MARCH_2020, precision_field: "month"})

    instance.full_clean()

    assert getattr(instance, date_field) == FIRST_OF_MARCH_2020


def test_a_follow_up_date_is_truncated_by_clean(commitment):
    report = FollowUp(
        commitment=commitment,
        happened_on=MID_MARCH_2020,
        happened_precision=DatePrecision.YEAR,
        kind=FollowUp.Kind.STATEMENT,
        summary="A statement.",
    )
    report.full_clean()

    assert report.happened_on == FIRST_OF_JANUARY_2020
    assert report.happened_display == "2020"


# Status is not for forms ---------------------------------------------------------------


def test_the_status_is_not_a_field_of_a_commitment_form():
    assert "status" not in modelform_factory(Commitment, fields="__all__")().fields
    with pytest.raises(FieldError, match="non-editable"):
        modelform_factory(Commitment, fields=["title", "status"])


# Slugs --------------------------------------------------------------------------------


def test_a_commitment_slug_is_made_from_a_title_that_names_the_platform(commitment):
    assert commitment.slug == "tiktok-joins-the-weprotect-global-alliance"


def test_a_commitment_slug_is_prefixed_with_the_platform_when_the_title_lacks_it(commitment):
    other = duplicate_of(commitment, title="Joins the Tech Coalition")
    other.save()

    assert other.slug == "tiktok-joins-the-tech-coalition"


def test_a_commitment_slug_that_is_taken_gets_a_numbered_suffix(commitment):
    second = duplicate_of(commitment, initiative=None)
    second.save()
    third = duplicate_of(commitment, kind=Commitment.Kind.ENDORSEMENT)
    third.save()

    assert second.slug == f"{commitment.slug}-2"
    assert third.slug == f"{commitment.slug}-3"


def test_a_commitment_slug_stays_put_when_the_title_is_edited(commitment):
    slug = commitment.slug

    commitment.title = "TikTok renews its WeProtect membership"
    commitment.save()

    assert Commitment.objects.get(pk=commitment.pk).slug == slug


def test_a_long_title_makes_a_slug_that_fits_its_field(platform):
    title = "A very long pledge title " * 10
    first = new_commitment(platform, title=title)
    first.save()
    second = new_commitment(platform, title=title, kind=Commitment.Kind.FUNDING)
    second.save()

    max_length = Commitment._meta.get_field("slug").max_length
    assert len(first.slug) <= max_length
    assert len(second.slug) <= max_length
    assert second.slug.endswith("-2")


def test_a_platform_slug_is_made_from_its_name_and_kept_unique(db):
    assert Platform.objects.create(name="Roblox").slug == "roblox"
    assert Platform.objects.create(name="ROBLOX!").slug == "roblox-2"


# Queries ------------------------------------------------------------------------------


@pytest.fixture
def draft(platform):
    """An unpublished pledge with no source of its own."""
    return Commitment.objects.create(
        platform=platform,
        kind=Commitment.Kind.PRODUCT_CHANGE,
        title="Teen accounts are private by default",
        announced_on=ANNOUNCED_ON,
    )


def test_published_gives_only_the_commitments_shown_to_the_public(commitment, draft):
    assert list(Commitment.objects.published()) == [commitment]


def test_lacking_sources_gives_only_the_commitments_that_no_source_cites(commitment, draft):
    Citation.objects.create(commitment=commitment, source=Source.objects.create(
        url="https://example.org/second", title="A second source"
    ))  # fmt: skip

    assert list(Commitment.objects.lacking_sources()) == [draft]


def test_a_source_cited_only_by_a_follow_up_does_not_count_for_its_commitment(draft, source):
    Citation.objects.create(follow_up=add_follow_up(draft, FIRST_REPORT_ON), source=source)

    assert list(Commitment.objects.lacking_sources()) == [draft]


# Text ---------------------------------------------------------------------------------


def test_text_is_stored_exactly_as_entered(platform):
    markup = "<b>Tik & Tok</b>"
    pledge = new_commitment(platform, title=markup, summary=f"{markup} &amp; 'quotes' \"here\"")
    pledge.full_clean()
    pledge.save()

    stored = Commitment.objects.get(pk=pledge.pk)
    assert stored.title == markup
    assert stored.summary == f"{markup} &amp; 'quotes' \"here\""
    assert Platform.objects.create(name=markup).name == markup
    assert Platform.objects.get(name=markup).name == markup
