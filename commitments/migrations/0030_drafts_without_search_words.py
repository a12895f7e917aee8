"""A draft has no search words (SEARCHABLE in commitments/models/pledges.py): its search
document (PostgreSQL) is emptied, or its search text (SQLite) made one space and indexed
again with no words, so that the search's index holds published pledges' words only. refresh_search_documents() keeps it so from
now on, and publishing a pledge gives it its words.

Backwards this changes nothing: a draft without search words was never shown by the
public search, which reads published pledges only.
"""

from django.db import migrations

# An external-content FTS5 index forgets a row only when told the text it indexed: the
# column's, before it is emptied (as sqlite_search.FORGET, frozen here).
FORGET_DRAFTS = (
    "INSERT INTO commitment_fts(commitment_fts, rowid, search_text) "
    "SELECT 'delete', id, search_text FROM commitments_commitment "
    "WHERE NOT published AND search_text <> ''"
)
# A draft's text is one space (sqlite_search.DRAFT_TEXT): no words, but indexed.
EMPTY_DRAFTS_TEXT = (
    "UPDATE commitments_commitment SET search_text = ' ' WHERE NOT published AND search_text <> ''"
)
INDEX_DRAFTS = (
    "INSERT INTO commitment_fts(rowid, search_text) "
    "SELECT id, search_text FROM commitments_commitment WHERE NOT published AND search_text = ' '"
)
EMPTY_DRAFTS_DOCUMENT = (
    "UPDATE commitments_commitment SET search_document = NULL "
    "WHERE NOT published AND search_document IS NOT NULL"
)


def empty_drafts_search_words(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(FORGET_DRAFTS)
        schema_editor.execute(EMPTY_DRAFTS_TEXT)
        schema_editor.execute(INDEX_DRAFTS)
        # The forgotten words are marks in new segments until merged (4.5 s at a million).
        schema_editor.execute("INSERT INTO commitment_fts(commitment_fts) VALUES ('optimize')")
    else:
        schema_editor.execute(EMPTY_DRAFTS_DOCUMENT)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0029_overview_and_initiative_indexes"),
    ]

    operations = [
        migrations.RunPython(empty_drafts_search_words, migrations.RunPython.noop),
    ]
