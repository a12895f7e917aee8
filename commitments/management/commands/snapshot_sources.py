from django.core.management.base import BaseCommand, CommandError

from commitments.followup import snapshots
from commitments.followup.job_runs import recorded_run
from commitments.followup.rosters import rosters_read
from commitments.management.commands.check_sources import (
    MAX_CONCURRENCY,
    MAX_TIMEOUT,
    PROGRESS_EVERY,
    chosen_sources,
    plain,
)
from commitments.models import Initiative


class Command(BaseCommand):
    help = (
        "Keep each source's readable text (HTML, plain text or PDF; never images or media), "
        "a new version whenever it changed, and flag pledges whose quoted wording is no "
        "longer found; read initiatives' members pages into proposals. Sources marked "
        "sensitive are never read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source-id",
            type=int,
            nargs="+",
            dest="source_ids",
            metavar="N",
            help="read only these sources",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=snapshots.DEFAULT_TIMEOUT,
            metavar="S",
            help="the most seconds one source may spend on the network, redirects "
            f"included (default {snapshots.DEFAULT_TIMEOUT:g})",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=snapshots.DEFAULT_MAX_CONCURRENT,
            metavar="N",
            help="requests at once across all hosts; never more than one per host "
            f"(default {snapshots.DEFAULT_MAX_CONCURRENT})",
        )

    def handle(self, *args, source_ids, timeout, concurrency, verbosity, **options):
        if not 0 < timeout <= MAX_TIMEOUT:
            raise CommandError(f"--timeout must be more than 0 and at most {MAX_TIMEOUT} seconds.")
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise CommandError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}.")
        sources = chosen_sources(source_ids)
        if source_ids and sources.filter(sensitive=True).exists():
            raise CommandError(
                "Marked sensitive, so never read: source "
                + ", ".join(
                    str(pk) for pk in sources.filter(sensitive=True).values_list("pk", flat=True)
                )
                + "."
            )
        with recorded_run("snapshot_sources") as run:
            report = snapshots.sources_snapshot(
                sources=sources,
                timeout=timeout,
                max_concurrent=concurrency,
                progress=self.progress if verbosity > 0 else None,
            )
            # The rosters whose members page is among the sources read.
            rosters = rosters_read(
                initiatives=Initiative.objects.filter(roster_source__in=sources), timeout=timeout
            )
            run.last_summary = f"{report.summary()} {rosters.summary()}".strip()
        self.stdout.write(run.last_summary)

    def progress(self, done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0:
            self.stderr.write(f"  {done}/{total} sources read", style_func=plain)
