"""A pledge and its evidence on one admin page (commitments/admin/pledges.py, citations.py,
dates.py); the flag's one form (flags.py); the schedules out of the sidebar (schedules.py)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from commitments.dates import DatePrecision
from commitments.models import Commitment, Flag, FollowUp, Source, Status
from commitments.models.evidence import NEEDS_SOURCE
from tests.admin_forms import (
    add_inline_row,
    management_form,
    message_texts,
    new_pledge_data,
    page_data,
)
from tests.clock import NOW, TODAY
from tests.factories import add_follow_up
from tests.staff_login import log_in

ADD = reverse("admin:commitments_commitment_add")


def change_url(obj) -> str:
    return reverse(f"admin:commitments_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def editor_client(client, editor):
    log_in(client, editor)
    return client


# A follow-up row that rates the pledge delivered, and so needs a source.
DELIVERED = {
    "happened_on": "2026-11",
    "kind": FollowUp.Kind.STATEMENT,
    "summary": "The platform says it is done.",
    "status_after": Status.DELIVERED,
}


def add_follow_up_row(data: dict, **fields) -> None:
    """A new follow-up row, with its (nested) sources' management form, as the page has."""
    add_inline_row(data, "follow_ups", **fields)
    index = int(data["follow_ups-TOTAL_FORMS"]) - 1
    data.update(management_form(f"follow_ups-{index}-citations"))


# One box for a date and its precision ----------------------------------------------------


@pytest.mark.parametrize(
    "typed, day, precision",
    [
        ("2021", datetime.date(2021, 1, 1), DatePrecision.YEAR),
        ("2021-03", datetime.date(2021, 3, 1), DatePrecision.MONTH),
        ("2021-03-05", datetime.date(2021, 3, 5), DatePrecision.DAY),
    ],
)
def test_a_date_box_takes_a_year_a_month_or_a_day(editor_client, platform, typed, day, precision):
    response = editor_client.post(ADD, new_pledge_data(editor_client, platform, announced_on=typed))

    assert response.status_code == 302
    pledge = Commitment.objects.get()
    assert (pledge.announced_on, pledge.announced_precision) == (day, precision)


def test_a_date_box_shows_the_date_as_precisely_as_it_is_known(editor_client, commitment):
    commitment.announced_precision = DatePrecision.MONTH
    commitment.announced_on = datetime.date(2020, 6, 1)
    commitment.save()

    response = editor_client.get(change_url(commitment))

    assertContains(response, 'name="announced_on" value="2020-06"')
    assertNotContains(response, 'name="announced_precision"')


@pytest.mark.parametrize("typed", ["March 2021", "2021-13", "2021-02-30", "1850"])
def test_a_date_that_cannot_be_read_is_a_form_error(editor_client, platform, typed):
    response = editor_client.post(ADD, new_pledge_data(editor_client, platform, announced_on=typed))

    assert response.status_code == 200
    assert "announced_on" in response.context["adminform"].form.errors
    assert not Commitment.objects.exists()


# A new source typed into the citation row ------------------------------------------------


def test_a_new_source_is_made_in_the_citation_row(editor_client, platform):
    data = new_pledge_data(editor_client, platform)
    add_inline_row(
        data,
        "citations",
        new_source_url="HTTPS://Example.org/report#top",
        new_source_title="The report",
        new_source_publisher="Example",
        new_source_published_on="2021-03",
        new_source_kind=Source.Kind.NEWS,
        quote="Off for under-16s.",
    )

    response = editor_client.post(ADD, data)

    assert response.status_code == 302
    citation = Commitment.objects.get().citations.get()
    source = citation.source
    assert (source.url, source.title, source.publisher, source.kind) == (
        "https://example.org/report",
        "The report",
        "Example",
        Source.Kind.NEWS,
    )
    assert (source.published_on, source.published_precision) == (
        datetime.date(2021, 3, 1),
        DatePrecision.MONTH,
    )
    assert citation.quote == "Off for under-16s."
    assert source.history.get().history_type == "+"


