"""Reviews as records (date, places searched, findings, by role), which keep
Commitment.last_reviewed_on; each date staff set by hand becomes a review, and the staff
groups may record them."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

NOT_ITEMISED = "its findings were recorded before reviews were itemised"


def recompute_due_dates(apps, schema_editor):
    """A review now resets the follow-up clock: the due dates of existing pledges, by the
    rule the rest of the code uses (imported, not frozen: it is the rule). A database
    with no pledges, as every fresh one, has nothing to compute and imports nothing, so
    later schema changes cannot break this step for it."""
    if not apps.get_model("commitments", "Commitment").objects.exists():
        return
    from commitments.models import Commitment
    from commitments.refresh import refresh_due_dates

    refresh_due_dates(Commitment.objects.using(schema_editor.connection.alias))


def keep_dates_as_reviews(apps, schema_editor):
    Commitment = apps.get_model("commitments", "Commitment")
    Review = apps.get_model("commitments", "Review")
    Review.objects.bulk_create(
        (
            Review(commitment_id=pk, reviewed_on=day, searched="", found=NOT_ITEMISED, role="")
            for pk, day in Commitment.objects.filter(last_reviewed_on__isnull=False)
            .values_list("pk", "last_reviewed_on")
            .iterator()
        ),
        batch_size=2000,
    )
    recompute_due_dates(apps, schema_editor)
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    actions = {
        "Editors": ["add", "change", "view"],
        "Reviewers": ["add", "change", "view", "delete"],
    }
    for name, allowed in actions.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_review" for action in allowed] + ["view_historicalreview"]
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="commitments", codename__in=codenames
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0010_approved_ratings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="commitment",
            name="last_reviewed_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="historicalcommitment",
            name="last_reviewed_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.CreateModel(
            name="HistoricalReview",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("reviewed_on", models.DateField()),
                (
                    "searched",
                    models.CharField(
                        help_text="Where the tracker looked, as the public reads it: “the platform's newsroom and transparency centre”.",
                        max_length=300,
                        verbose_name="places searched",
                    ),
                ),
                (
                    "found",
                    models.CharField(
                        default="no new evidence found",
                        help_text="In a few words. New evidence is recorded as a follow-up, with its source.",
                        max_length=300,
                        verbose_name="what it found",
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("editor", "an Editor"), ("reviewer", "a Reviewer")],
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "commitment",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="commitments.commitment",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical review",
                "verbose_name_plural": "historical reviews",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Review",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reviewed_on", models.DateField()),
                (
                    "searched",
                    models.CharField(
                        help_text="Where the tracker looked, as the public reads it: “the platform's newsroom and transparency centre”.",
                        max_length=300,
                        verbose_name="places searched",
                    ),
                ),
                (
                    "found",
                    models.CharField(
                        default="no new evidence found",
                        help_text="In a few words. New evidence is recorded as a follow-up, with its source.",
                        max_length=300,
                        verbose_name="what it found",
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("editor", "an Editor"), ("reviewer", "a Reviewer")],
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "commitment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reviews",
                        to="commitments.commitment",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-reviewed_on", "-id"],
                "indexes": [
                    models.Index(fields=["commitment", "-reviewed_on"], name="review_newest")
                ],
            },
        ),
        migrations.RunPython(keep_dates_as_reviews, migrations.RunPython.noop),
    ]
