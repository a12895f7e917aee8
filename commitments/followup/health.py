"""/healthz: is the database answering, is Redis answering, and has each scheduled job
succeeded recently enough? 200 when all is well, 503 otherwise, with the details as JSON
for a monitor (or a person) to read. Nothing secret: no error texts, no addresses."""

import datetime

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_celery_beat.models import PeriodicTask

from commitments.models import JobRun

# A job may miss one run (a restart, a slow night) but not two.
PERIODS_ALLOWED = 2
OUR_TASKS = ("commitments.tasks.", "reminders.tasks.")


@never_cache
def healthz(request):
    checks = {"database": database_state(), "redis": redis_state()}
    jobs = job_states() if checks["database"] == "ok" else {}
    healthy = all(state == "ok" for state in checks.values()) and all(
        job["state"] != "late" for job in jobs.values()
    )
    return JsonResponse(
        {"status": "ok" if healthy else "failing", **checks, "jobs": jobs},
        status=200 if healthy else 503,
    )


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any failure to answer is the answer
        return "unreachable"
    return "ok"


def redis_state() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        return "unreachable"
    finally:
        client.close()
    return "ok"


def job_states(now: datetime.datetime | None = None) -> dict:
    """Each enabled schedule's job: "ok", "late" (no success in PERIODS_ALLOWED periods),
    or "waiting" (it has not had PERIODS_ALLOWED periods to run since it first started)."""
    now = now or timezone.now()
    runs = {run.job: run for run in JobRun.objects.all()}
    states = {}
    # Our jobs only: beat adds Celery's own (celery.backend_cleanup), which records no run.
    ours = PeriodicTask.objects.filter(
        Q(task__startswith=OUR_TASKS[0]) | Q(task__startswith=OUR_TASKS[1]), enabled=True
    )
    for task in ours.select_related("crontab", "interval"):
        job = task.task.rsplit(".", 1)[-1]
        period = schedule_period(task, now)
        if period is None:  # a one-off, clocked or solar schedule has no fixed period
            continue
        # One job on two schedules (weekly and daily digests): the more frequent counts.
        if job in states and states[job]["period_seconds"] <= period.total_seconds():
            continue
        run = runs.get(job)
        deadline = now - PERIODS_ALLOWED * period
        last_success = run.last_succeeded_at if run else None
        if last_success and last_success >= deadline:
            state = "ok"
        elif last_success is None and not (
            run and run.first_started_at and run.first_started_at < deadline
        ):
            state = "waiting"
        else:
            state = "late"
        states[job] = {
            "state": state,
            "last_succeeded_at": last_success.isoformat() if last_success else None,
            "period_seconds": int(period.total_seconds()),
        }
    return states


def schedule_period(task: PeriodicTask, now: datetime.datetime) -> datetime.timedelta | None:
    """The time between two runs of the task's schedule, as it stands now."""
    if task.one_off or not (task.interval or task.crontab):
        return None
    schedule = task.schedule
    if task.interval:
        return schedule.run_every
    # A crontab: from its next run to the one after. Celery counts both from the clock.
    to_next = schedule.remaining_estimate(now)
    to_the_one_after = schedule.remaining_estimate(now + to_next + datetime.timedelta(seconds=1))
    return datetime.timedelta(seconds=round((to_the_one_after - to_next).total_seconds()))
