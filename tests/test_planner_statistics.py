"""The planner's statistics (commitments/planner_statistics.py): ANALYZE on each database,
run by a daily job and after a bulk load, and the partial indexes that keep SQLite's
statistics right for keys few rows have."""

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django_celery_beat.models import PeriodicTask

from commitments import tasks
from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Initiative,
    JobRun,
    Person,
    Platform,
    Source,
)
from commitments.planner_statistics import planner_statistics_refresh
from commitments.refresh import refresh_search_documents
from commitments.sqlite_search import CREATE_TABLE, TABLE
from tests.sqlite_memory import memory_database

ALIAS = "sqlite_statistics"


@pytest.fixture
def sqlite_db(django_db_blocker):
    models = [get_user_model(), Platform, Initiative, Person, Source, Commitment, FollowUp]
    with memory_database(
        django_db_blocker, ALIAS, [*models, Citation], statements=[CREATE_TABLE]
    ) as memory:
        yield memory


def sqlite_statistics(memory) -> dict[str, str]:
    with memory.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchall():
            return {}
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE idx IS NOT NULL")
        return dict(cursor.fetchall())


def published_pledges(count: int, title: str) -> list[Commitment]:
    """`count` published pledges of one platform in the in-memory database, titled
    `title` and their number."""
    platform = Platform.objects.using(ALIAS).create(name="TikTok", slug="tiktok")
    return Commitment.objects.using(ALIAS).bulk_create(
        Commitment(
            platform=platform,
            title=f"{title} {n}",
            slug=f"pledge-{n}",
            announced_on=datetime.date(2020, 1, 1),
            published=True,
        )
        for n in range(count)
    )


def test_sqlite_has_statistics_only_once_refreshed(sqlite_db):
    published_pledges(20, "Pledge")
    assert sqlite_statistics(sqlite_db) == {}

    summary = planner_statistics_refresh(using=ALIAS)

    assert re.fullmatch(
        r"Analysed the sqlite database and merged its search index in \d+\.\d s\.", summary
    ), summary
    # 20 rows in the index of the listing's default order (its first figure).
    assert sqlite_statistics(sqlite_db)["commitment_by_announced"].split()[0] == "20"


def search_index_rows(memory) -> int:
    with memory.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}_data")
        return cursor.fetchone()[0]


def test_sqlite_search_index_segments_are_merged(sqlite_db):
    pledges = published_pledges(6, "Pledge on grooming")
    # One refresh a pledge, as staff edit them: a segment each.
    for pledge in pledges:
        with transaction.atomic(using=ALIAS):
            refresh_search_documents(Commitment.objects.using(ALIAS).filter(pk=pledge.pk))
    segmented = search_index_rows(sqlite_db)

    planner_statistics_refresh(using=ALIAS)

    assert search_index_rows(sqlite_db) < segmented
    found = Commitment.objects.using(ALIAS).published().search("grooming")
    assert found.count() == 6


def test_an_initiatives_sources_are_read_by_their_index_after_analysis(sqlite_db):
    # As at a million pledges: nearly every citation is a pledge's, few an initiative's.
    # A whole index on initiative_id counted the NULLs as one more key, so SQLite took
    # each key to hold hundreds of rows and read the whole table instead.
    platform = Platform.objects.using(ALIAS).create(name="TikTok", slug="tiktok")
    source = Source.objects.using(ALIAS).create(url="https://example.com/a", title="A")
    pledges = Commitment.objects.using(ALIAS).bulk_create(
        Commitment(
            platform=platform,
            title=f"Pledge {n}",
            slug=f"pledge-{n}",
            announced_on=datetime.date(2020, 1, 1),
        )
        for n in range(3000)
    )
    initiatives = Initiative.objects.using(ALIAS).bulk_create(
        Initiative(name=f"Initiative {n}", slug=f"initiative-{n}") for n in range(20)
    )
    Citation.objects.using(ALIAS).bulk_create(
        [Citation(source=source, commitment=pledge) for pledge in pledges]
        + [Citation(source=source, initiative=initiative) for initiative in initiatives]
    )
    planner_statistics_refresh(using=ALIAS)

    assert sqlite_statistics(sqlite_db)["citation_by_initiative"] == "20 1"
    # As the initiatives' page of the API prefetches their sources.
    shown = Citation.objects.using(ALIAS).filter(initiative__in=initiatives).explain()
    assert "USING INDEX citation_by_initiative (initiative_id=?)" in shown, shown


def analyze_count(table: str) -> int:
    with connection.cursor() as cursor:
        # PostgreSQL keeps one snapshot of its statistics views per transaction.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT analyze_count + autoanalyze_count FROM pg_stat_user_tables WHERE relname = %s",
            [table],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_daily_task_analyses_the_database_and_records_its_run():
    assert connection.vendor == "postgresql", "the suite's database"
    before = analyze_count(Commitment._meta.db_table)

    summary = tasks.refresh_planner_statistics.apply().get()

    assert summary.startswith("Analysed the postgresql database in ")
    assert analyze_count(Commitment._meta.db_table) == before + 1
    run = JobRun.objects.get(job="refresh_planner_statistics")
    assert run.last_summary == summary and run.last_succeeded_at is not None


@pytest.mark.django_db
def test_the_command_does_the_same_work():
    out = io.StringIO()
    before = analyze_count(Commitment._meta.db_table)

    call_command("refresh_planner_statistics", stdout=out)

    assert "Analysed the postgresql database in " in out.getvalue()
    assert analyze_count(Commitment._meta.db_table) == before + 1
    assert JobRun.objects.filter(job="refresh_planner_statistics").exists()


@pytest.mark.django_db
def test_a_daily_schedule_runs_the_task():
    task = PeriodicTask.objects.get(name="Refresh the planner's statistics")
    assert task.task == "commitments.tasks.refresh_planner_statistics" and task.enabled
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("3", "30", "*")
