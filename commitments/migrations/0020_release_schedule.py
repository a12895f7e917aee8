"""The default schedule of the monthly release (django-celery-beat, editable in the
admin's Periodic tasks): the first of each month at 06:00 in the site's time zone,
after the night's link check and flag run, so that a release has their results."""

from django.conf import settings
from django.db import migrations

NAME = "Make a data release"
TASK = "commitments.tasks.make_release"
# minute, hour, day of month
WHEN = ("0", "6", "1")


def fill(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    minute, hour, day_of_month = WHEN
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_week="*",
        day_of_month=day_of_month,
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": TASK, "crontab": crontab})


def unfill(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0019_rosters"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(fill, unfill)]
