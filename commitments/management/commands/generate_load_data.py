"""Synthetic load data for the benchmarks. The generator is benchmark code, kept with the
benchmarks in bench/loaddata/; this command is its entry point, so it needs the
repository's bench/ beside manage.py, as a checkout has it."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from bench import loaddata
from bench.loaddata.words import MARKER
from commitments.planner_statistics import planner_statistics_refresh


class Command(BaseCommand):
    help = (
        "Fill the database with synthetic commitments for load tests and benchmarks: "
        "platforms, initiatives, sources, follow-ups and citations around them, every name "
        f"and title marked '{MARKER}'. Written with bulk inserts in one "
        "transaction, so load data has no history records. Refuses a database that already "
        "holds commitments unless --append is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--commitments",
            type=int,
            required=True,
            metavar="N",
            help="how many commitments to make (tested up to 1,000,000)",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed: the same seed, the same data"
        )
        parser.add_argument(
            "--append",
            action="store_true",
            help="add to a database that already holds commitments",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=loaddata.BATCH_SIZE,
            help=f"commitments per insert batch (default {loaddata.BATCH_SIZE})",
        )

    def handle(self, *args, commitments, seed, append, batch_size, **options):
        progress = Progress(self.stderr)
        started = time.monotonic()
        try:
            counts = loaddata.generate(
                commitments, seed=seed, append=append, batch_size=batch_size, progress=progress
            )
        except loaddata.LoadDataError as e:
            raise CommandError(str(e)) from e
        except DatabaseError as e:
            raise CommandError(
                f"The database refused the load data; nothing was written: {e}"
            ) from e
        finally:
            progress.finish()
        summary = ", ".join(f"{n} {name.replace('_', '-')}" for name, n in counts.items())
        self.stdout.write(f"Generated {summary} in {time.monotonic() - started:.1f} s.")
        # As the daily task would overnight: without statistics SQLite plans the first
        # pages after a bulk load by guesswork (commitments/planner_statistics.py).
        self.stdout.write(planner_statistics_refresh())


class Progress:
    """'commitments 50000/100000 (50%) 12.3 s' on stderr: rewritten in place on a
    terminal, one line per tenth of the way when stderr is a file or a pipe."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = getattr(stream, "isatty", lambda: False)()
        self.last_tenth = -1
        self.drawn = False

    def __call__(self, done: int, total: int, seconds: float) -> None:
        line = f"commitments {done}/{total} ({done * 100 // total}%) {seconds:.1f} s"
        if self.tty:
            self.stream.write(f"\r{line}", ending="", style_func=plain)
            self.stream.flush()
            self.drawn = True
            return
        tenth = done * 10 // total
        if tenth != self.last_tenth:
            self.last_tenth = tenth
            self.stream.write(line, style_func=plain)

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("", style_func=plain)


def plain(text: str) -> str:
    """Progress is not an error: no red, whatever colour stderr is given by default."""
    return text