@pytest.mark.parametrize(
    "row, field, error",
    [
        ({"new_source_url": "ftp://example.org/x", "new_source_title": "X"}, "new_source_url",
         "Enter a web address that starts with http://"),
        ({"new_source_url": "https://example.org/x"}, "new_source_title", "required"),
        ({"new_source_url": "https://newsroom.tiktok.com/en-gb/tiktok-joins-weprotect",
          "new_source_title": "Again"}, "new_source_url", "recorded already"),
        ({"quote": "Words with no source"}, "source", "Choose a source, or type a new one"),
    ],
)  # fmt: skip
def test_a_bad_new_source_is_a_form_error_and_saves_nothing(
    editor_client, platform, source, row, field, error
):
    data = new_pledge_data(editor_client, platform)
    add_inline_row(data, "citations", **row)

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.forms[0].errors
    assert error in " ".join(errors[field]), errors
    assert not Commitment.objects.exists()
    assert Source.objects.count() == 1


def test_choosing_a_source_and_typing_a_new_one_is_a_form_error(editor_client, platform, source):
    data = new_pledge_data(editor_client, platform)
    add_inline_row(
        data, "citations", source=str(source.pk), new_source_url="https://example.org/other"
    )

    response = editor_client.post(ADD, data)

    assertContains(response, "Choose a source or type a new one, not both.")
    assert not Commitment.objects.exists()


def test_a_reviewer_publishes_a_pledge_whose_only_source_is_new(client, reviewer, platform):
    log_in(client, reviewer)
    data = new_pledge_data(client, platform, published="on")
    add_inline_row(
        data, "citations", new_source_url="https://example.org/new", new_source_title="New"
    )

    response = client.post(ADD, data)

    assert response.status_code == 302
    assert Commitment.objects.get().published


# A follow-up and its sources on the commitment's page ------------------------------------


def test_a_follow_up_and_its_new_source_are_recorded_on_the_commitment_page(
    editor_client, commitment
):
    data = page_data(editor_client.get(change_url(commitment)))
    add_follow_up_row(data, **DELIVERED)
    add_inline_row(
        data,
        "follow_ups-0-citations",
        new_source_url="https://example.org/done",
        new_source_title="Done",
    )

    response = editor_client.post(change_url(commitment), data)

    assert response.status_code == 302
    follow_up = commitment.follow_ups.get()
    assert (follow_up.happened_on, follow_up.happened_precision) == (
        datetime.date(2026, 11, 1),
        DatePrecision.MONTH,
    )
    assert follow_up.citations.get().source.url == "https://example.org/done"
    # An Editor's rating is a draft: the public status waits for a Reviewer.
    assert follow_up.is_draft
    commitment.refresh_from_db()
    assert commitment.status == Status.ANNOUNCED


def test_one_new_address_typed_in_two_rows_of_a_page_is_one_source(editor_client, platform):
    data = new_pledge_data(editor_client, platform)
    same = {"new_source_url": "https://example.org/both", "new_source_title": "Both"}
    add_inline_row(data, "citations", **same)
    add_follow_up_row(data, **DELIVERED)
    add_inline_row(data, "follow_ups-0-citations", **same)

    response = editor_client.post(ADD, data)

    assert response.status_code == 302
    source = Source.objects.get(url="https://example.org/both")
    pledge = Commitment.objects.get()
    assert pledge.citations.get().source == source
    assert pledge.follow_ups.get().citations.get().source == source


def test_a_rating_with_no_source_inside_it_is_a_form_error(editor_client, commitment):
    data = page_data(editor_client.get(change_url(commitment)))
    add_follow_up_row(data, **DELIVERED)

    response = editor_client.post(change_url(commitment), data)

    assertContains(response, escape(NEEDS_SOURCE), status_code=200)
    assert not FollowUp.objects.exists()


def test_removing_the_only_source_of_a_rating_is_a_form_error(client, reviewer, commitment):
    add_follow_up(commitment, status_after=Status.IN_PROGRESS)
    log_in(client, reviewer)  # Reviewers delete; Editors may not
    data = page_data(client.get(change_url(commitment)))
    data["follow_ups-0-citations-0-DELETE"] = "on"

    response = client.post(change_url(commitment), data)

    assertContains(response, escape(NEEDS_SOURCE))
    assert commitment.follow_ups.get().citations.exists()


def test_saving_a_follow_up_returns_to_its_commitment(editor_client, commitment):
    follow_up = add_follow_up(commitment)
    data = page_data(editor_client.get(change_url(follow_up)))
    data["summary"] = "An edited summary."

    saved = editor_client.post(change_url(follow_up), data)
    kept = editor_client.post(change_url(follow_up), {**data, "_continue": "1"})

    assert saved.status_code == 302 and saved["Location"] == change_url(commitment)
    assert kept["Location"] == change_url(follow_up)
    follow_up.refresh_from_db()
    assert follow_up.summary == "An edited summary."


