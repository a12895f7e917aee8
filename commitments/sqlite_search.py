"""Full-text search on SQLite: an FTS5 index of each pledge's words, which Python's own
sqlite3 module ships.

PostgreSQL searches the stored `search_document` through its GIN index. SQLite, the
embedded database, searches the FTS5 table `commitment_fts` instead: an external-content
table over the column `Commitment.search_text` (the pledge's title, summary, platform's
name and the titles of the sources it cites, as one text; no words for a draft, which
the public search never shows: DRAFT_TEXT). FTS5 keeps only the index; the
text it was built from is that column. Nothing keeps the two in step by itself (no
trigger, no signal): `search_text_refresh`, called by `commitments_refresh` like every
derived value, removes a pledge's old words from the index, rewrites its text and indexes
the new one, in one transaction. Migration 0022 built the index from the column whole
(FTS5's 'rebuild', which also repairs an index out of step with its column).

A word matches the start of a word ("protect" finds "protection"), as on PostgreSQL;
every word must match. Only letters and digits reach the MATCH expression, each quoted,
so no input is an FTS5 syntax error.
"""

import json
import re

from django.db import connections
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat

TABLE = "commitment_fts"
# Made by migration 0022 (which freezes this text). unicode61 folds case and, with
# remove_diacritics 2, accents: "securite" finds "sécurité". The statements are written
# out whole, the ids passed as one JSON array: no SQL is put together from pieces.
CREATE_TABLE = (
    "CREATE VIRTUAL TABLE commitment_fts USING fts5(search_text, "
    "content='commitments_commitment', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')"
)
# An external-content index forgets a row only when told the text it indexed.
FORGET = (
    "INSERT INTO commitment_fts(commitment_fts, rowid, search_text) "
    "SELECT 'delete', id, search_text FROM commitments_commitment "
    "WHERE id IN (SELECT value FROM json_each(%s)) AND search_text <> ''"
)
INDEX = (
    "INSERT INTO commitment_fts(rowid, search_text) "
    "SELECT id, search_text FROM commitments_commitment "
    "WHERE id IN (SELECT value FROM json_each(%s)) AND search_text <> ''"
)
OPTIMIZE = "INSERT INTO commitment_fts(commitment_fts) VALUES ('optimize')"
MATCHES = "SELECT rowid FROM commitment_fts WHERE commitment_fts MATCH %s"
COUNT_MATCHES = (
    "SELECT COUNT(*) FROM (SELECT rowid FROM commitment_fts WHERE commitment_fts MATCH %s LIMIT %s)"
)
# Ids per statement.
CHUNK = 2000


class GroupConcat(Aggregate):
    function = "GROUP_CONCAT"
    output_field = CharField()


# A draft's search text (SEARCHABLE): no words, but not empty. An empty text means a row
# not yet indexed (a new one, before its first refresh), which FORGET must skip; a draft
# is indexed, with no words, so that FTS5's integrity check finds every refreshed row of
# the content table in the index.
DRAFT_TEXT = " "


def search_text():
    """The text a pledge is found by: its title, summary, platform's name and cited
    sources' titles (the same fields as PostgreSQL's search document); none for a draft
    (DRAFT_TEXT)."""
    from commitments.models import Citation, Platform
    from commitments.models.pledges import SEARCHABLE

    platform_name = Platform.objects.filter(pk=OuterRef("platform_id")).values("name")
    source_titles = (
        Citation.objects.filter(commitment=OuterRef("pk"))
        .order_by()
        .values("commitment")
        .annotate(titles=GroupConcat("source__title", Value(" ")))
        .values("titles")
    )
    space = Value(" ")
    text = Concat(
        "title",
        space,
        "summary",
        space,
        Coalesce(Subquery(platform_name), Value("")),
        space,
        Coalesce(Subquery(source_titles), Value("")),
        output_field=CharField(),
    )
    return Case(When(SEARCHABLE, then=text), default=Value(DRAFT_TEXT))


def search_text_refresh(commitments: QuerySet) -> int:
    """Rewrite these pledges' search text and their entries in the index; returns the
    rows rewritten. Must run inside a transaction (commitments_refresh's)."""
    ids = list(commitments.order_by().values_list("pk", flat=True))
    connection = connections[commitments.db]
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            cursor.execute(FORGET, [json.dumps(chunk)])
            commitments.model.objects.using(commitments.db).filter(pk__in=chunk).update(
                search_text=search_text()
            )
            cursor.execute(INDEX, [json.dumps(chunk)])
    return len(ids)


def search_index_optimize(connection) -> None:
    """Merge the index's segments into one (FTS5's 'optimize'). Each refresh adds a
    segment and FTS5 merges them only now and then, so a search reads many, and the
    words they forgot: after 400,000 drafts left the index at a million pledges, a
    common word's matches took 28 ms to read, 15 once merged (4.5 s)."""
    with connection.cursor() as cursor:
        cursor.execute(OPTIMIZE)


def match_expression(text: str, *, max_words: int) -> str | None:
    """FTS5's MATCH expression for `text`: every word, as the start of a word; None when
    it holds nothing to search for."""
    words = re.findall(r"\w+", text)[:max_words]
    if not words:
        return None
    return " AND ".join(f'"{word}"*' for word in words)


# More matches than this and a word is common: see `matching`. Where the two ways cost
# the same at a million pledges (600,000 published): 119 matches read by id 4 ms, along
# the page's order 18; 1,047 matches 21 and 22; 9,832 matches 12.6 and 2.6.
COMMON = 2_000
# The count's form: the pledges joined to their matches (see `matching`).
JOINED = f'{TABLE}.rowid = "commitments_commitment"."id" AND {TABLE} MATCH %s'


def matching(queryset: QuerySet, expression: str, *, to_count: bool = False) -> QuerySet:
    """`queryset` narrowed to the pledges whose text matches `expression`.

    How SQLite should read them depends on how many match, which FTS5 tells in about a
    millisecond (it stops counting at COMMON). A rare word: from the matches, each pledge
    looked up by id and the few of them sorted. A common word: along the index of the
    page's order, each pledge checked against the matches, until the page is full; its
    id is written `id + 0` so that SQLite cannot take the first way, which sorted 800,000
    matches of a word at a million pledges (0.5 s, against 0.1 s; bench/README.md).

    `to_count`: the form to count up to a cap, in no order (CappedPaginator's
    `count_list`): the pledges joined to the index, so that SQLite reads the matches one
    by one and looks each pledge up, until the cap. Written `id IN (matches)`, it first
    copies every match into a temporary index (a common word's 181,515 at a million
    pledges: 25 ms, against 12 for the join).
    """
    if to_count:
        # A constant clause; the words reach it only as a bound parameter.
        return queryset.extra(tables=[TABLE], where=[JOINED], params=[expression])  # nosec B610
    matches = RawSQL(MATCHES, [expression])  # nosec B611
    if not is_common(connections[queryset.db], expression):
        return queryset.filter(pk__in=matches)
    return queryset.alias(fts_id=F("pk") + 0).filter(fts_id__in=matches)


def is_common(connection, expression: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(COUNT_MATCHES, [expression, COMMON + 1])
        (found,) = cursor.fetchone()
    return found > COMMON
