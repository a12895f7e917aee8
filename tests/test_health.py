"""/healthz: the database, Redis (the real one of scripts/with-test-services) and the last
success of each scheduled job."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from commitments.models import JobRun
from tests.clock import NOW
from tests.processes import free_port
from tests.staff_login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def succeeded(job: str, ago: datetime.timedelta, **fields) -> JobRun:
    return JobRun.objects.create(
        job=job, last_started_at=NOW - ago, last_succeeded_at=NOW - ago, **fields
    )


def test_healthy_when_everything_answers_and_every_job_ran(client):
    succeeded("flag_commitments", datetime.timedelta(hours=20))
    succeeded("check_sources", datetime.timedelta(hours=30))
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert (body["status"], body["database"], body["redis"]) == ("ok", "ok", "ok")
    assert body["jobs"]["flag_commitments"]["state"] == "ok"
    assert body["jobs"]["flag_commitments"]["period_seconds"] == 24 * 3600


def test_a_job_not_yet_run_is_waiting_not_failing(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["jobs"]["check_sources"]["state"] == "waiting"


def test_503_when_a_job_has_not_succeeded_in_twice_its_period(client):
    succeeded("flag_commitments", datetime.timedelta(hours=49), last_error="secret: dsn=...")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["jobs"]["flag_commitments"]["state"] == "late"
    assert b"secret" not in response.content


def test_a_job_that_only_ever_failed_is_late_after_two_periods(client):
    # It fails every day: each attempt is recent, but the first was three days ago.
    JobRun.objects.create(
        job="check_sources",
        first_started_at=NOW - datetime.timedelta(days=3),
        last_started_at=NOW - datetime.timedelta(hours=2),
        last_failed_at=NOW - datetime.timedelta(hours=2),
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["jobs"]["check_sources"]["state"] == "late"


def test_a_job_that_failed_once_on_its_first_day_is_still_waiting(client):
    JobRun.objects.create(
        job="check_sources",
        first_started_at=NOW - datetime.timedelta(hours=5),
        last_started_at=NOW - datetime.timedelta(hours=5),
        last_failed_at=NOW - datetime.timedelta(hours=5),
    )
    assert client.get("/healthz").json()["jobs"]["check_sources"]["state"] == "waiting"


def test_reviewers_may_edit_the_schedules(client, reviewer):
    log_in(client, reviewer)
    task = PeriodicTask.objects.get(name="Flag commitments")
    page = client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' in page.content.decode()  # a form to save, not a read-only view
    assert reviewer.has_perm("django_celery_beat.change_periodictask")


def test_the_period_comes_from_the_schedule_staff_set(client):
    weekly, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="8",
        day_of_week="1",
        day_of_month="*",
        month_of_year="*",
        timezone=timezone.get_current_timezone_name(),
    )
    PeriodicTask.objects.filter(name="Flag commitments").update(crontab=weekly)
    succeeded("flag_commitments", datetime.timedelta(days=10))
    body = client.get("/healthz").json()
    assert body["jobs"]["flag_commitments"] == {
        "state": "ok",
        "last_succeeded_at": (NOW - datetime.timedelta(days=10)).isoformat(),
        "period_seconds": 7 * 24 * 3600,
    }


def test_a_disabled_schedule_is_not_checked(client):
    PeriodicTask.objects.filter(name="Flag commitments").update(enabled=False)
    succeeded("flag_commitments", datetime.timedelta(days=30))
    response = client.get("/healthz")
    assert "flag_commitments" not in response.json()["jobs"]


def test_503_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "unreachable"
    assert response.json()["database"] == "ok"


def test_a_job_on_two_schedules_is_held_to_the_more_frequent(client):
    # Migration reminders/0002: weekly digests on Mondays, daily ones every day.
    succeeded("send_reminders", datetime.timedelta(days=3))
    body = client.get("/healthz").json()
    assert body["jobs"]["send_reminders"]["period_seconds"] == 24 * 3600
    assert body["jobs"]["send_reminders"]["state"] == "late"


def test_celerys_own_cleanup_task_is_not_one_of_the_jobs(client):
    # celery beat adds it by itself; it records no run, so it would wait for ever.
    PeriodicTask.objects.create(
        name="celery.backend_cleanup",
        task="celery.backend_cleanup",
        crontab=CrontabSchedule.objects.first(),
    )
    assert "backend_cleanup" not in client.get("/healthz").json()["jobs"]
