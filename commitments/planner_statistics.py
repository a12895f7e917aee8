"""The database's statistics for its query planner, refreshed by ANALYZE.

SQLite keeps none until ANALYZE runs, and without them it guesses which index to read:
at a million pledges `/commitments/?sort=platform` sorted 600,000 rows in a temporary
B-tree (208 ms) where, with statistics, it walks the platforms by name and reads each
one's pledges in order (20 ms; bench/README.md). PostgreSQL's autovacuum analyses a
table on its own once enough of it has changed; a bulk load refreshes them at once, so
that the first pages after it are not planned for the empty tables.

On SQLite it also merges the search index's segments (sqlite_search.search_index_optimize),
which is upkeep of the same kind: how fast a search reads, never what it finds.

Run by the daily task and command `refresh_planner_statistics` and at the end of
`generate_load_data`. Statistics change how a query is read, never what it answers.
"""

import time

from django.db import DEFAULT_DB_ALIAS, connections

from commitments.sqlite_search import search_index_optimize


def planner_statistics_refresh(*, using: str = DEFAULT_DB_ALIAS) -> str:
    """ANALYZE the whole database; returns what was done, for the job's record."""
    connection = connections[using]
    started = time.monotonic()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Every row, not a sample: analysis_limit's samples of 1,000 rows gave every
            # index the same guess, which is no better than none (4 s at a million pledges).
            cursor.execute("PRAGMA analysis_limit=0")
        cursor.execute("ANALYZE")
    if connection.vendor == "sqlite":
        search_index_optimize(connection)
        seconds = time.monotonic() - started
        return f"Analysed the sqlite database and merged its search index in {seconds:.1f} s."
    seconds = time.monotonic() - started
    return f"Analysed the {connection.vendor} database in {seconds:.1f} s."
