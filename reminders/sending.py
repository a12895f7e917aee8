"""Making and sending the digests, each exactly once.

1. `reminders_create` writes one pending Reminder row per recipient with something to
   report and period (unique together, so a second run adds nothing).
2. `deliver` claims one row with a conditional UPDATE (pending -> sending); only the
   process whose UPDATE changed the row talks to SMTP. It then marks the row sent, or
   puts it back to pending with a later `next_attempt_at` after a temporary error, or
   failed after a permanent one or too many attempts.
3. `reminders_release_expired` (the sweeper) puts back to pending the rows whose sender
   died mid-way, once their claim is older than `claim_timeout()`.

The digest's content is computed when it is sent, from the flags still awake then, so a
digest that waited for SMTP never lists a pledge fixed in the meantime; when nothing is
left, the row is marked skipped and no email goes out. What was sent is kept on the row.

One window remains that no SMTP client can close: a sender that dies after the server
accepted the message but before the row is marked sent. The row is sent again after the
claim timeout, with the same Message-ID, so mail systems and clients can drop the copy.
"""

import datetime
import logging
import smtplib
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from commitments.models import JobRun
from reminders.digests import Digest, build_digests
from reminders.models import Reminder, ReminderPreference, period_key
from reminders.preferences import preference_of
from reminders.tokens import preferences_url

logger = logging.getLogger(__name__)

# Temporary failures wait 1, 2, 4 … minutes (settings.REMINDER_RETRY_BASE_SECONDS, 60),
# at most 30 (short enough that a Celery countdown never outlives Redis's one-hour
# visibility timeout), about 3.5 hours in all before the row is given up as failed.
RETRY_MAX_SECONDS = 30 * 60
MAX_ATTEMPTS = 12

# What reminder_deliver() did.
SENT = "sent"
SKIPPED = "skipped"
RETRY = "retry"
FAILED = "failed"
NOT_CLAIMED = "not claimed"


@dataclass
class Delivery:
    outcome: str
    retry_in: int = 0  # seconds, when the outcome is RETRY


@dataclass
class Created:
    recipients: int  # with something to report in this run
    created: int  # new rows; the others already had theirs for the period


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th attempt failed for a temporary reason."""
    return min(settings.REMINDER_RETRY_BASE_SECONDS * 2 ** (attempts - 1), RETRY_MAX_SECONDS)


def claim_timeout() -> datetime.timedelta:
    """How long a claim holds before the sweeper takes it back. A send is about eight
    SMTP round trips, each allowed EMAIL_TIMEOUT; deliver_reminder's time limit stops a
    worker's send before this, so a claim is not taken back from a send still under way."""
    return datetime.timedelta(seconds=10 * settings.EMAIL_TIMEOUT + 60)


def reminders_create(*, today: datetime.date, frequency: str | None = None) -> Created:
    """A pending row for every recipient with a non-empty digest today, unless they
    already have one for the period. `frequency` limits it to daily or weekly recipients."""
    digests = build_digests(today, frequency=frequency)
    rows = [
        Reminder(
            recipient_id=pk,
            period=period_key(preference_of(digest.recipient).frequency, today),
        )
        for pk, digest in digests.items()
    ]
    existing = set(
        Reminder.objects.filter(
            recipient_id__in=digests, period__in={row.period for row in rows}
        ).values_list("recipient_id", "period")
    )
    new = [row for row in rows if (row.recipient_id, row.period) not in existing]
    # ignore_conflicts: a run at the same moment may have written some of them.
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return Created(recipients=len(rows), created=len(new))


# The JobRun that says this week's weekly rows were made (by the Monday run or a
# catch-up); not a schedule of its own, so /healthz does not list it.
WEEKLY_ROWS_MADE = "weekly digests made"


def reminders_create_due(*, today: datetime.date, frequency: str | None = None) -> Created:
    """reminders_create(), and this week's weekly digests too when a daily run finds that
    the Monday run did not make them (beat or Redis was down then): a missed run is made
    good the next day rather than the next week."""
    weekly = ReminderPreference.Frequency.WEEKLY
    made = reminders_create(today=today, frequency=frequency)
    makes_weekly = frequency in (None, weekly)
    if not makes_weekly and not weekly_rows_made(today):
        more = reminders_create(today=today, frequency=weekly)
        made = Created(made.recipients + more.recipients, made.created + more.created)
        makes_weekly = True
    if makes_weekly:
        JobRun.objects.update_or_create(
            job=WEEKLY_ROWS_MADE, defaults={"last_succeeded_at": timezone.now()}
        )
    return made


def weekly_rows_made(today: datetime.date) -> bool:
    run = JobRun.objects.filter(job=WEEKLY_ROWS_MADE).first()
    made_on = run and run.last_succeeded_at and timezone.localdate(run.last_succeeded_at)
    return bool(made_on) and made_on.isocalendar()[:2] == today.isocalendar()[:2]


