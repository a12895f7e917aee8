"""A worker killed in the middle of an SMTP conversation loses no reminder and doubles
none: real Redis, real Celery workers in their own processes, a real SMTP server."""

import datetime
import time
from pathlib import Path

import pytest
from django.db.models import F

from reminders import sending, tasks
from reminders.models import Reminder
from tests import processes
from tests.processes import kill, wait_until
from tests.reminders.helpers import flagged, person
from tracker.celery import app

pytestmark = [
    processes.needs_test_services,
    pytest.mark.django_db(transaction=True),
]


def start_worker(log_path: Path, smtp_port: int):
    """A worker that sends through this test's SMTP server."""
    return processes.start_worker(log_path, **processes.smtp_env(smtp_port, EMAIL_TIMEOUT="60"))


def count(status: str) -> int:
    return Reminder.objects.filter(status=status).count()


def test_a_worker_killed_mid_send_loses_no_reminder_and_doubles_none(platform, smtp, tmp_path):
    owners = [person(f"owner{n}") for n in range(3)]
    for owner in owners:
        flagged(platform, f"{owner.username}'s pledge", owner=owner)
    app.control.purge()  # nothing left over in the queue from another test
    smtp.stall = True
    tasks.send_reminders()  # three rows, three deliveries queued in Redis
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_worker(first_log, smtp.port)
    second = None
    try:
        wait_until(smtp.stalled.is_set, "SMTP conversation", first_log)
        assert count("sending") == 1
        kill(first)
        smtp.stall = False

        second = start_worker(second_log, smtp.port)
        wait_until(lambda: count("sent") == 2, "delivery of the other two", second_log)
        # The killed worker's row stays claimed until the sweeper takes it back.
        assert count("sending") == 1
        # The claim timeout passes (moved into the past rather than waited for).
        expired = sending.claim_timeout() + datetime.timedelta(seconds=1)
        Reminder.objects.filter(status="sending").update(claimed_at=F("claimed_at") - expired)
        assert sending.reminders_release_expired() == 1
        assert tasks.queue_due_reminders() == 1
        wait_until(lambda: count("sent") == 3, "delivery after the sweep", second_log)
        time.sleep(2)  # time for a doubled message to arrive, were there one
    finally:
        kill(first)
        if second is not None:
            kill(second)

    assert sorted(message["To"] for message in smtp.messages) == [
        "owner0@example.org",
        "owner1@example.org",
        "owner2@example.org",
    ]
    assert {message["Message-ID"] for message in smtp.messages} == set(
        Reminder.objects.values_list("message_id", flat=True)
    )
