"""Source snapshots (the kept text of a source, a version per change), the flag reason
"wording changed" with its snapshot and detail, and the daily snapshot_sources schedule
(editable in the admin's Periodic tasks)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SCHEDULE = "Snapshot sources"
TASK = "commitments.tasks.snapshot_sources"


def add_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # Daily, before the link check (05:00) and the flag run (05:30).
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="4",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(name=SCHEDULE, defaults={"task": TASK, "crontab": crontab})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0017_person_note"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="SourceSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(help_text="The page's readable text, normalised.")),
                (
                    "sha256",
                    models.CharField(
                        help_text="Of the normalised text.", max_length=64, verbose_name="SHA-256"
                    ),
                ),
                ("content_type", models.CharField(max_length=100)),
                ("fetched_url", models.URLField(max_length=2000, verbose_name="read at")),
                ("first_seen_at", models.DateTimeField()),
                ("last_seen_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "kept text of a source",
                "verbose_name_plural": "kept texts of sources",
                "ordering": ["source", "first_seen_at", "id"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="flag",
            name="flag_one_open_per_source",
        ),
        migrations.RemoveConstraint(
            model_name="flag",
            name="flag_source_only_when_unreachable",
        ),
        migrations.AddField(
            model_name="flag",
            name="detail",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="snapshot_checked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="snapshot_error",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name="source",
            name="snapshot_checked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="source",
            name="snapshot_error",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AlterField(
            model_name="flag",
            name="reason",
            field=models.CharField(
                choices=[
                    ("overdue", "Follow-up overdue"),
                    ("unsourced", "Published without a source"),
                    ("source_unreachable", "Source unreachable"),
                    ("lapse_proposed", "Deadline passed: lapse proposed"),
                    ("wording_changed", "Quoted wording changed"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="sourcesnapshot",
            name="source",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="snapshots",
                to="commitments.source",
            ),
        ),
        migrations.AddField(
            model_name="flag",
            name="snapshot",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="flags",
                to="commitments.sourcesnapshot",
            ),
        ),
        migrations.AddField(
            model_name="flag",
            name="lost_citations",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("resolved_at__isnull", True), ("source__isnull", False)),
                fields=("commitment", "source", "reason"),
                name="flag_one_open_per_source",
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("reason__in", ["source_unreachable", "wording_changed"]),
                        ("source__isnull", False),
                    ),
                    models.Q(
                        models.Q(
                            ("reason__in", ["source_unreachable", "wording_changed"]), _negated=True
                        ),
                        ("source__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="flag_source_only_for_source_reasons",
            ),
        ),
        migrations.AddIndex(
            model_name="sourcesnapshot",
            index=models.Index(
                fields=["source", "-first_seen_at"], name="snapshot_newest_per_source"
            ),
        ),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
