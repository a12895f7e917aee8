"""The listing's indexes serve SQLite too, the embedded database a newcomer runs.

The suite runs on PostgreSQL, so these tests build the tables of platforms and pledges,
with their indexes as the models declare them, in an in-memory SQLite database of their
own, fill it, and ask SQLite how it would read each page of /commitments/. Django writes
`WHERE "published"`, which SQLite cannot search an index by: each page must be read in
order from an index whose condition is that term (models/pledges.py), never sorted whole
in a temporary B-tree. SQLite's own query planner answers, not a mock.
"""

import datetime
import itertools
import re

import pytest
from django.contrib.auth import get_user_model

from commitments.models import Commitment, Initiative, Platform, Source, Status
from commitments.planner_statistics import planner_statistics_refresh
from commitments.public.filters import CommitmentFilterSet
from commitments.public.paging import CappedPaginator, rows_beyond
from commitments.sqlite_search import CREATE_TABLE
from tests.sqlite_memory import memory_database

ALIAS = "sqlite_plans"
PLEDGES = 3000


@pytest.fixture(scope="module")
def sqlite_db(django_db_blocker):
    # The search index too, as migration 0022 makes it: the daily job merges it.
    with memory_database(
        django_db_blocker,
        ALIAS,
        [get_user_model(), Platform, Source, Initiative, Commitment],
        statements=[CREATE_TABLE],
    ) as connection:
        fill()
        yield connection


def fill() -> None:
    platforms = Platform.objects.using(ALIAS).bulk_create(
        Platform(name=f"Platform {n}", slug=f"platform-{n}") for n in range(300)
    )
    initiatives = Initiative.objects.using(ALIAS).bulk_create(
        Initiative(name=f"Initiative {n}", slug=f"initiative-{n}") for n in range(10)
    )
    statuses, kinds = itertools.cycle(Status.values), itertools.cycle(Commitment.Kind.values)
    start = datetime.date(2015, 1, 1)
    Commitment.objects.using(ALIAS).bulk_create(
        Commitment(
            platform=platforms[n % len(platforms)],
            # Half with an initiative, half with follow-up evidence, as in the load data.
            initiative=initiatives[n % len(initiatives)] if n % 2 else None,
            title=f"Pledge {n}",
            slug=f"pledge-{n}",
            kind=next(kinds),
            status=next(statuses),
            announced_on=start + datetime.timedelta(days=n % 3000),
            latest_follow_up_on=start + datetime.timedelta(days=n % 3000 + 30) if n % 3 else None,
            published=n % 5 != 0,
        )
        for n in range(PLEDGES)
    )
    # As the site's daily job does (commitments/planner_statistics.py).
    planner_statistics_refresh(using=ALIAS)


def sqlite_plan(sqlite_db, params: dict, *, count: bool = False) -> str:
    """SQLite's plan for a page of the listing as commitments/public/listing.py reads it
    (ids first, 25 of them), or for its count (CappedPaginator's, up to the cap)."""
    filterset = CommitmentFilterSet(params, queryset=Commitment.objects.using(ALIAS).published())
    assert filterset.is_valid(), filterset.errors
    ids = filterset.qs.values_list("pk", flat=True)
    if not count:
        return ids[:25].explain()
    sql, sql_params = ids[: CappedPaginator.cap + 1].query.get_compiler(ALIAS).as_sql()
    with sqlite_db.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN SELECT COUNT(*) FROM ({sql}) AS capped", sql_params)
        return "\n".join(row[-1] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({}, "commitment_by_announced"),
        ({"sort": "announced"}, "commitment_by_announced"),
        ({"sort": "-changed"}, "commitment_by_change"),
        ({"sort": "changed"}, "commitment_by_change"),
        ({"sort": "platform"}, "commitment_by_platform_id"),
        ({"sort": "-platform"}, "commitment_by_platform_id"),
        ({"sort": "status"}, "commitment_by_status_rank"),
        ({"sort": "-status"}, "commitment_by_status_rank"),
        # Or the admin's status index, which holds `published` too (models/pledges.py).
        ({"status": Status.DELIVERED}, "commitment_by_status|commitment_admin_by_status"),
        ({"kind": Commitment.Kind.ENDORSEMENT}, "commitment_by_kind"),
        ({"follow_up": "lacks"}, "commitment_lacking_follow_up"),
        ({"follow_up": "lacks", "sort": "announced"}, "commitment_lacking_follow_up"),
        ({"follow_up": "has"}, "commitment_by_announced"),
    ],
)
def test_each_page_and_its_count_read_their_index_in_order(sqlite_db, params, index):
    for shown in (sqlite_plan(sqlite_db, params), sqlite_plan(sqlite_db, params, count=True)):
        assert re.search(rf"USING (COVERING )?INDEX ({index})\b", shown), shown
        assert "TEMP B-TREE" not in shown, shown


