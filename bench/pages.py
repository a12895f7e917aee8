#!/usr/bin/env python
"""Benchmark of load-data generation and of the public pages at growing data sizes.

Run it beside a throwaway PostgreSQL (see bench/README.md):

    scripts/with-test-services .venv/bin/python bench/pages.py --sizes 10000,100000

For each size it empties the tracker's tables, times `manage.py generate_load_data`, and
then requests each page in-process through Django's test Client, printing a markdown
table: median and p95 latency, queries per request, and for the CSV export the memory the
process grew by while streaming it. It refuses to empty a database holding real data.
"""

import argparse
import gc
import logging
import math
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = "Loadtest"


def configure_django(debug: bool) -> None:
    """Production-like settings unless --debug: DEBUG off (no query log, no debug pages)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ["DEBUG"] = "true" if debug else "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-key-not-secret")
    # The test Client calls itself "testserver".
    hosts = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ["ALLOWED_HOSTS"] = f"{hosts},testserver"
    import django

    django.setup()
    # A missing page logs a warning per request; the table reports it once.
    logging.getLogger("django.request").setLevel(logging.ERROR)


# Data -----------------------------------------------------------------------------------


def require_postgresql() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(
            "bench/pages.py needs PostgreSQL (DATABASE_URL=postgres://…); it empties the "
            "database it is given. Run it under scripts/with-test-services."
        )


def refuse_real_data() -> None:
    """Never empty a database that holds anything but load data."""
    from commitments.models import Commitment

    real = Commitment.objects.exclude(title__startswith=MARKER).count()
    if real:
        sys.exit(f"The database holds {real} commitments that are not load data; not touching it.")


def empty_tables() -> None:
    """Every table of the commitments app (history included), so each size starts afresh,
    except the follow-up rules: settings the migrations made, not data."""
    from django.apps import apps
    from django.db import connection

    from commitments.models import FollowUpRule

    tables = set()
    for model in apps.get_app_config("commitments").get_models(include_auto_created=True):
        if model is not FollowUpRule:
            tables.add(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(t) for t in sorted(tables))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


def time_generation(commitments: int, seed: int) -> tuple[float, str]:
    """Wall time of the command itself, in its own process (start-up included), as
    someone running it would see it; and the summary line it printed."""
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "generate_load_data",
        f"--commitments={commitments}",
        f"--seed={seed}",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout.strip()


def analyze() -> None:
    """Fresh planner statistics and visibility maps, as a database that has lived a while
    (and been seen by autovacuum) would have: without them index-only scans read the
    table too, and the figures describe the minutes after a bulk load, not the site."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# Pages ----------------------------------------------------------------------------------


@dataclass
class Target:
    label: str
    url: str
    requests: int
    memory: bool = False  # measure memory growth while streaming


@dataclass
class Result:
    target: Target
    status: str = ""
    first_ms: float = 0.0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    queries: int | None = None
    notes: list = field(default_factory=list)


def url_for(name: str, fallback: str) -> str:
    """The page's URL by name; the agreed path while the page is still being written."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def targets(requests: int, export_requests: int, page_size: int) -> list[Target]:
    from django.db.models import Count

    from commitments.models import Commitment, Platform

    published = Commitment.objects.published()
    listing = url_for("commitments:list", "/commitments/")
    biggest = (Platform.objects.annotate(n=Count("commitments")).order_by("-n", "id").first()).slug
    last_page = max(1, math.ceil(published.count() / page_size))
    deep = max(1, last_page - 1)
    # A pledge with as much evidence as any: the heaviest detail page.
    detail = (
        published.annotate(n=Count("follow_ups", distinct=True) + Count("citations", distinct=True))
        .order_by("-n", "id")
        .values_list("slug", flat=True)
        .first()
    )
    return [
        Target("overview", url_for("commitments:overview", "/"), requests),
        Target("filtered list", f"{listing}?platform={biggest}&status=announced", requests),
        Target(f"deep page ({deep} of {last_page})", f"{listing}?page={deep}", requests),
        Target("detail", f"{listing}{detail}/", requests),
        Target(
            "CSV export (all)",
            url_for("commitments:export_csv", "/commitments.csv"),
            export_requests,
            memory=True,
        ),
        Target("API page", "/api/commitments/", requests),
    ]


def fetch(client, url: str) -> tuple[int, int, object]:
    """(status, body bytes, response), reading a streamed body to its end."""
    response = client.get(url)
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    response.close()
    return response.status_code, size, response


def measure(client, target: Target) -> Result:
    result = Result(target)
    started = time.perf_counter()
    status, size, response = fetch(client, target.url)
    result.first_ms = (time.perf_counter() - started) * 1000
    if status == 404:
        result.status = "missing (404)"
        return result
    if status != 200:
        error = getattr(response, "exc_info", None)
        reason = f": {error[0].__name__}: {error[1]}" if error else ""
        result.status = f"error ({status}{reason})"[:120]
        return result
    result.status = "200"
    result.notes.append(f"{size / 1024:,.0f} KiB")
    fetch(client, target.url)  # warm: the first request also fills caches
    timings = []
    for _ in range(target.requests):
        started = time.perf_counter()
        fetch(client, target.url)
        timings.append((time.perf_counter() - started) * 1000)
    result.median_ms = statistics.median(timings)
    result.p95_ms = percentile(timings, 95)
    result.queries = count_queries(client, target.url)
    if target.memory:
        result.notes.extend(memory_while_fetching(client, target.url))
    return result


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: of 30 timings, p95 is the 29th fastest."""
    ranked = sorted(values)
    return ranked[max(0, math.ceil(pct / 100 * len(ranked)) - 1)]


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fetch(client, url)
    return len(queries)


