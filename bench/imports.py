#!/usr/bin/env python
"""Benchmark of `import_commitments`: queries and seconds for a first and a second import.

    .venv/bin/python bench/imports.py                         # SQLite, in a temporary file
    scripts/with-test-services .venv/bin/python bench/imports.py   # PostgreSQL
    .venv/bin/python bench/imports.py --file data/commitments.json --repeats 5

For each database it migrates an empty one, imports the file (first import: everything
is created), then imports it again (second import: nothing changes), `--repeats` times,
and prints the median seconds and the queries of each, per commitment too. The command
is called in-process through `call_command`, exactly as `make run` calls it, so the
figures are the importer's, not Python's start-up. On PostgreSQL it empties the database
it is given first, and refuses one that holds commitments that are not load data.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure_django(sqlite_path: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-key-not-secret")
    if sqlite_path:
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
    import django

    django.setup()


def empty_database(*, ours: bool) -> None:
    """Drop everything and migrate again, so each repeat starts from a fresh database.
    `ours`: the database holds only what an earlier repeat imported."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        from commitments.models import Commitment

        migrated = Commitment._meta.db_table in connection.introspection.table_names()
        real = migrated and Commitment.objects.exclude(title__startswith="Loadtest").exists()
        if real and not ours:
            sys.exit("The database holds real commitments, and bench/imports.py empties it.")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")
    call_command("migrate", verbosity=0)


def timed_import(path: str) -> tuple[float, int, str]:
    """Seconds, queries and the command's last line, for one import of `path`."""
    from django.core.management import call_command
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    out = StringIO()
    # A wrapper rather than connection.queries: that log keeps only the last 9,000.
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        call_command("import_commitments", path, stdout=out, stderr=StringIO())
        seconds = time.perf_counter() - started
    last_line = out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else ""
    return seconds, queries, last_line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(ROOT / "data" / "commitments.json"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    sqlite_file = None
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sqlite_file = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False).name
    configure_django(sqlite_file)
    from django.db import connection

    with open(args.file, encoding="utf-8") as f:
        pledges = len(json.load(f).get("commitments", []))
    runs = {"first": [], "second": []}
    for n in range(args.repeats):
        print(f"  repeat {n + 1}/{args.repeats}", file=sys.stderr, flush=True)
        empty_database(ours=n > 0)
        runs["first"].append(timed_import(args.file))
        runs["second"].append(timed_import(args.file))
    print(f"{connection.vendor}, {args.file} ({pledges} commitments), {args.repeats} repeats\n")
    print("| import | median s | queries | queries per commitment | says |")
    print("|---|---|---|---|---|")
    for name, results in runs.items():
        seconds = statistics.median(r[0] for r in results)
        queries = sorted({r[1] for r in results})
        shown = "/".join(str(q) for q in queries)
        per = "/".join(f"{q / pledges:.1f}" for q in queries)
        print(f"| {name} | {seconds:.2f} | {shown} | {per} | {results[-1][2][:60]} |")
    if sqlite_file:
        os.unlink(sqlite_file)


if __name__ == "__main__":
    main()
