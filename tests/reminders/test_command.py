"""`python manage.py send_reminders`: the same work by hand, in this process."""

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from commitments.models import Flag, JobRun
from reminders import sending
from reminders.models import Reminder, ReminderPreference
from tests.reminders.helpers import flagged, person


def send_reminders(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue().strip()


def test_it_sends_each_digest_once_however_often_it_runs(platform, editor, reviewer, smtp):
    flagged(platform, "Editor's", owner=editor)
    flagged(platform, "Nobody's")

    first = send_reminders()
    second = send_reminders()

    assert first == "Sent 2 digests, 0 failed; nothing to send for 0 recipients."
    assert second == "Nothing new to send: 2 recipients already had this period's digest."
    assert sorted(message["To"] for message in smtp.messages) == [
        "editor@example.org",
        "reviewer@example.org",
    ]


def test_it_says_so_when_nobody_has_anything_to_be_reminded_of(platform, editor, smtp):
    assert send_reminders() == "No flags to remind anyone of."
    assert smtp.messages == []


def test_it_counts_failures_and_digests_emptied_before_sending(platform, editor, smtp):
    flagged(platform, "Editor's", owner=editor)
    owner = person("owner")
    fixed = flagged(platform, "Fixed before sending", owner=owner)
    # A row made by an earlier run, whose flag was resolved since.
    Reminder.objects.create(recipient=owner, period="2026-W01")
    Flag.objects.filter(pk=fixed.pk).update(resolved_at=fixed.opened_at)
    smtp.rejected = {"editor@example.org"}

    assert send_reminders() == "Sent 0 digests, 1 failed; nothing to send for 1 recipient."


def test_it_can_send_to_one_frequency_only(platform, editor, smtp):
    daily = person("daily")
    ReminderPreference.objects.create(user=daily, frequency="daily")
    flagged(platform, "Editor's", owner=editor)
    flagged(platform, "Daily one's", owner=daily)
    weekly_digests_made_this_week()

    assert send_reminders("--frequency", "daily").startswith("Sent 1 digest,")
    assert [message["To"] for message in smtp.messages] == ["daily@example.org"]


def test_it_says_so_when_flags_are_open_but_nobody_can_receive_them(platform, smtp):
    flagged(platform, "Unowned pledge")  # and no Reviewer at all
    out = send_reminders()
    assert out.startswith("1 flag to remind of, but nobody to send a digest to")
    assert smtp.messages == []


def weekly_digests_made_this_week() -> None:
    """As if Monday's run had made them: a daily run then leaves weekly recipients alone."""
    JobRun.objects.create(job=sending.WEEKLY_ROWS_MADE, last_succeeded_at=timezone.now())
