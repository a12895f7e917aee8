"""Making and sending digests against a real SMTP server (reminders/sending.py): the
email itself, and each digest exactly once through claims, retries and the sweeper."""

import datetime
import logging

import pytest
from django.db import transaction

from reminders import sending, tasks
from reminders.models import Reminder, ReminderPreference
from tests.concurrency import run_at_once
from tests.processes import free_port
from tests.reminders.helpers import NOW, TODAY, flagged, later, person


def make_rows(today=TODAY) -> list[Reminder]:
    """This period's rows, due from NOW (the tests deliver at NOW, or later)."""
    sending.reminders_create(today=today)
    Reminder.objects.update(next_attempt_at=NOW)
    return list(Reminder.objects.order_by("recipient__username"))


def one_row() -> Reminder:
    (reminder,) = make_rows()
    return reminder


def test_an_owner_gets_one_digest_with_text_html_and_headers(platform, editor, smtp, settings):
    settings.SITE_URL = "https://tracker.example.org"
    flag = flagged(platform, "TikTok joins WeProtect", owner=editor)
    reminder = one_row()

    assert sending.reminder_deliver(reminder_id=reminder.pk, now=NOW).outcome == sending.SENT

    (message,) = smtp.messages
    assert message["To"] == "editor@example.org"
    assert message["Subject"] == "1 item to follow up (2026-W48), 1 new"
    admin_url = (
        f"https://tracker.example.org/admin/commitments/commitment/{flag.commitment_id}/change/"
    )
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    for part in ("TikTok\n- TikTok joins WeProtect [new]", "Follow-up overdue, 30 days waiting"):
        assert part in text
    assert admin_url in text
    html = message.get_body(("html",)).get_content()
    assert f'<a href="{admin_url}">TikTok joins WeProtect</a>' in html
    assert "<td>Follow-up overdue</td>" in html.replace(' style="padding: 4px 8px 4px 0;"', "")
    reminder.refresh_from_db()
    assert message["Message-ID"] == reminder.message_id
    assert reminder.message_id.endswith("@tracker.example.org>")
    unsubscribe = message["List-Unsubscribe"].strip()  # folded: the URL is long
    assert unsubscribe.startswith("<https://tracker.example.org/reminders/preferences/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in text
    assert (reminder.status, reminder.attempts, reminder.item_count) == ("sent", 1, 1)
    assert reminder.sent_at is not None
    assert reminder.items == ["TikTok: TikTok joins WeProtect (Follow-up overdue, 30 days)"]


def test_weekly_and_daily_recipients_get_rows_for_their_own_period(platform, editor):
    daily = person("daily")
    ReminderPreference.objects.create(user=daily, frequency="daily")
    flagged(platform, "Weekly one's", owner=editor)
    flagged(platform, "Daily one's", owner=daily)

    assert sending.reminders_create(today=TODAY) == sending.Created(recipients=2, created=2)

    periods = dict(Reminder.objects.values_list("recipient__username", "period"))
    assert periods == {"editor": "2026-W48", "daily": "2026-11-25"}


def test_making_the_rows_twice_in_a_period_adds_none(platform, editor):
    flagged(platform, "Pledge", owner=editor)
    sending.reminders_create(today=TODAY)

    again = sending.reminders_create(today=TODAY + datetime.timedelta(days=2))

    assert again == sending.Created(recipients=1, created=0)
    assert Reminder.objects.count() == 1


def test_nothing_is_made_or_sent_when_no_digest_has_anything(platform, editor, smtp):
    flagged(platform, "Resolved", owner=editor, resolved_at=NOW)

    assert sending.reminders_create(today=TODAY).recipients == 0
    assert not Reminder.objects.exists()
    assert smtp.messages == []


def test_a_digest_emptied_before_it_is_sent_is_skipped_not_sent(platform, editor, smtp):
    flag = flagged(platform, "Fixed meanwhile", owner=editor)
    reminder = one_row()
    flag.resolved_at = NOW
    flag.save()

    assert sending.reminder_deliver(reminder_id=reminder.pk, now=NOW).outcome == sending.SKIPPED

    assert smtp.messages == []
    reminder.refresh_from_db()
    assert reminder.status == "skipped"


def test_a_row_already_claimed_or_sent_is_not_sent_again(platform, editor, smtp):
    flagged(platform, "Pledge", owner=editor)
    reminder = one_row()

    assert sending.reminder_deliver(reminder_id=reminder.pk, now=NOW).outcome == sending.SENT
    assert sending.reminder_deliver(reminder_id=reminder.pk, now=NOW).outcome == sending.NOT_CLAIMED

    assert len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_of_one_row_send_one_mail(platform, smtp):
    owner = person("owner")
    flagged(platform, "Pledge", owner=owner)
    reminder = one_row()
    smtp.delay = 0.5  # the winner is still talking to SMTP when the other one tries
    outcomes = run_at_once(lambda: sending.reminder_deliver(reminder_id=reminder.pk).outcome)

    assert sorted(outcomes) == [sending.NOT_CLAIMED, sending.SENT]
    assert len(smtp.messages) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 1)


