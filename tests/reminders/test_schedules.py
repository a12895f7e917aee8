"""The default schedules that migration reminders/0002 writes (django-celery-beat)."""

from django_celery_beat.models import PeriodicTask


def test_the_default_schedules_are_in_the_database(db, settings):
    weekly = PeriodicTask.objects.get(name="Send reminder digests")
    daily = PeriodicTask.objects.get(name="Send daily reminder digests")
    sweep = PeriodicTask.objects.get(name="Sweep reminders")

    assert weekly.task == daily.task == "reminders.tasks.send_reminders"
    assert (weekly.kwargs, daily.kwargs) == ('{"frequency": "weekly"}', '{"frequency": "daily"}')
    crontab = weekly.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("0", "8", "1")
    assert str(crontab.timezone) == settings.TIME_ZONE
    assert (daily.crontab.hour, daily.crontab.day_of_week) == ("8", "*")
    assert sweep.task == "reminders.tasks.sweep_reminders"
    assert (sweep.interval.every, sweep.interval.period) == (10, "minutes")
