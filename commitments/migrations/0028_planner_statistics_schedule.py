"""The default schedule of the planner's statistics (commitments/planner_statistics.py;
django-celery-beat, editable in the admin's Periodic tasks): daily at 03:30 in the site's
time zone, before the night's source snapshots, link check and flag run."""

from django.conf import settings
from django.db import migrations

NAME = "Refresh the planner's statistics"
TASK = "commitments.tasks.refresh_planner_statistics"
# minute, hour
WHEN = ("30", "3")


def fill(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    minute, hour = WHEN
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def unfill(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0027_citation_partial_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(fill, unfill)]
