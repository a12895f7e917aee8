"""The Celery tasks (reminders/tasks.py), run in this process: Celery's eager `apply()`
runs a task's retries at once, so a retried delivery is seen to the end."""

import datetime
import logging

import pytest
from celery.exceptions import Retry
from django.utils import timezone
from kombu.exceptions import OperationalError

from commitments.models import JobRun
from reminders import sending, tasks
from reminders.models import Reminder
from tests.reminders.helpers import NOW, flagged, person


@pytest.fixture
def reminder(platform, editor):
    flagged(platform, "Pledge", owner=editor)
    sending.reminders_create(today=timezone.localdate())
    return Reminder.objects.get()  # due now


def test_451_twice_then_accepted_is_delivered_once_on_the_third_try(reminder, smtp):
    """In this process, with the clock given; tests/test_faults.py runs the same through
    a real worker and Redis."""
    smtp.replies = ["451 4.3.0 Try again later", "451 4.3.0 Try again later"]
    start = timezone.now()

    assert sending.reminder_deliver(reminder_id=reminder.pk, now=start).outcome == sending.RETRY
    # The backoff holds: a second delivery queued meanwhile does nothing.
    assert (
        sending.reminder_deliver(reminder_id=reminder.pk, now=start + later(30)).outcome
        == sending.NOT_CLAIMED
    )
    assert (
        sending.reminder_deliver(reminder_id=reminder.pk, now=start + later(61)).outcome
        == sending.RETRY
    )
    assert (
        sending.reminder_deliver(reminder_id=reminder.pk, now=start + later(61 + 119)).outcome
        == sending.NOT_CLAIMED
    )
    assert (
        sending.reminder_deliver(reminder_id=reminder.pk, now=start + later(61 + 121)).outcome
        == sending.SENT
    )

    assert len(smtp.messages) == 1
    assert len(smtp.refused) == 2
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 3)


def later(seconds: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=seconds)


def test_550_fails_the_reminder_without_a_retry(reminder, smtp):
    smtp.replies = ["550 5.7.1 Message rejected", "550 5.7.1 Message rejected"]

    result = tasks.deliver_reminder.apply(args=[reminder.pk])

    assert result.get() == sending.FAILED
    assert len(smtp.refused) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("failed", 1)


def test_a_temporary_error_retries_the_task_after_the_backoff(reminder, smtp, monkeypatch):
    countdowns = []

    def retry(countdown):
        countdowns.append(countdown)
        return Retry()

    monkeypatch.setattr(tasks.deliver_reminder, "retry", retry)
    smtp.replies = ["451 4.3.0 Try again later", "421 4.4.2 Closing"]

    with pytest.raises(Retry):
        tasks.deliver_reminder(reminder.pk)
    Reminder.objects.update(next_attempt_at=timezone.now())  # the backoff has passed
    with pytest.raises(Retry):
        tasks.deliver_reminder(reminder.pk)

    assert countdowns == [60, 120]


def test_send_reminders_makes_the_rows_and_queues_them_after_commit(
    platform, editor, reviewer, queued, django_capture_on_commit_callbacks
):
    flagged(platform, "Editor's", owner=editor)
    flagged(platform, "Nobody's")

    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.send_reminders()

    rows = Reminder.objects.all()
    assert sorted(queued) == sorted(row.pk for row in rows)
    assert {row.recipient for row in rows} == {editor, reviewer}
    assert summary == "2 new digests (2 recipients with flags); 2 queued"
    assert JobRun.objects.get(job="send_reminders").last_summary == summary


def test_send_reminders_of_one_frequency_leaves_the_other_alone(
    platform, editor, django_capture_on_commit_callbacks
):
    flagged(platform, "Editor's", owner=editor)  # editor has the default: weekly
    # This week's weekly run happened (before anything was flagged).
    JobRun.objects.create(job=sending.WEEKLY_ROWS_MADE, last_succeeded_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_reminders(frequency="daily")
    assert not Reminder.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_reminders(frequency="weekly")
    assert Reminder.objects.get().recipient == editor


def test_a_queue_that_is_down_is_logged_and_the_sweeper_queues_it_later(
    reminder, platform, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    flagged(platform, "Another", owner=person("another"))
    sending.reminders_create(today=timezone.localdate())
    tries = []

    def redis_down(reminder_id):
        tries.append(reminder_id)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_reminder, "delay", redis_down)

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        summary = tasks.sweep_reminders()

    assert summary == "0 expired claims released; 2 queued"
    assert "Could not queue 2 reminders; the sweeper will" in caplog.text
    assert len(tries) == 1  # no waiting on a dead broker once per row
    assert set(Reminder.objects.values_list("status", flat=True)) == {"pending"}
    assert JobRun.objects.get(job="sweep_reminders").last_error == ""


def monday_and_wednesday():
    import time_machine

    monday = datetime.datetime(2026, 11, 23, 8, tzinfo=datetime.UTC)
    wednesday = NOW
    return time_machine.travel(monday, tick=False), time_machine.travel(wednesday, tick=False)


def weekly_rows() -> list[str]:
    return list(Reminder.objects.filter(period__contains="-W").values_list("period", flat=True))


def test_a_missed_monday_run_is_made_good_by_the_next_daily_run(platform, editor, queued):
    flagged(platform, "Pledge", owner=editor)  # the editor gets weekly digests (default)
    _, wednesday = monday_and_wednesday()
    with wednesday:
        # Monday's weekly run never happened (beat or Redis down). Wednesday's daily run:
        tasks.send_reminders(frequency="daily")
        assert weekly_rows() == ["2026-W48"]
        # The next daily run, the same week, makes no second weekly digest.
        tasks.send_reminders(frequency="daily")
        assert weekly_rows() == ["2026-W48"]


def test_daily_runs_leave_weekly_digests_to_monday_when_it_ran(platform, editor, queued):
    monday, wednesday = monday_and_wednesday()
    with monday:
        tasks.send_reminders(frequency="weekly")  # nothing flagged yet: no rows
    flagged(platform, "Pledge", owner=editor)
    with wednesday:
        tasks.send_reminders(frequency="daily")
    assert weekly_rows() == []