def reminder_deliver(*, reminder_id: int, now: datetime.datetime | None = None) -> Delivery:
    """Send one reminder if this caller wins its claim."""
    now = now or timezone.now()
    if not claim(reminder_id, now):
        return Delivery(NOT_CLAIMED)
    reminder = Reminder.objects.select_related("recipient").get(pk=reminder_id)
    today = timezone.localdate(now)
    digest = build_digests(today, recipient_id=reminder.recipient_id).get(reminder.recipient_id)
    if digest is None:
        finish(reminder, status=Reminder.Status.SKIPPED)
        return Delivery(SKIPPED)
    try:
        digest_message(reminder, digest).send()
    except Exception as error:
        return record_failure(reminder, error, now)
    items = [item.summary() for item in digest.items]
    finish(reminder, status=Reminder.Status.SENT, sent_at=timezone.now(), items=items)
    return Delivery(SENT)


def claim(reminder_id: int, now: datetime.datetime) -> bool:
    # One UPDATE, committed before SMTP: two senders cannot both change the row. Only a
    # due row: a delivery queued twice (a sweep, a retry) must not cut a backoff short.
    claimed = (
        Reminder.objects.due(now)
        .filter(pk=reminder_id)
        .update(status=Reminder.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return claimed == 1


def finish(reminder: Reminder, *, status: str, items: list | None = None, **fields) -> None:
    """End the claim, if it is still ours (the sweeper may have taken it back)."""
    if items is not None:
        fields.update(items=items, item_count=len(items))
    changed = Reminder.objects.filter(
        pk=reminder.pk, status=Reminder.Status.SENDING, claimed_at=reminder.claimed_at
    ).update(status=status, **fields)
    if not changed:
        logger.warning("Reminder %s: claim lost before it was marked %s", reminder.pk, status)


def record_failure(reminder: Reminder, error: Exception, now: datetime.datetime) -> Delivery:
    message = describe(error)[:2000]
    if not isinstance(error, OSError):
        # Neither the server's answer nor the network (smtplib's errors are OSErrors): a
        # fault of ours, such as a bad setting or template, which needs its traceback.
        logger.error("Reminder %s could not be sent", reminder.pk, exc_info=error)
    if is_permanent(error) or reminder.attempts >= MAX_ATTEMPTS:
        logger.warning("Reminder %s failed for good: %s", reminder.pk, message)
        finish(reminder, status=Reminder.Status.FAILED, last_error=message)
        return Delivery(FAILED)
    delay = retry_delay(reminder.attempts)
    logger.info("Reminder %s: %s; retrying in %s s", reminder.pk, message, delay)
    finish(
        reminder,
        status=Reminder.Status.PENDING,
        last_error=message,
        next_attempt_at=now + datetime.timedelta(seconds=delay),
    )
    return Delivery(RETRY, retry_in=delay)


def is_permanent(error: Exception) -> bool:
    """A 5xx answer will not change by asking again. Everything else (4xx, refused or
    dropped connections, timeouts, and errors of our own) is worth another attempt."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return False


def describe(error: Exception) -> str:
    """The error as staff read it in the admin: the server's own words when it answered."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {as_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {as_text(text)}"
            for address, (code, text) in error.recipients.items()
        )
    return f"{type(error).__name__}: {error}"


def as_text(reply: bytes | str) -> str:
    # smtplib gives the server's words as bytes, but not everywhere.
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


@dataclass
class SentAgain:
    queued: list[int]  # ids of the failed reminders now pending again
    skipped: int  # selected but not failed: left as they are


def reminders_send_again(*, reminders) -> SentAgain:
    """Take the failed ones of `reminders` back to pending, due now with a fresh count of
    attempts, and queue them once the transaction commits. Sent rows are never touched."""
    from reminders.tasks import queue_deliveries  # the tasks module imports this one

    failed = reminders.filter(status=Reminder.Status.FAILED)
    ids = list(failed.values_list("pk", flat=True))
    failed.update(status=Reminder.Status.PENDING, attempts=0, next_attempt_at=timezone.now())
    transaction.on_commit(partial(queue_deliveries, ids))
    return SentAgain(queued=ids, skipped=reminders.count() - len(ids))


def reminders_release_expired(*, now: datetime.datetime | None = None) -> int:
    """Put back to pending the rows claimed longer ago than the claim timeout: their
    sender died. Rows that have used up their attempts are failed instead."""
    now = now or timezone.now()
    expired = Reminder.objects.claimed_before(now - claim_timeout())
    expired.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Reminder.Status.FAILED, last_error="Claim expired on the last attempt."
    )
    return expired.update(
        status=Reminder.Status.PENDING,
        next_attempt_at=now,
        last_error="Claim expired: the sender stopped before finishing.",
    )


def digest_message(reminder: Reminder, digest: Digest) -> EmailMultiAlternatives:
    recipient = reminder.recipient
    unsubscribe = preferences_url(recipient)
    context = {
        "recipient": recipient,
        "digest": digest,
        "count": len(digest.items),
        "period": reminder.period,
        "preferences_url": unsubscribe,
        "site_url": settings.SITE_URL,
    }
    headers = {
        "Message-ID": reminder.message_id,
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    return make_message("reminders/digest", recipient.email, context, headers)


def make_message(name: str, to: str, context: dict, headers: dict) -> EmailMultiAlternatives:
    """An email from three templates: `name`_subject.txt, `name`.txt and `name`.html."""
    subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject,
        render_to_string(f"{name}.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [to],
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"{name}.html", context), "text/html")
    return message
