"""Full-text search on SQLite: each pledge's search text and its FTS5 index.

SQLite only (commitments/sqlite_search.py): on PostgreSQL the column stays empty and the
search reads the stored search document (migration 0005). The table and the text are
frozen here as SQL; refresh_search_documents() keeps both from now on.
"""

from django.db import migrations, models

CREATE_TABLE = (
    "CREATE VIRTUAL TABLE commitment_fts USING fts5(search_text, "
    "content='commitments_commitment', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')"
)

# The same text as sqlite_search.search_text(), frozen here as SQL.
FILL = """
UPDATE commitments_commitment
SET search_text = title || ' ' || summary || ' ' || COALESCE(
    (SELECT p.name FROM commitments_platform AS p WHERE p.id = commitments_commitment.platform_id),
    ''
) || ' ' || COALESCE(
    (
        SELECT GROUP_CONCAT(s.title, ' ')
        FROM commitments_citation AS ci
        JOIN commitments_source AS s ON s.id = ci.source_id
        WHERE ci.commitment_id = commitments_commitment.id
    ),
    ''
)
"""


def add_full_text_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(CREATE_TABLE)
    schema_editor.execute(FILL)
    schema_editor.execute("INSERT INTO commitment_fts(commitment_fts) VALUES ('rebuild')")


def remove_full_text_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE commitment_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0021_listing_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(add_full_text_index, remove_full_text_index),
    ]
