"""Indexes for the public list's filters and sorts that had none.

A stored search document per pledge, with a GIN index, for the `q` filter.

PostgreSQL only: on SQLite the column stays empty and the search reads the fields. The
index is not in Commitment.Meta.indexes because SQLite cannot build a GIN index; this
migration makes it, and tests/test_search.py checks the planner uses it.
"""

import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

INDEX = GinIndex(fields=["search_document"], name="commitment_search")

# The same document as refresh_search_documents() (commitments/refresh.py), frozen here as SQL.
FILL = """
UPDATE commitments_commitment AS c
SET search_document = to_tsvector(
    'simple',
    concat_ws(
        ' ',
        c.title,
        c.summary,
        (SELECT p.name FROM commitments_platform AS p WHERE p.id = c.platform_id),
        (
            SELECT string_agg(s.title, ' ')
            FROM commitments_citation AS ci
            JOIN commitments_source AS s ON s.id = ci.source_id
            WHERE ci.commitment_id = c.id
        )
    )
)
"""


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FILL)
    schema_editor.add_index(apps.get_model("commitments", "Commitment"), INDEX)


def remove_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("commitments", "Commitment"), INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0004_overview_and_count_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(add_search_index, remove_search_index),
        migrations.RemoveIndex(
            model_name="commitment",
            name="commitment_by_change",
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                fields=["published", "-updated_at", "-id"], name="commitment_by_change"
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("published", True)),
                fields=["worldwide", "countries"],
                name="commitment_by_country",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                models.Case(
                    models.When(status="announced", then=models.Value(0)),
                    models.When(status="in_progress", then=models.Value(1)),
                    models.When(status="delivered", then=models.Value(2)),
                    models.When(status="verified", then=models.Value(3)),
                    models.When(status="stalled", then=models.Value(4)),
                    models.When(status="lapsed", then=models.Value(5)),
                    models.When(status="withdrawn", then=models.Value(6)),
                    output_field=models.IntegerField(),
                ),
                models.F("id"),
                condition=models.Q(("published", True)),
                name="commitment_by_status_rank",
            ),
        ),
    ]
