"""Synthetic load data for benchmarks: `manage.py generate_load_data --commitments N`.

Rows are written with bulk_create in batches, with ids chosen here (after the largest id
in each table), so that commitments, follow-ups, sources and citations link up without
reading anything back. bulk_create skips save() and signals, so no history records are
written (load data has no history) and the stored columns that save() and
refresh_from_follow_ups() would keep are computed in `pledges`.

Every name and title says "Loadtest" and every address is under .example (see `words`).
The same seed on an empty database gives the same rows.

Modules: `world` (shared state, dates), `records` (platforms, initiatives, people,
owners), `pledges` (commitments, follow-ups, citations, sources), `words` (wording).
"""

import random
import time
from collections.abc import Callable

from django.core.management.color import no_style
from django.db import connection, reset_queries, transaction
from django.db.models import Max

from bench.loaddata import records
from bench.loaddata.pledges import add_commitment
from bench.loaddata.world import Batch, World
from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Initiative,
    Person,
    Platform,
    Source,
)

BATCH_SIZE = 5000
COMMITMENTS_PER_PLATFORM = 500
MIN_PLATFORMS = 20
COMMITMENTS_PER_PERSON = 1000
MIN_PEOPLE = 20
# Every table whose ids are chosen here, and whose id sequence must then be moved on.
ID_MODELS = [Platform, Initiative, Person, Source, Commitment, FollowUp, Citation]
COUNTED = ["platforms", "initiatives", "people", "sources", "commitments", "follow_ups"]


class LoadDataError(Exception):
    """Why load data cannot be generated; the message is for people."""


def platform_count(commitments: int) -> int:
    return max(MIN_PLATFORMS, round(commitments / COMMITMENTS_PER_PLATFORM))


def check_can_generate(append: bool) -> None:
    """Load data goes into an empty database, unless the caller asks to add to one."""
    if Commitment._meta.db_table not in connection.introspection.table_names():
        raise LoadDataError("The database has no tables yet: run `manage.py migrate` first.")
    existing = Commitment.objects.count()
    if existing and not append:
        raise LoadDataError(
            f"The database already holds {existing} commitments. Load data is meant for "
            "an empty database; pass --append to add to them anyway."
        )


def generate(
    commitments: int,
    seed: int = 1,
    append: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int, float], None] | None = None,
) -> dict[str, int]:
    """Write `commitments` synthetic pledges and everything around them, all in one
    transaction (an interrupted run leaves nothing behind). `progress(done, total,
    seconds)` is called after each batch. Returns the number of rows of each record."""
    if commitments < 1:
        raise LoadDataError("The number of commitments must be at least 1.")
    if batch_size < 1:
        raise LoadDataError("The batch size must be at least 1.")
    started = time.monotonic()
    counts = dict.fromkeys([*COUNTED, "citations"], 0)
    with transaction.atomic():
        check_can_generate(append)
        world = World(rng=random.Random(seed), next_id=first_free_ids())
        world.owners = records.make_owners()
        up_front = Batch()
        counts["platforms"] = records.make_platforms(world, platform_count(commitments))
        # People before initiatives: the citation of an initiative may quote someone.
        people = max(MIN_PEOPLE, commitments // COMMITMENTS_PER_PERSON)
        counts["people"] = records.make_people(world, people)
        counts["initiatives"] = records.make_initiatives(world, up_front)
        up_front.write(batch_size)
        add_counts(counts, up_front)
        for start in range(0, commitments, batch_size):
            batch = Batch()
            for _ in range(min(batch_size, commitments - start)):
                add_commitment(world, batch)
            batch.write(batch_size)
            add_counts(counts, batch)
            # With DEBUG on, Django keeps the SQL of every query, and a batch's inserts
            # run to megabytes: forget them, or a million commitments take gigabytes.
            reset_queries()
            if progress:
                progress(counts["commitments"], commitments, time.monotonic() - started)
        reset_id_sequences()
    refresh_statistics()
    return counts


def refresh_statistics() -> None:
    """VACUUM ANALYZE the loaded tables, as autovacuum would a while after a bulk load:
    the planner then knows their sizes, and index-only scans need not visit the table."""
    # VACUUM cannot run inside a transaction (a caller's, or a test's).
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in [*ID_MODELS, Commitment.people.through]:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def add_counts(counts: dict, batch: Batch) -> None:
    counts["sources"] += len(batch.sources)
    counts["commitments"] += len(batch.commitments)
    counts["follow_ups"] += len(batch.follow_ups)
    counts["citations"] += len(batch.citations)


def first_free_ids() -> dict:
    return {model: (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1 for model in ID_MODELS}


def reset_id_sequences() -> None:
    """Move each id sequence past the ids given here, so that rows made later (in the
    admin, by the importer) do not collide with them."""
    models = [*ID_MODELS, Commitment.people.through]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
