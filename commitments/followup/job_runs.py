"""Bookkeeping for the scheduled jobs: each run is recorded in JobRun, which /healthz
reads to tell whether every job has succeeded recently enough."""

import contextlib

from django.utils import timezone

from commitments.models import JobRun


@contextlib.contextmanager
def recorded_run(job: str):
    """Wraps one run of `job`. The block may set `run.last_summary` to say what it did.
    A failure is recorded and raised again."""
    now = timezone.now()
    run, _ = JobRun.objects.get_or_create(job=job, defaults={"first_started_at": now})
    JobRun.objects.filter(pk=run.pk).update(last_started_at=now)
    try:
        yield run
    except Exception as error:
        JobRun.objects.filter(pk=run.pk).update(
            last_failed_at=timezone.now(), last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    JobRun.objects.filter(pk=run.pk).update(
        last_succeeded_at=timezone.now(), last_summary=run.last_summary, last_error=""
    )
