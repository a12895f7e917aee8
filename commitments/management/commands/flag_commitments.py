from django.core.management.base import BaseCommand

from commitments.followup.job_runs import recorded_run


class Command(BaseCommand):
    help = (
        "Open flags for pledges past their follow-up date, published without a source, "
        "citing an unreachable source or past their own deadline (a proposed lapse, for a "
        "Reviewer to rate); resolve flags whose cause has gone. Changes no status. The same "
        "work as the scheduled task."
    )

    def handle(self, *args, **options):
        from commitments.followup.flagging import commitments_flag

        with recorded_run("flag_commitments") as run:
            run.last_summary = commitments_flag().summary()
        self.stdout.write(run.last_summary)