def test_a_temporary_error_puts_the_row_back_with_backoff(platform, editor, smtp):
    flagged(platform, "Pledge", owner=editor)
    reminder = one_row()
    smtp.replies = ["451 4.3.0 Try again later"]

    delivery = sending.reminder_deliver(reminder_id=reminder.pk, now=NOW)

    assert delivery == sending.Delivery(sending.RETRY, retry_in=60)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("pending", 1)
    assert reminder.next_attempt_at == NOW + datetime.timedelta(seconds=60)
    assert "451" in reminder.last_error
    assert smtp.messages == []


def test_the_message_id_is_the_same_on_every_attempt(platform, editor, smtp):
    flagged(platform, "Pledge", owner=editor)
    reminder = one_row()
    smtp.replies = ["451 4.3.0 Try again later"]

    sending.reminder_deliver(reminder_id=reminder.pk)
    sending.reminder_deliver(reminder_id=reminder.pk, now=later(minutes=2))  # after the backoff

    (refused,) = smtp.refused
    (accepted,) = smtp.messages
    assert refused["Message-ID"] == accepted["Message-ID"] == reminder.message_id


def test_a_refused_connection_is_temporary(platform, editor, smtp, settings):
    flagged(platform, "Pledge", owner=editor)
    reminder = one_row()
    settings.EMAIL_PORT = free_port()  # nothing listens there: refused

    assert sending.reminder_deliver(reminder_id=reminder.pk).outcome == sending.RETRY

    reminder.refresh_from_db()
    assert reminder.status == "pending"
    assert "ConnectionRefusedError" in reminder.last_error


def test_an_error_of_our_own_is_retried_and_logged_with_its_traceback(
    platform, editor, smtp, settings, caplog
):
    flagged(platform, "Pledge", owner=editor)
    reminder = one_row()
    # A misconfigured sender address: Django refuses it before any message is sent.
    settings.DEFAULT_FROM_EMAIL = "Tracker <tracker@example.org>\nBcc: someone@example.org"

    with caplog.at_level(logging.ERROR, logger="reminders.sending"):
        assert sending.reminder_deliver(reminder_id=reminder.pk).outcome == sending.RETRY

    reminder.refresh_from_db()
    assert reminder.status == "pending"
    assert reminder.last_error.startswith("ValueError: Invalid address")
    (record,) = [record for record in caplog.records if record.name == "reminders.sending"]
    assert record.getMessage() == f"Reminder {reminder.pk} could not be sent"
    assert record.exc_info[0] is ValueError
    assert smtp.messages == []


def test_a_smtp_error_is_logged_without_a_traceback(platform, editor, smtp, caplog):
    flagged(platform, "Pledge", owner=editor)
    reminder = one_row()
    smtp.replies = ["451 4.3.0 Try again later"]

    with caplog.at_level(logging.INFO, logger="reminders.sending"):
        assert sending.reminder_deliver(reminder_id=reminder.pk).outcome == sending.RETRY

    ours = [record for record in caplog.records if record.name == "reminders.sending"]
    assert [(r.levelname, r.exc_info) for r in ours] == [("INFO", None)]
    assert "451 4.3.0 Try again later; retrying" in ours[0].getMessage()


