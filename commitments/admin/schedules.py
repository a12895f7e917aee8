"""The scheduled jobs' schedules (django-celery-beat) in the admin.

Staff change when the jobs run on the Periodic tasks page. The project's tasks run on
crontab schedules (the flag job, the digests) and an interval (the reminders' sweeper):
those two stay editable from the periodic task's page (its select, with the add and
change links beside it) but leave the sidebar and the index; clocked and solar
schedules, which no task here uses, are gone from the admin, and so from the task's form.
"""

from django.contrib import admin
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

UNUSED = {"clocked", "solar"}

for model in (ClockedSchedule, SolarSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask):
    admin.site.unregister(model)


class FromTheTaskOnly:
    """Registered, so that the periodic task's page links to it, but not listed."""

    def has_module_permission(self, request):
        return False


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(FromTheTaskOnly, beat_admin.CrontabScheduleAdmin):
    pass


@admin.register(IntervalSchedule)
class IntervalScheduleAdmin(FromTheTaskOnly, beat_admin.IntervalScheduleAdmin):
    pass


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    fieldsets = [
        (name, {**options, "fields": [f for f in options["fields"] if f not in UNUSED]})
        for name, options in beat_admin.PeriodicTaskAdmin.fieldsets
    ]
    # The package's own template adds an inline script (a live crontab translation),
    # which the Content-Security-Policy refuses; the translation is shown as a field.
    change_form_template = "admin/change_form.html"
