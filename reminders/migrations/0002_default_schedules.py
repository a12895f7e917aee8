"""The default schedules of the reminder jobs (django-celery-beat, editable in the admin)
and the staff's permissions on reminders.

Weekly recipients get their digest on Mondays at 08:00 and daily ones every day at 08:00,
both in the site's time zone: two schedules of the same task, so that staff can move one
without the other. The sweeper runs every 10 minutes.
"""

import json

from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations

# name: (task, keyword arguments, minute, hour, day of week)
CRONTAB_SCHEDULES = {
    "Send reminder digests": (
        "reminders.tasks.send_reminders",
        {"frequency": "weekly"},
        "0",
        "8",
        "1",
    ),
    "Send daily reminder digests": (
        "reminders.tasks.send_reminders",
        {"frequency": "daily"},
        "0",
        "8",
        "*",
    ),
}
SWEEP = "Sweep reminders"
SWEEP_EVERY_MINUTES = 10

# Everyone on staff may see the digests and whether they failed; reviewers may also send
# failed ones again ("change" allows only that action) and set colleagues' preferences.
GROUP_PERMISSIONS = {
    "Editors": ["view_reminder", "view_reminderpreference"],
    "Reviewers": [
        "view_reminder",
        "change_reminder",
        "view_reminderpreference",
        "add_reminderpreference",
        "change_reminderpreference",
    ],
}


def fill(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, kwargs, minute, hour, day_of_week) in CRONTAB_SCHEDULES.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "kwargs": json.dumps(kwargs), "crontab": crontab}
        )
    interval, _ = IntervalSchedule.objects.get_or_create(
        every=SWEEP_EVERY_MINUTES, period="minutes"
    )
    PeriodicTask.objects.get_or_create(
        name=SWEEP, defaults={"task": "reminders.tasks.sweep_reminders", "interval": interval}
    )

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="reminders", codename__in=codenames)
        )


def unfill(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[*CRONTAB_SCHEDULES, SWEEP]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("commitments", "0006_follow_up_engine"),
    ]

    operations = [migrations.RunPython(fill, unfill)]
