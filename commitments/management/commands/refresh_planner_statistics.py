from django.core.management.base import BaseCommand

from commitments.followup.job_runs import recorded_run


class Command(BaseCommand):
    help = (
        "Refresh the database's statistics for its query planner (ANALYZE), after a bulk "
        "load, say: SQLite has none until this runs. Changes no record. The same work as "
        "the daily task."
    )

    def handle(self, *args, **options):
        from commitments.planner_statistics import planner_statistics_refresh

        self.stdout.write("Analysing the database (a few seconds at a million pledges)…")
        with recorded_run("refresh_planner_statistics") as run:
            run.last_summary = planner_statistics_refresh()
        self.stdout.write(run.last_summary)
