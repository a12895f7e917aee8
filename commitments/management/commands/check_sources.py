from django.core.management.base import BaseCommand, CommandError

from commitments.followup import link_health
from commitments.followup.flagging import commitments_flag
from commitments.followup.job_runs import recorded_run
from commitments.models import Source

PROGRESS_EVERY = 50
# Beyond these a run is more likely a typo than a wish: a server slower than five
# minutes is as good as down, and more threads would only wait on the per-host locks.
MAX_TIMEOUT = 300
MAX_CONCURRENCY = 64


class Command(BaseCommand):
    help = (
        "Check that each source's address still answers, reading the status and headers "
        "only (HEAD, or a GET whose body is never read when HEAD is refused), and record "
        "the result on the source. Never-checked and longest-unchecked sources go first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout",
            type=float,
            default=link_health.DEFAULT_TIMEOUT,
            metavar="S",
            help="the most seconds one source's check may spend on the network, all its "
            "requests together (HEAD, redirects, the GET after an error); waiting for "
            f"another check of the same host is not counted (default "
            f"{link_health.DEFAULT_TIMEOUT:g})",
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=link_health.DEFAULT_MAX_CONCURRENT,
            metavar="N",
            help="requests at once across all hosts; never more than one per host "
            f"(default {link_health.DEFAULT_MAX_CONCURRENT})",
        )
        parser.add_argument(
            "--source-id",
            type=int,
            nargs="+",
            dest="source_ids",
            metavar="ID",
            help="check only these sources",
        )

    def handle(self, *args, timeout, concurrency, source_ids, verbosity, **options):
        # Written "not 0 < timeout" so that nan fails too.
        if not 0 < timeout <= MAX_TIMEOUT:
            raise CommandError(f"--timeout must be more than 0 and at most {MAX_TIMEOUT} seconds.")
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise CommandError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}.")
        with recorded_run("check_sources") as run:
            checked = link_health.sources_check(
                sources=chosen_sources(source_ids),
                timeout=timeout,
                max_concurrent=concurrency,
                progress=self.progress if verbosity > 0 else None,
            )
            # As the scheduled task does: flags follow the sources' new state at once.
            run.last_summary = f"{checked.summary()} Flags: {commitments_flag().summary()}"
        self.stdout.write(run.last_summary)

    def progress(self, done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0:
            self.stderr.write(f"  {done}/{total} sources checked", style_func=plain)


def chosen_sources(source_ids: list[int] | None):
    if not source_ids:
        return Source.objects.all()
    sources = Source.objects.filter(pk__in=source_ids)
    missing = set(source_ids) - set(sources.values_list("pk", flat=True))
    if missing:
        listed = ", ".join(str(pk) for pk in sorted(missing))
        raise CommandError(f"No source with id {listed}.")
    return sources


def plain(text: str) -> str:
    """Progress is not an error: no red, whatever colour stderr is given by default."""
    return text
