"""Every date a person enters stays within bounds (commitments/dates.py) that the admin's
forms, the importer and the database all hold, so that no date, and no due date reckoned
from one, can be too large for a page to show."""

import datetime

import pytest
from django.core.management import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains

from commitments.dates import LATEST_DATE
from commitments.models import Commitment, FollowUpRule, Initiative, Review, Source
from commitments.models.flags import MAX_DAYS
from commitments.refresh import commitments_refresh
from tests.admin_forms import page_data
from tests.factories import make_commitment
from tests.staff_login import log_in
from tests.test_importer import counts, run_import, small_dataset, write


def change_url(obj) -> str:
    return reverse(f"admin:commitments_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("announced_on", "9999-12-31", "Enter a date no later than 2099."),
        ("announced_on", "1989-12-31", "Enter a date from 1990 on."),
        ("deadline", "2100-01-01", "Enter a date no later than 2099."),
        ("effective_on", "9999-12-31", "Enter a date no later than 2099."),
    ],
)
def test_an_editor_cannot_save_a_pledge_dated_outside_the_bounds(
    client, editor, commitment, field, value, error
):
    log_in(client, editor)
    data = page_data(client.get(change_url(commitment)))
    data[field] = value

    response = client.post(change_url(commitment), data)

    assertContains(response, error)
    commitment.refresh_from_db()
    assert commitment.announced_on == datetime.date(2020, 6, 22)
    assert commitment.deadline is None and commitment.effective_on is None


@pytest.mark.parametrize(
    "model, field",
    [
        (Commitment, "announced_on"),
        (Commitment, "deadline"),
        (Source, "published_on"),
        (Initiative, "founded_on"),
    ],
)
def test_the_database_refuses_a_date_outside_the_bounds(commitment, model, field):
    row = model.objects.first()
    with pytest.raises(IntegrityError, match=f"{model._meta.model_name}_{field}_in_range"):
        with transaction.atomic():
            model.objects.filter(pk=row.pk).update(**{field: datetime.date(9999, 12, 31)})


def test_an_initiative_may_have_launched_before_1990(initiative):
    initiative.founded_on = datetime.date(1984, 6, 13)  # NCMEC's founding
    initiative.full_clean()
    initiative.save()


def test_the_latest_date_with_the_longest_interval_and_grace_still_shows_everywhere(
    client, platform
):
    FollowUpRule.objects.filter(kind=Commitment.Kind.POLICY).update(grace_days=MAX_DAYS)
    pledge = make_commitment(platform, announced_on=LATEST_DATE, follow_up_interval_days=MAX_DAYS)
    Review.objects.create(commitment=pledge, reviewed_on=LATEST_DATE, role="reviewer")
    commitments_refresh(commitments=[pledge.pk])
    pledge.refresh_from_db()
    assert pledge.flag_from == LATEST_DATE + datetime.timedelta(days=2 * MAX_DAYS)

    for url in [
        "/",
        "/commitments/",
        f"/commitments/{pledge.slug}/",
        "/api/commitments/",
        "/feeds/commitments.atom",
        f"/platforms/{platform.slug}/",
        "/commitments.csv",
        "/commitments.json",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert pledge.title.encode() in body, url


@pytest.mark.django_db
@pytest.mark.parametrize(
    "where, value, reason",
    [
        ("announced_on", "9999-12-31", "9999-12-31 is outside the range 1990-2099"),
        ("announced_on", "1989", "1989-01-01 is outside the range 1990-2099"),
        ("announced_on", "２０２０", "is not a date"),
        ("happened_on", "2100-01", "2100-01-01 is outside the range 1990-2099"),
    ],
)
def test_the_importer_refuses_a_date_outside_the_bounds_and_writes_nothing(
    tmp_path, where, value, reason
):
    data = small_dataset()
    pledge = data["commitments"][0]
    if where == "happened_on":
        pledge["follow_ups"][0]["happened_on"] = value
    else:
        pledge[where] = value
    before = counts()

    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, data))

    assert f"{where}': " in str(error.value) and reason in str(error.value)
    assert counts() == before
