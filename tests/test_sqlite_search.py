"""Free-text search (`q`) on SQLite: the FTS5 index commitment_fts over each pledge's
search text, kept by the refresh service (commitments/sqlite_search.py).

The suite runs on PostgreSQL, so these tests build the tables, with the FTS5 table as
migration 0022 makes it, in an in-memory SQLite database of their own, and search it
through the same `Commitment.objects.search()` the listing calls. SQLite's own FTS5
answers; FTS5's integrity check says whether the index still matches the text.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from commitments import sqlite_search
from commitments.migrations import __name__ as migrations_package
from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Initiative,
    Person,
    Platform,
    Source,
)
from commitments.models.pledges import MAX_SEARCH_WORDS
from commitments.refresh import refresh_search_documents
from commitments.sqlite_search import CREATE_TABLE, DRAFT_TEXT, TABLE, match_expression
from tests.search_cases import CASES, SUMMARY, TEEN, VOICE
from tests.sqlite_memory import memory_database

ALIAS = "sqlite_search"
MODELS = [get_user_model(), Platform, Initiative, Person, Source, Commitment, FollowUp, Citation]


@pytest.fixture
def sqlite_db(django_db_blocker):
    with memory_database(django_db_blocker, ALIAS, MODELS, statements=[CREATE_TABLE]) as db:
        yield db


# Rows are written in bulk, as load data and the importer write them: no history rows
# (whose tables this database lacks).
def create(model, **values):
    [made] = model.objects.using(ALIAS).bulk_create([model(**values)])
    return made


def pledge(platform, title: str, summary: str = "", *, n: int, published=True) -> Commitment:
    return create(
        Commitment,
        platform=platform,
        title=title,
        slug=f"pledge-{n}",
        summary=summary,
        kind=Commitment.Kind.OTHER,
        announced_on=datetime.date(2024, 1, n),
        published=published,
    )


def refresh(*pledges) -> None:
    with transaction.atomic(using=ALIAS):
        refresh_search_documents(
            Commitment.objects.using(ALIAS).filter(pk__in=[p.pk for p in pledges])
        )


def found(text: str) -> set[str]:
    return set(Commitment.objects.using(ALIAS).search(text).values_list("title", flat=True))


def index_is_whole(db) -> bool:
    """FTS5's own check that the index holds exactly the words of the text column."""
    with db.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('integrity-check', 1)")
    return True


@pytest.fixture
def pledges(sqlite_db):
    tiktok = create(Platform, name="TikTok", slug="tiktok")
    roblox = create(Platform, name="Roblox", slug="roblox")
    teen = pledge(tiktok, TEEN, SUMMARY, n=1)
    voice = pledge(roblox, VOICE, n=2)
    source = create(Source, url="https://example.com/l", title="Ledger")
    create(Citation, commitment=voice, source=source)
    refresh(teen, voice)
    return teen, voice


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_search_matches_the_start_of_words_in_every_field(pledges, text, expected):
    assert found(text) == expected


def test_the_index_follows_an_edit_once_refreshed(sqlite_db, pledges):
    teen, _ = pledges
    Commitment.objects.using(ALIAS).filter(pk=teen.pk).update(title="Sensitive content filter")
    refresh(teen)
    assert found("sensitive") == {"Sensitive content filter"}
    assert found("teen") == set()
    assert index_is_whole(sqlite_db)


def test_the_index_follows_a_renamed_platform_and_a_new_citation(sqlite_db, pledges):
    teen, voice = pledges
    Platform.objects.using(ALIAS).filter(slug="tiktok").update(name="Douyin")
    source = create(Source, url="https://example.com/w", title="Weprotect")
    create(Citation, commitment=voice, source=source)
    refresh(teen, voice)
    assert found("douyin") == {TEEN} and found("tiktok") == set()
    assert found("weprotect ledger") == {VOICE}
    assert index_is_whole(sqlite_db)


def test_a_draft_is_left_out_of_the_index_until_it_is_published(sqlite_db, pledges):
    tiktok = Platform.objects.using(ALIAS).get(slug="tiktok")
    draft = pledge(tiktok, "Draft about grooming", n=3, published=False)
    refresh(draft)
    assert Commitment.objects.using(ALIAS).get(pk=draft.pk).search_text == DRAFT_TEXT
    assert found("grooming") == set()
    assert index_is_whole(sqlite_db)

    Commitment.objects.using(ALIAS).filter(pk=draft.pk).update(published=True)
    refresh(draft)
    assert found("grooming") == {"Draft about grooming"}
    assert index_is_whole(sqlite_db)

    # Unpublished again, it leaves the index: the words it was indexed by are forgotten.
    Commitment.objects.using(ALIAS).filter(pk=draft.pk).update(published=False)
    refresh(draft)
    assert found("grooming") == set() and found("tiktok") == {TEEN}
    assert index_is_whole(sqlite_db)


