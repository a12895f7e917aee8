"""When each job first started (for /healthz), and Reviewers may edit the schedules."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models
from django.db.models import F

SCHEDULE_PERMISSIONS = [
    "view_periodictask",
    "change_periodictask",
    "view_crontabschedule",
    "add_crontabschedule",
    "change_crontabschedule",
    "view_intervalschedule",
    "add_intervalschedule",
    "change_intervalschedule",
]


def fill(apps, schema_editor):
    JobRun = apps.get_model("commitments", "JobRun")
    JobRun.objects.filter(first_started_at__isnull=True).update(
        first_started_at=F("last_started_at")
    )
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    reviewers.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="django_celery_beat", codename__in=SCHEDULE_PERMISSIONS
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0006_follow_up_engine"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="jobrun",
            name="first_started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
