"""Send this period's reminder digests by hand, in this process: no Celery needed.

The same rows and the same claims as the scheduled task, so running it beside the
worker, or twice, still sends each digest once.
"""

from collections import Counter

from django.core.management.base import BaseCommand
from django.utils import timezone

from commitments.followup.job_runs import recorded_run
from commitments.models import Flag
from reminders import sending
from reminders.models import Reminder, ReminderPreference


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class Command(BaseCommand):
    help = (
        "Make this period's reminder digests and send every one that is due, here and now. "
        "A second run in the same period sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--frequency",
            choices=[ReminderPreference.Frequency.DAILY, ReminderPreference.Frequency.WEEKLY],
            help="only the recipients who chose this frequency (default: both)",
        )

    def handle(self, *args, frequency=None, **options):
        with recorded_run("send_reminders") as run:
            made = sending.reminders_create_due(today=timezone.localdate(), frequency=frequency)
            due = Reminder.objects.due(timezone.now()).values_list("pk", flat=True)
            outcomes = Counter(sending.reminder_deliver(reminder_id=pk).outcome for pk in list(due))
            run.last_summary = self.summary(made, outcomes)
        self.stdout.write(run.last_summary)

    def summary(self, made: sending.Created, outcomes: Counter) -> str:
        if not outcomes:
            if not made.recipients:
                awake = Flag.objects.awake(timezone.localdate()).count()
                if not awake:
                    return "No flags to remind anyone of."
                return (
                    f"{plural(awake, 'flag')} to remind of, but nobody to send a digest to: "
                    "owners and Reviewers need to be active staff with an email address, "
                    "and not to have turned digests off or paused them."
                )
            return (
                f"Nothing new to send: {plural(made.recipients, 'recipient')} "
                "already had this period's digest."
            )
        text = (
            f"Sent {plural(outcomes[sending.SENT], 'digest')}, "
            f"{outcomes[sending.FAILED]} failed; "
            f"nothing to send for {plural(outcomes[sending.SKIPPED], 'recipient')}."
        )
        if outcomes[sending.RETRY]:
            text += f" {outcomes[sending.RETRY]} will be retried later."
        return text
