"""Ratings drafted by Editors and approved by Reviewers: every rating made so far was
public, so it counts as approved when it was recorded; Reviewers may approve."""

from django.conf import settings
import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models import F


def approve_existing(apps, schema_editor):
    FollowUp = apps.get_model("commitments", "FollowUp")
    FollowUp.objects.exclude(status_after="").update(approved_at=F("created_at"))
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    reviewers.permissions.add(
        Permission.objects.get(content_type__app_label="commitments", codename="approve_rating")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0009_ratings_on_evidence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="followup",
            options={
                "ordering": ["happened_on", "id"],
                "permissions": [("approve_rating", "Can approve a drafted rating")],
                "verbose_name": "follow-up",
            },
        ),
        migrations.AddField(
            model_name="followup",
            name="approved_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="followup",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalfollowup",
            name="approved_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalfollowup",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(approve_existing, migrations.RunPython.noop),
    ]
