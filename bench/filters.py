#!/usr/bin/env python
"""Every filter and sort of the public list, timed on the data already in the database.

    scripts/with-test-services bash -c '
        .venv/bin/python manage.py migrate &&
        .venv/bin/python manage.py generate_load_data --commitments 100000 &&
        .venv/bin/python bench/filters.py'

Unlike bench/pages.py it generates nothing and empties nothing: fill the database first
(with `generate_load_data`). For each parameter of `/commitments/` it reports the median
and p95 latency, the query count, and whether PostgreSQL's plan for the page's queries
reads an index ("index") or the whole table ("seq scan"). `--explain` prints the plans.
"""

import argparse
import statistics
import sys
import time

from pages import configure_django, fetch, percentile, require_postgresql


def cases() -> list[tuple[str, str]]:
    from commitments.models import Commitment, Initiative, Platform

    published = Commitment.objects.published()
    platform = Platform.objects.filter(parent__isnull=False).values_list("parent__slug", flat=True)
    initiative = Initiative.objects.order_by("id").values_list("slug", flat=True)
    # A word in a few titles, a word in most summaries, and a platform's name.
    rare = published.order_by("id").values_list("title", flat=True).first().split()[-1]
    name = Platform.objects.order_by("id").values_list("name", flat=True).first()
    return [
        ("no filter", ""),
        ("platform (a parent)", f"platform={platform.first()}"),
        ("initiative", f"initiative={initiative.first()}"),
        ("kind", "kind=age_restriction"),
        ("status", "status=delivered"),
        ("announced between", "announced_after=2019&announced_before=2020-06"),
        ("country", "country=GB"),
        ("follow_up=has", "follow_up=has"),
        ("follow_up=lacks", "follow_up=lacks"),
        (f"q (rare word: {rare})", f"q={rare}"),
        ("q (common word)", "q=safety"),
        (f"q (platform name: {name})", f"q={name}"),
        ("q (two words)", f"q=safety+{rare}"),
        ("sort=announced", "sort=announced"),
        ("sort=-changed", "sort=-changed"),
        ("sort=platform", "sort=platform"),
        ("sort=status", "sort=status"),
        ("sort=-status", "sort=-status"),
    ]


def page_queries(client, url: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fetch(client, url)
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]


def plan(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=15, help="timed requests per URL")
    parser.add_argument("--explain", action="store_true", help="print each query's plan")
    args = parser.parse_args(argv)
    configure_django(debug=False)
    require_postgresql()
    from django.test import Client

    from commitments.models import Commitment

    total = Commitment.objects.published().count()
    if not total:
        sys.exit("No published commitments: run manage.py generate_load_data first.")
    client = Client()
    print(f"{total:,} published commitments\n")
    print("| filter or sort | URL | median ms | p95 ms | queries | commitment table read by |")
    print("|---|---|---|---|---|---|")
    for label, params in cases():
        url = f"/commitments/?{params}"
        status, _, _ = fetch(client, url)
        if status != 200:
            print(f"| {label} | `{url}` | {status} | | | |")
            continue
        timings = []
        for _ in range(args.requests):
            started = time.perf_counter()
            fetch(client, url)
            timings.append((time.perf_counter() - started) * 1000)
        queries = page_queries(client, url)
        plans = [plan(sql) for sql in queries]
        # Only the queries that read commitments say anything about this filter's index.
        own = [p for p in plans if "commitments_commitment" in p]
        seq = any("Seq Scan on commitments_commitment" in p for p in own)
        print(
            f"| {label} | `{url}` | {statistics.median(timings):.1f} "
            f"| {percentile(timings, 95):.1f} | {len(queries)} | {'seq scan' if seq else 'index'} |"
        )
        if args.explain:
            for sql, text in zip(queries, plans, strict=True):
                indented = "\n".join(f"      {line}" for line in text.splitlines())
                print(f"\n    {sql[:300]}\n{indented}")
            print()


if __name__ == "__main__":
    main()