def test_a_platforms_page_is_searched_by_its_platform(sqlite_db):
    # As the platform filter narrows the listing (its form looks the platform up by slug
    # in the default database, which this one is not).
    platform = Platform.objects.using(ALIAS).get(slug="platform-3")
    filterset = CommitmentFilterSet({}, queryset=Commitment.objects.using(ALIAS).published())
    assert filterset.is_valid()
    shown = filterset.qs.of_platform(platform).values_list("pk", flat=True)[:25].explain()
    # Searched by platform: by its own index in date order, or at this size by the
    # platform counts' index, then a sort of a platform's few rows.
    assert re.search(
        r"SEARCH commitments_commitment USING .*INDEX commitment_by_platform\w* "
        r"\(platform_id=\?\)",
        shown,
    ), shown


@pytest.mark.parametrize(
    ("narrowed", "read"),
    [
        ({}, "SCAN commitments_commitment USING INDEX commitment_admin_list"),
        (
            {"status": Status.DELIVERED},
            "SEARCH commitments_commitment USING INDEX commitment_admin_by_status (status=?)",
        ),
        (
            {"platform__slug": "platform-3"},
            "SEARCH commitments_commitment USING INDEX commitment_admin_platform (platform_id=?)",
        ),
    ],
)
def test_the_admins_list_reads_its_index_in_order(sqlite_db, narrowed, read):
    # Drafts too, in CommitmentAdmin's order: a page of it, and its count, never all the
    # pledges (or all of a platform's or a status's) read and sorted.
    from commitments.admin.pledges import CommitmentAdmin

    pledges = Commitment.objects.using(ALIAS).select_related(*CommitmentAdmin.list_select_related)
    if "platform__slug" in narrowed:
        narrowed = {"platform": Platform.objects.using(ALIAS).get(slug=narrowed["platform__slug"])}
    listed = pledges.filter(**narrowed)
    shown = listed.order_by(*CommitmentAdmin.ordering)[:50].explain()
    assert read in shown, shown
    assert "TEMP B-TREE" not in shown, shown
    if narrowed:
        counted = listed.order_by().values("pk").explain()
        assert "COVERING INDEX commitment_admin_" in counted, counted


@pytest.mark.parametrize(
    "sort", ["", "announced", "-changed", "changed", "platform", "-platform", "status", "-status"]
)
@pytest.mark.parametrize("forwards", [True, False])
def test_a_page_read_on_from_a_row_searches_an_index_in_order(sqlite_db, sort, forwards):
    # Each tier of the rows beyond a page's last row (commitments/public/paging.py): one
    # range of an index, read in order. Ordered by a key that the tier holds level, SQLite
    # sorted a status's every later row in a temporary B-tree.
    filterset = CommitmentFilterSet(
        {"sort": sort}, queryset=Commitment.objects.using(ALIAS).published()
    )
    assert filterset.is_valid(), filterset.errors
    ids = filterset.qs.values_list("pk", flat=True)
    middle = ids[PLEDGES // 3]
    tiers = rows_beyond(ids, middle, forwards=forwards)
    assert len(tiers) == 2
    for condition, order in tiers:
        shown = ids.filter(condition).order_by(*order)[:26].explain()
        assert re.search(r"SEARCH \w+ USING (COVERING )?INDEX", shown), shown
        assert "TEMP B-TREE" not in shown, shown


def test_an_initiatives_page_and_its_members_count_read_their_indexes(sqlite_db):
    from commitments.public.directory import member_count

    initiative = Initiative.objects.using(ALIAS).get(slug="initiative-3")
    pledges = Commitment.objects.using(ALIAS).published().filter(initiative=initiative)
    # Its page of pledges, oldest first (directory.initiative_detail), in index order.
    shown = pledges.order_by("announced_on", "id").values_list("pk", flat=True)[:100].explain()
    assert "INDEX commitment_initiative_page (initiative_id=?)" in shown, shown
    assert "TEMP B-TREE" not in shown, shown
    # The members' count reads the other, which holds all it needs, in platform order.
    counted = (
        Initiative.objects.using(ALIAS).annotate(members=member_count()).order_by("name").explain()
    )
    assert "COVERING INDEX commitment_members (initiative_id=?)" in counted, counted
    assert "TEMP B-TREE FOR count(DISTINCT)" not in counted, counted
