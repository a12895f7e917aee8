import django.db.models.deletion
from django.db import migrations, models

# The whole indexes Django made for these two keys (named as it names them, the same on
# SQLite and PostgreSQL). Dropped by name rather than through AlterField, which on SQLite
# copies the whole citation table twice (15 s at a million pledges) to drop an index.
WHOLE_INDEXES = {
    "commitments_citation_initiative_id_494a0f47": "initiative_id",
    "commitments_citation_person_id_6f273058": "person_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0026_admin_status_index_with_published"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in WHOLE_INDEXES],
                    reverse_sql=[
                        f'CREATE INDEX "{name}" ON "commitments_citation" ("{column}")'
                        for name, column in WHOLE_INDEXES.items()
                    ],
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="citation",
                    name="initiative",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="citations",
                        to="commitments.initiative",
                    ),
                ),
                migrations.AlterField(
                    model_name="citation",
                    name="person",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Who is quoted.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="citations",
                        to="commitments.person",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="citation",
            index=models.Index(
                condition=models.Q(("initiative__isnull", False)),
                fields=["initiative"],
                name="citation_by_initiative",
            ),
        ),
        migrations.AddIndex(
            model_name="citation",
            index=models.Index(
                condition=models.Q(("person__isnull", False)),
                fields=["person"],
                name="citation_by_person",
            ),
        ),
    ]
