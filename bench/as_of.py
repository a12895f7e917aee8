#!/usr/bin/env python
"""Pages as they stood (`?as_of=YYYY-MM-DD`) against today's pages, on the data already
in the database.

    scripts/with-test-services bash -c '
        .venv/bin/python manage.py migrate &&
        .venv/bin/python manage.py generate_load_data --commitments 100000 &&
        .venv/bin/python bench/as_of.py'

Like bench/filters.py it generates no pledges: fill the database first. Load data is
written in bulk without history, and a page as of a day reads history, so when the
commitments have no history rows yet this script writes them (refusing a database with
anything but load data): one "+" row for every platform, initiative, source, person,
commitment, follow-up and citation, dated `--days` (30) days ago, then `--changes` (2)
more rows per commitment ("~", the same values), one a day after it, so that each pledge
has a history to pick its row of the day from. The day asked for is halfway (`--days`
/ 2 days ago), after the first change.

For each page it reports today's and the as-of page's median and p95 latency (in
process, through Django's test Client, as bench/pages.py does), their query counts and
the ratio of the medians.
"""

import argparse
import datetime
import statistics
import sys
import time

from pages import MARKER, configure_django, fetch, percentile, require_postgresql

CHUNK = 2000


def refuse_real_data() -> None:
    from commitments.models import Commitment

    if Commitment.objects.exclude(title__startswith=MARKER).exists():
        sys.exit("The database holds commitments that are not load data; not touching it.")


def write_history(*, days: int, changes: int) -> None:
    """History rows for the load data, dated in the past (see the module's docstring)."""
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from commitments.bulk_history import history_write
    from commitments.models import (
        Citation,
        Commitment,
        FollowUp,
        Initiative,
        Person,
        Platform,
        Source,
    )

    start = timezone.now() - datetime.timedelta(days=days)
    with transaction.atomic():
        for model in (Platform, Initiative, Source, Person, Commitment, FollowUp, Citation):
            rows = model.objects.order_by("pk").iterator(chunk_size=CHUNK)
            while chunk := [row for _, row in zip(range(CHUNK), rows, strict=False)]:
                history_write(chunk, update=False, reason="bench/as_of.py")
            model.history.model.objects.update(history_date=start)
            print(f"  history of {model.__name__}: {model.objects.count():,} rows", file=sys.stderr)
        history = Commitment.history.model
        for change in range(1, changes + 1):
            before = history.objects.aggregate(last=Max("history_id"))["last"] or 0
            rows = Commitment.objects.order_by("pk").iterator(chunk_size=CHUNK)
            while chunk := [row for _, row in zip(range(CHUNK), rows, strict=False)]:
                history_write(chunk, update=True, reason="bench/as_of.py")
            day = start + datetime.timedelta(days=change * days / (changes + 1))
            history.objects.filter(history_id__gt=before).update(history_date=day)
            print(f"  change {change} of every commitment, dated {day:%Y-%m-%d}", file=sys.stderr)


def pages() -> list[tuple[str, str]]:
    from django.db.models import Count
    from django.urls import reverse

    from commitments.models import Commitment, Platform

    published = Commitment.objects.published()
    richest = (
        published.annotate(n=Count("follow_ups", distinct=True) + Count("citations", distinct=True))
        .order_by("-n", "id")
        .values_list("slug", flat=True)
        .first()
    )
    biggest = (
        Platform.objects.annotate(n=Count("commitments"))
        .order_by("-n", "id")
        .values_list("slug", flat=True)
        .first()
    )
    count = published.count()
    deep = max(1, count // 25 - 1)
    return [
        ("list", reverse("commitments:list")),
        ("filtered list", f"{reverse('commitments:list')}?platform={biggest}&status=announced"),
        ("deep page", f"{reverse('commitments:list')}?page={deep}"),
        ("search", f"{reverse('commitments:list')}?q=safety"),
        ("detail", reverse("commitments:detail", args=[richest])),
        ("platform", reverse("commitments:platform", args=[biggest])),
        ("CSV export", reverse("commitments:export_csv")),
        ("API page", "/api/commitments/"),
        ("API pledge", f"/api/commitments/{richest}/"),
    ]


def with_day(url: str, day: datetime.date) -> str:
    return f"{url}{'&' if '?' in url else '?'}as_of={day.isoformat()}"


def timed(client, url: str, requests: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status, _, _ = fetch(client, url)  # untimed: warms the caches, finds errors
    if status != 200:
        return [], 0, status
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        fetch(client, url)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        fetch(client, url)
    return timings, len(captured), status


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=15, help="timed requests per URL")
    parser.add_argument("--export-requests", type=int, default=3, help="for the CSV export")
    parser.add_argument("--days", type=int, default=30, help="age of the written history")
    parser.add_argument("--changes", type=int, default=2, help="changes per commitment")
    parser.add_argument("--output", help="also write the report to this file")
    args = parser.parse_args(argv)
    configure_django(debug=False)
    require_postgresql()
    from django.db import connection
    from django.test import Client
    from django.utils.timezone import localdate

    from commitments.models import Commitment

    total = Commitment.objects.published().count()
    if not total:
        sys.exit("No published commitments: run manage.py generate_load_data first.")
    if not Commitment.history.model.objects.exists():
        refuse_real_data()
        print("Writing history rows for the load data…", file=sys.stderr)
        write_history(days=args.days, changes=args.changes)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    day = localdate() - datetime.timedelta(days=args.days // 2)
    history_rows = Commitment.history.model.objects.count()
    lines = [
        f"{total:,} published commitments, {history_rows:,} history rows of commitments; "
        f"as_of={day.isoformat()}\n",
        "| page | today median ms | today p95 ms | today queries "
        "| as_of median ms | as_of p95 ms | as_of queries | as_of / today |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(lines))
    client = Client()
    for label, url in pages():
        requests = args.export_requests if label == "CSV export" else args.requests
        today, today_queries, today_status = timed(client, url, requests)
        then, then_queries, then_status = timed(client, with_day(url, day), requests)
        if not today or not then:
            line = f"| {label} | {today_status} | | | {then_status} | | | |"
        else:
            ratio = statistics.median(then) / statistics.median(today)
            line = (
                f"| {label} | {statistics.median(today):,.1f} | {percentile(today, 95):,.1f} "
                f"| {today_queries} | {statistics.median(then):,.1f} "
                f"| {percentile(then, 95):,.1f} | {then_queries} | {ratio:.1f}× |"
            )
        print(line)
        lines.append(line)
    if args.output:
        with open(args.output, "w") as report:
            report.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