def test_a_broken_index_is_caught_by_the_integrity_check(sqlite_db, pledges):
    # The check above can fail: text rewritten without the refresh leaves the index
    # holding words the text no longer has.
    teen, _ = pledges
    Commitment.objects.using(ALIAS).filter(pk=teen.pk).update(search_text="nothing alike")
    with pytest.raises(Exception, match="malformed|corrupt"):
        index_is_whole(sqlite_db)


def test_the_words_searched_for_are_capped_and_quoted():
    words = " ".join(f"w{n}" for n in range(MAX_SEARCH_WORDS + 5))
    assert match_expression(words, max_words=MAX_SEARCH_WORDS).count(" AND ") == (
        MAX_SEARCH_WORDS - 1
    )
    assert match_expression('say "NEAR"', max_words=3) == '"say"* AND "NEAR"*'
    assert match_expression("!!!", max_words=3) is None


def test_a_search_reads_the_full_text_index(sqlite_db, pledges):
    plan = Commitment.objects.using(ALIAS).published().search("teen").explain()
    assert "VIRTUAL TABLE INDEX" in plan and TABLE in plan, plan


def test_the_migration_builds_the_same_index_as_the_table_it_freezes():
    from importlib import import_module

    migration = import_module(f"{migrations_package}.0022_sqlite_full_text_search")
    assert migration.CREATE_TABLE == CREATE_TABLE


def test_migration_0030_takes_the_drafts_words_out_of_the_index(sqlite_db, pledges):
    from importlib import import_module

    migration = import_module(f"{migrations_package}.0030_drafts_without_search_words")
    teen, voice = pledges
    # A draft indexed with its words, as before 0030.
    Commitment.objects.using(ALIAS).filter(pk=voice.pk).update(published=False)
    assert found("ledger") == {VOICE}
    with sqlite_db.schema_editor() as editor:
        migration.empty_drafts_search_words(None, editor)
    assert found("ledger") == set() and found("teen") == {TEEN}
    assert Commitment.objects.using(ALIAS).get(pk=voice.pk).search_text == DRAFT_TEXT
    assert index_is_whole(sqlite_db)


def test_a_common_word_is_read_along_the_pages_order(sqlite_db, pledges, monkeypatch):
    # Above COMMON matches a pledge is checked against the matches along the index of
    # the page's order, rather than each match looked up and all of them sorted.
    teen, voice = pledges
    rare = Commitment.objects.using(ALIAS).published().search("a").order_by("-announced_on")
    rare_plan = rare.explain()
    monkeypatch.setattr(sqlite_search, "COMMON", 1)
    common = Commitment.objects.using(ALIAS).published().search("a").order_by("-announced_on")
    common_plan = common.explain()
    assert list(common) == list(rare) == [voice, teen]  # "age", "are": the same matches
    assert "USING INTEGER PRIMARY KEY" in rare_plan, rare_plan
    assert "USING INTEGER PRIMARY KEY" not in common_plan, common_plan


def test_a_common_word_is_counted_along_its_matches(sqlite_db, pledges, monkeypatch):
    # Counted up to the cap, a common word reads its matches one by one rather than the
    # whole index of the page's order (which it did when fewer than the cap of them were
    # published): the count form, and the listing's count, say the same.
    teen, voice = pledges
    monkeypatch.setattr(sqlite_search, "COMMON", 1)
    published = Commitment.objects.using(ALIAS).published()
    to_count = published.search("a", to_count=True)
    to_page = published.search("a").order_by("-announced_on")
    # Joined: the matches streamed, each pledge looked up by id; no temporary list.
    count_plan = to_count.explain()
    assert "USING INTEGER PRIMARY KEY" in count_plan and "LIST SUBQUERY" not in count_plan
    assert "USING INTEGER PRIMARY KEY" not in to_page.explain()
    assert to_count.count() == len(to_page) == 2


def test_the_listing_counts_a_search_in_its_count_form(sqlite_db, pledges, monkeypatch):
    from commitments.public.filters import CommitmentFilterSet
    from commitments.public.paging import CappedPaginator

    monkeypatch.setattr(sqlite_search, "COMMON", 1)
    published = Commitment.objects.using(ALIAS).published()
    filterset = CommitmentFilterSet({"q": "a", "sort": "-announced"}, queryset=published)
    assert filterset.is_valid(), filterset.errors
    assert "USING INTEGER PRIMARY KEY" in filterset.to_count.explain()
    assert "ORDER BY" not in str(filterset.to_count.query)
    page = CappedPaginator(filterset.qs, 25, count_list=filterset.to_count).page(1)
    assert page.paginator.count == 2 and list(page) == list(filterset.qs)
    # Without a search, the count is of the listing itself.
    plain = CommitmentFilterSet({"sort": "-announced"}, queryset=published)
    assert plain.is_valid() and plain.to_count is plain.qs