def test_a_permanent_error_fails_the_row_at_once(platform, editor, smtp):
    flagged(platform, "Pledge", owner=editor)
    reminder = one_row()
    smtp.replies = ["550 5.7.1 Message rejected"]

    assert sending.reminder_deliver(reminder_id=reminder.pk).outcome == sending.FAILED

    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("failed", 1)
    assert "550" in reminder.last_error
    assert tasks.queue_due_reminders(later(days=1)) == 0


def test_a_refused_recipient_fails_the_row(platform, editor, smtp):
    flagged(platform, "Pledge", owner=editor)
    reminder = one_row()
    smtp.rejected = {"editor@example.org"}

    assert sending.reminder_deliver(reminder_id=reminder.pk).outcome == sending.FAILED

    reminder.refresh_from_db()
    assert "No such mailbox" in reminder.last_error


def test_it_gives_up_after_the_last_attempt(platform, editor, smtp):
    flagged(platform, "Pledge", owner=editor)
    reminder = one_row()
    Reminder.objects.filter(pk=reminder.pk).update(attempts=sending.MAX_ATTEMPTS - 1)
    smtp.replies = ["451 4.3.0 Try again later"]

    assert sending.reminder_deliver(reminder_id=reminder.pk).outcome == sending.FAILED

    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("failed", sending.MAX_ATTEMPTS)


def test_backoff_doubles_from_a_minute_up_to_half_an_hour():
    delays = [sending.retry_delay(attempts) for attempts in range(1, 9)]

    assert delays == [60, 120, 240, 480, 960, 1800, 1800, 1800]


def test_the_sweeper_takes_back_an_expired_claim_and_it_is_sent_once(
    platform, editor, smtp, queued, django_capture_on_commit_callbacks
):
    flagged(platform, "Pledge", owner=editor)
    reminder = one_row()
    # A sender claimed it, then died before finishing.
    assert sending.claim(reminder.pk, NOW)
    timeout = sending.claim_timeout()

    assert sending.reminders_release_expired(now=NOW + timeout - datetime.timedelta(seconds=1)) == 0
    assert sending.reminders_release_expired(now=NOW + timeout + datetime.timedelta(seconds=1)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.queue_due_reminders(later(seconds=timeout.seconds + 1)) == 1
    assert queued == [reminder.pk]
    assert sending.reminder_deliver(reminder_id=reminder.pk).outcome == sending.SENT

    assert sending.reminders_release_expired(now=later(days=1)) == 0
    assert tasks.queue_due_reminders(later(days=1)) == 0
    assert len(smtp.messages) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 2)


def test_the_claim_outlasts_a_whole_smtp_conversation(settings):
    # The task is stopped before its claim can be taken back from it.
    assert tasks.deliver_reminder.time_limit == 10 * settings.EMAIL_TIMEOUT
    assert tasks.deliver_reminder.time_limit < sending.claim_timeout().total_seconds()

    settings.EMAIL_TIMEOUT = 30
    assert sending.claim_timeout() == datetime.timedelta(minutes=6)


def test_a_rolled_back_transaction_queues_nothing(
    platform, editor, queued, django_capture_on_commit_callbacks
):
    flagged(platform, "Pledge", owner=editor)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            sending.reminders_create(today=TODAY)
            tasks.queue_due_reminders()
            raise RuntimeError("rolled back")

    assert callbacks == []
    assert queued == []
    assert not Reminder.objects.exists()


def test_deliveries_are_queued_only_when_the_transaction_commits(
    platform, editor, queued, django_capture_on_commit_callbacks
):
    flagged(platform, "Pledge", owner=editor)

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            sending.reminders_create(today=TODAY)
            tasks.queue_due_reminders()
            assert queued == []

    assert queued == [Reminder.objects.get().pk]
