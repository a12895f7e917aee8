"""Celery tasks: thin wrappers that record each run (commitments/followup/job_runs.py) around the
set-based work in commitments/followup/flagging.py and commitments/followup/link_health.py,
and the monthly release (commitments/releases/making.py).

Tasks carry no state: the database is the record of what is due, so a task lost with a
worker or a Redis outage is made good by the next scheduled run.
"""

from celery import shared_task

from commitments.followup.job_runs import recorded_run


@shared_task
def flag_commitments() -> str:
    from commitments.followup.flagging import commitments_flag

    with recorded_run("flag_commitments") as run:
        run.last_summary = commitments_flag().summary()
    return run.last_summary


@shared_task
def snapshot_sources() -> str:
    from commitments.followup.rosters import rosters_read
    from commitments.followup.snapshots import sources_snapshot

    with recorded_run("snapshot_sources") as run:
        run.last_summary = f"{sources_snapshot().summary()} {rosters_read().summary()}".strip()
    return run.last_summary


@shared_task
def check_sources() -> str:
    from commitments.followup.flagging import commitments_flag
    from commitments.followup.link_health import sources_check

    with recorded_run("check_sources") as run:
        checked = sources_check()
        # A source that has just failed for the third time flags its pledges now, and
        # one that answers again resolves them, rather than at the next flag run.
        run.last_summary = f"{checked.summary()} Flags: {commitments_flag().summary()}"
    return run.last_summary


@shared_task
def make_release() -> str:
    from commitments.releases.making import release_make

    with recorded_run("make_release") as run:
        run.last_summary = release_make().summary()
    return run.last_summary


@shared_task
def refresh_planner_statistics() -> str:
    from commitments.planner_statistics import planner_statistics_refresh

    with recorded_run("refresh_planner_statistics") as run:
        run.last_summary = planner_statistics_refresh()
    return run.last_summary
