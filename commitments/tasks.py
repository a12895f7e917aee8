"""Celery tasks: thin wrappers that record each run (commitments/followup/job_runs.py) around the
set-based work in commitments/followup/flagging.py and commitments/followup/link_health.py.

Tasks carry no state: the database is the record of what is due, so a task lost with a
worker or a Redis outage is made good by the next scheduled run.
"""

from celery import shared_task

from commitments.followup.job_runs import recorded_run


@shared_task
def flag_commitments() -> str:
    from commitments.followup.flagging import flag_commitments as run_flagging

    with recorded_run("flag_commitments") as run:
        run.last_summary = run_flagging().summary()
    return run.last_summary


@shared_task
def check_sources() -> str:
    from commitments.followup.flagging import flag_commitments as run_flagging
    from commitments.followup.link_health import check_sources as run_checks

    with recorded_run("check_sources") as run:
        checked = run_checks()
        # A source that has just failed for the third time flags its pledges now, and
        # one that answers again resolves them, rather than at the next flag run.
        run.last_summary = f"{checked.summary()} Flags: {run_flagging().summary()}"
    return run.last_summary