def memory_while_fetching(client, url: str) -> list[str]:
    """Peak growth of the process while the response is produced and read: the whole
    process (libpq's buffers too) by the kernel's resident-set high-water mark, reset
    just before the request; then the Python heap alone, by tracemalloc."""
    notes = []
    gc.collect()
    if reset_peak_rss():
        rss_before = proc_status_kib("VmRSS")
        fetch(client, url)
        growth = proc_status_kib("VmHWM") - rss_before
        notes.append(f"RSS peak {growth / 1024:+.1f} MiB")
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fetch(client, url)
    python_peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    notes.append(f"Python heap peak {python_peak / 2**20:+.1f} MiB")
    return notes


def reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets VmHWM, the resident-set high-water mark."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def proc_status_kib(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    raise KeyError(key)


# Report ---------------------------------------------------------------------------------


def page_table(commitments: int, results: list[Result]) -> str:
    lines = [
        f"### {commitments:,} commitments",
        "",
        "| page | URL | status | first ms | median ms | p95 ms | queries | notes |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        measured = r.status == "200"
        cells = [
            r.target.label,
            f"`{r.target.url}`",
            r.status,
            f"{r.first_ms:.0f}",
            f"{r.median_ms:.1f}" if measured else "",
            f"{r.p95_ms:.1f}" if measured else "",
            str(r.queries) if r.queries is not None else "",
            "; ".join(r.notes),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def generation_table(rows: list[tuple[int, float, str]]) -> str:
    lines = [
        "### generate_load_data",
        "",
        "| commitments | seconds | commitments/s | rows written |",
        "|---:|---:|---:|---|",
    ]
    for commitments, seconds, summary in rows:
        written = summary.removeprefix("Generated ").rsplit(" in ", 1)[0]
        lines.append(
            f"| {commitments:,} | {seconds:.1f} | {commitments / seconds:,.0f} | {written} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10000,100000", help="commitment counts, comma-separated"
    )
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--export-requests", type=int, default=5, help="timed requests of the whole CSV export"
    )
    parser.add_argument(
        "--page-size", type=int, default=25, help="the listing's page size, to find a deep page"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--generation-only", action="store_true", help="time generate_load_data; no pages"
    )
    parser.add_argument("--debug", action="store_true", help="run the pages with DEBUG on")
    parser.add_argument("--output", help="also write the markdown report to this file")
    args = parser.parse_args(argv)
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",")]

    configure_django(args.debug)
    from django.core.management import call_command
    from django.test import Client

    require_postgresql()
    call_command("migrate", verbosity=0)
    refuse_real_data()

    generated, sections = [], []
    for size in sizes:
        empty_tables()
        print(f"Generating {size:,} commitments…", file=sys.stderr)
        seconds, summary = time_generation(size, args.seed)
        generated.append((size, seconds, summary))
        print(f"  {seconds:.1f} s: {summary}", file=sys.stderr)
        if args.generation_only:
            continue
        analyze()
        client = Client(raise_request_exception=False)
        results = []
        for target in targets(args.requests, args.export_requests, args.page_size):
            print(f"  {target.label}: {target.url}", file=sys.stderr)
            results.append(measure(client, target))
        sections.append(page_table(size, results))

    report = "\n\n".join([generation_table(generated), *sections]) + "\n"
    print(report)
    if args.output:
        Path(args.output).write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
