#!/usr/bin/env python
"""Benchmark of the flag job (commitments/followup/flagging.py) at growing data sizes.

    scripts/with-test-services .venv/bin/python bench/flags.py --sizes 10000,100000,1000000

For each size it empties the tracker's tables, generates load data, runs VACUUM ANALYZE,
then times the flag job (`commitments_flag`, what `flag_commitments` runs):

- the first run (which opens the flags; it changes no status) and a second
  run (which finds nothing to change), each rolled back and repeated;
- its queries, and the same SQL statements replayed bare through a cursor, to give the
  ratio of the job's time to the time of the SQL it runs (what Django and Python add);
- the process's peak memory while it runs (resident-set high-water mark and Python heap).

It refuses a database holding anything but load data, as bench/pages.py does.
"""

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from functools import partial

from pages import (
    analyze,
    configure_django,
    empty_tables,
    proc_status_kib,
    refuse_real_data,
    require_postgresql,
    reset_peak_rss,
    time_generation,
)


class Rollback(Exception):
    """Raised to undo a measured run, so that every repetition starts from one state."""


def run_rolled_back(work):
    from django.db import transaction

    try:
        with transaction.atomic():
            result = work()
            raise Rollback
    except Rollback:
        return result


def timed_job(today) -> tuple[float, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commitments.followup.flagging import commitments_flag

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        report = commitments_flag(today=today)
        seconds = time.perf_counter() - started
    statements = [q["sql"] for q in captured if q["sql"] not in ("BEGIN", "COMMIT")]
    return seconds, statements, report


def timed_bare(statements: list[str]) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        for sql in statements:
            # Captured SQL has its parameters inlined, so % signs are literal here.
            cursor.execute(sql.replace("%", "%%"), [])
        return time.perf_counter() - started


def memory_of(work) -> str:
    gc.collect()
    notes = []
    if reset_peak_rss():
        before = proc_status_kib("VmRSS")
        run_rolled_back(work)
        notes.append(f"RSS peak {(proc_status_kib('VmHWM') - before) / 1024:+.1f} MiB")
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    run_rolled_back(work)
    notes.append(f"heap peak {(tracemalloc.get_traced_memory()[1] - base) / 2**20:+.1f} MiB")
    tracemalloc.stop()
    return ", ".join(notes)


def measure(label: str, today, repeats: int) -> str:
    job_times, bare_times = [], []
    for _ in range(repeats):
        seconds, statements, report = run_rolled_back(lambda: timed_job(today))
        job_times.append(seconds)
        bare_times.append(run_rolled_back(partial(timed_bare, statements)))
    job, bare = statistics.median(job_times), statistics.median(bare_times)
    memory = memory_of(lambda: timed_job(today))
    return (
        f"| {label} | {job:.2f} | {bare:.2f} | {job / bare:.2f}× | {len(statements)} "
        f"| {memory} | {report.summary()} |"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="commitment counts")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each kind")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    configure_django(debug=False)
    from django.core.management import call_command
    from django.utils import timezone

    from commitments.followup.flagging import commitments_flag

    require_postgresql()
    call_command("migrate", verbosity=0)
    refuse_real_data()
    today = timezone.localdate()
    print("| commitments | run | job s | bare SQL s | ratio | queries | memory | outcome |")
    print("|---|---|---|---|---|---|---|---|")
    for size in [int(s.replace("_", "")) for s in args.sizes.split(",")]:
        empty_tables()
        print(f"Generating {size:,} commitments…", file=sys.stderr)
        time_generation(size, args.seed)
        analyze()
        # Each row is printed as soon as it is measured: at a million pledges one row
        # takes many minutes, and a later failure must not lose the earlier one.
        print("Timing the first run…", file=sys.stderr, flush=True)
        print(f"| {size:,} {measure('first', today, args.repeats)}", flush=True)
        print("Committing a first run…", file=sys.stderr, flush=True)
        commitments_flag(today=today)  # committed, so that the next runs find nothing to do
        analyze()
        print("Timing the second run…", file=sys.stderr, flush=True)
        print(f"| {size:,} {measure('second (nothing to do)', today, args.repeats)}", flush=True)


if __name__ == "__main__":
    main()
