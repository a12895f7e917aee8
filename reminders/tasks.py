"""Celery tasks: thin wrappers around reminders/sending.py.

The Reminder rows are the record of what is owed, not the messages in Redis: a task lost
with a worker or a Redis outage is queued again by the sweeper, and a task that arrives
twice loses the claim the second time and does nothing.

Schedules (migration reminders/0002, editable in the admin): "Send reminder digests"
(weekly recipients) on Mondays at 08:00 and "Send daily reminder digests" every day at
08:00, both in TIME_ZONE; "Sweep reminders" every 10 minutes.
"""

import logging
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from commitments.followup.job_runs import recorded_run
from reminders import sending
from reminders.models import Reminder

logger = logging.getLogger(__name__)


@shared_task
def send_reminders(frequency: str | None = None) -> str:
    """Make this period's digests for recipients of `frequency` (both when None) and
    queue every reminder that is due."""
    with recorded_run("send_reminders") as run:
        with transaction.atomic():
            made = sending.reminders_create_due(today=timezone.localdate(), frequency=frequency)
            queued = queue_due_reminders()
        run.last_summary = (
            f"{made.created} new digests ({made.recipients} recipients with flags); {queued} queued"
        )
    return run.last_summary


# Killed by Celery before the claim expires (sending.claim_timeout), so the sweeper never
# hands a row to a second sender while the first may still be talking to SMTP.
@shared_task(bind=True, max_retries=None, time_limit=10 * settings.EMAIL_TIMEOUT)
def deliver_reminder(self, reminder_id: int) -> str:
    delivery = sending.reminder_deliver(reminder_id=reminder_id)
    if delivery.outcome == sending.RETRY:
        # Should this fail to queue, the row is pending with its next_attempt_at and the
        # sweeper queues it then.
        raise self.retry(countdown=delivery.retry_in)
    return delivery.outcome


@shared_task
def sweep_reminders() -> str:
    with recorded_run("sweep_reminders") as run:
        released = sending.reminders_release_expired()
        with transaction.atomic():
            queued = queue_due_reminders()
        run.last_summary = f"{released} expired claims released; {queued} queued"
    return run.last_summary


def queue_due_reminders(now=None) -> int:
    """Queue a delivery for every due pending reminder, once the transaction commits."""
    ids = list(Reminder.objects.due(now or timezone.now()).values_list("pk", flat=True))
    if ids:
        transaction.on_commit(partial(queue_deliveries, ids))
    return len(ids)


def queue_deliveries(reminder_ids: list[int]) -> None:
    for done, reminder_id in enumerate(reminder_ids):
        try:
            deliver_reminder.delay(reminder_id)
        except Exception:
            # Redis down: the rows stay pending and the sweeper queues them when it is
            # back. The caller (a scheduled run, an admin action) must not fail for it,
            # nor wait on a dead broker once per row.
            logger.warning(
                "Could not queue %s reminders; the sweeper will",
                len(reminder_ids) - done,
                exc_info=True,
            )
            return