# The flag's one form ---------------------------------------------------------------------


@pytest.fixture
def open_flag(commitment):
    with time_machine.travel(NOW, tick=False):
        yield Flag.objects.create(commitment=commitment, reason=Flag.Reason.OVERDUE)


def test_a_flag_is_resolved_with_one_post_of_its_page(editor_client, editor, open_flag):
    with time_machine.travel(NOW, tick=False):
        response = editor_client.post(
            change_url(open_flag), {"decision": "resolve", "note": "Asked the platform."}
        )

    assert response.status_code == 302
    open_flag.refresh_from_db()
    assert (open_flag.resolution, open_flag.resolved_by) == ("Asked the platform.", editor)
    assert open_flag.resolved_at is not None
    assert open_flag.commitment.title in message_texts(response)[0]


def test_a_flag_is_snoozed_with_one_post_of_its_page(editor_client, open_flag):
    until = TODAY + datetime.timedelta(days=30)
    with time_machine.travel(NOW, tick=False):
        response = editor_client.post(
            change_url(open_flag),
            {"decision": "snooze", "note": "Report due next month.", "until": until.isoformat()},
        )

    assert response.status_code == 302
    open_flag.refresh_from_db()
    assert (open_flag.snoozed_until, open_flag.snooze_reason) == (until, "Report due next month.")
    assert open_flag.resolved_at is None


@pytest.mark.parametrize(
    "post, field",
    [
        ({"decision": "resolve", "note": ""}, "note"),
        ({"decision": "snooze", "note": "Later."}, "until"),
        ({"decision": "snooze", "note": "Later.", "until": "2020-01-01"}, "until"),
        ({"decision": "resolve", "note": "Done.", "until": "2030-01-01"}, "until"),
        ({"note": "No button pressed."}, "decision"),
    ],
)
def test_a_flag_form_that_does_not_say_enough_changes_nothing(
    editor_client, open_flag, post, field
):
    with time_machine.travel(NOW, tick=False):
        response = editor_client.post(change_url(open_flag), post)

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    open_flag.refresh_from_db()
    assert (open_flag.resolved_at, open_flag.snoozed_until) == (None, None)


def test_the_queue_shows_due_date_days_overdue_status_last_evidence_and_owner(
    editor_client, editor, commitment
):
    add_follow_up(commitment, happened_on=datetime.date(2021, 4, 1))
    Commitment.objects.filter(pk=commitment.pk).update(
        owner=editor, follow_up_due_on=TODAY - datetime.timedelta(days=12)
    )
    Flag.objects.create(commitment=commitment, reason=Flag.Reason.OVERDUE)

    with time_machine.travel(NOW, tick=False):
        response = editor_client.get(reverse("admin:commitments_flag_changelist"))

    for cell in [
        '<td class="field-days_overdue">12</td>',
        '<td class="field-public_status">Announced, not yet rated</td>',
        '<td class="field-last_evidence">1 April 2021</td>',
        '<td class="field-owner">editor</td>',
    ]:
        assertContains(response, cell)
    assertContains(response, "field-due")


# The schedules ---------------------------------------------------------------------------


@pytest.fixture
def scheduler(db):
    """Staff who may change the jobs' schedules (the permissions of migration 0007)."""
    user = User.objects.create_user("scheduler", "s@example.org", "pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="django_celery_beat",
            codename__regex=r"^(view|change)_(periodictask|crontabschedule|intervalschedule)$",
        )
    )
    return user


def test_the_sidebar_lists_periodic_tasks_but_no_schedule_types(client, scheduler):
    log_in(client, scheduler)

    index = client.get(reverse("admin:index"))

    assertContains(index, "Periodic tasks")
    for name in ["Clocked", "Crontabs", "Intervals", "Solar events"]:
        assertNotContains(index, name)


def test_a_periodic_task_still_edits_its_crontab_and_interval(client, scheduler):
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    crontab = CrontabSchedule.objects.create(minute="0", hour="8")
    task = PeriodicTask.objects.create(name="digest", task="x", crontab=crontab)
    log_in(client, scheduler)

    page = client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]))
    schedule = client.get(
        reverse("admin:django_celery_beat_crontabschedule_change", args=[crontab.pk])
    )

    assert page.status_code == 200 and schedule.status_code == 200
    form = page.context["adminform"].form
    assert {"crontab", "interval"} <= set(form.fields)
    assert not {"clocked", "solar"} & set(form.fields)
    assertContains(page, 'id="change_id_crontab"')
