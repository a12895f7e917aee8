#!/usr/bin/env python
"""Benchmark of the reminder digests: building them and sending them to a local SMTP sink.

    scripts/with-test-services .venv/bin/python bench/reminders.py --recipients 1000

It empties the tracker's tables and the reminders', generates load data, runs
`flag_commitments`, makes `--recipients` staff users (addresses under `.example`) and
shares the flagged pledges out among them, so that each has a digest. With an aiosmtpd
sink running in this process (tests/smtp_server.py) and Django's SMTP backend pointed at
it, it then times, apart:

- building the digests (`reminders.digests.build_digests(today)`);
- making the rows (`reminders.sending.reminders_create`);
- delivering every due row, as `manage.py send_reminders` does (`sending.reminder_deliver` each);

with their queries, the process's peak memory (resident-set high-water mark and Python
heap), and checks that the sink received one message per recipient with flags. It
refuses a database holding anything but load data, as bench/pages.py does.
"""

import argparse
import gc
import io
import logging
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field

from pages import (
    MARKER,
    ROOT,
    analyze,
    configure_django,
    empty_tables,
    proc_status_kib,
    refuse_real_data,
    require_postgresql,
    reset_peak_rss,
    time_generation,
)

# This file is named like the reminders app: run it as a script (it is then `__main__`,
# and configure_django puts the project before bench/ on sys.path), never import it.

LOAD_USER_PREFIX = f"{MARKER.lower()}-"  # every user load data makes: loadtest-…
RECIPIENT_PREFIX = f"{MARKER.lower()}-recipient-"
RECIPIENT_DOMAIN = "reminders.example"


# Data -----------------------------------------------------------------------------------


def refuse_real_reminders() -> None:
    """The reminders' tables are emptied too: never when they hold a real user's rows."""
    from reminders.models import Reminder, ReminderPreference

    real = Reminder.objects.exclude(recipient__username__startswith=LOAD_USER_PREFIX).count()
    real += ReminderPreference.objects.exclude(user__username__startswith=LOAD_USER_PREFIX).count()
    if real:
        sys.exit(
            f"The database holds {real} reminders or preferences of real users; not touching it."
        )


def empty_reminders() -> None:
    from django.db import connection

    from reminders.models import Reminder, ReminderPreference

    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table) for model in (Reminder, ReminderPreference)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY")


def make_recipients(count: int) -> list[int]:
    """Staff users with an address under .example and no usable password (so nobody can
    log in as them); the ones of an earlier run are deleted first."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    User.objects.filter(username__startswith=RECIPIENT_PREFIX).delete()
    users = [
        User(
            username=f"{RECIPIENT_PREFIX}{n:05d}",
            email=f"{RECIPIENT_PREFIX}{n:05d}@{RECIPIENT_DOMAIN}",
            is_staff=True,
            password=make_password(None),
        )
        for n in range(1, count + 1)
    ]
    User.objects.bulk_create(users)
    return sorted(
        User.objects.filter(username__startswith=RECIPIENT_PREFIX).values_list("pk", flat=True)
    )


def spread_ownership(recipient_ids: list[int], today) -> int:
    """One UPDATE: the k-th pledge with an awake flag (by id) goes to recipient k modulo
    their number, so each recipient owns some as long as there are enough flagged pledges.
    Returns the number of pledges given an owner."""
    from django.db import connection

    from commitments.models import Commitment, Flag

    flagged, params = (
        Flag.objects.awake(today).order_by().values("commitment_id").query.sql_with_params()
    )
    table = connection.ops.quote_name(Commitment._meta.db_table)
    sql = f"""
        WITH flagged AS (
            SELECT id, (row_number() OVER (ORDER BY id) - 1) %% %s AS k
            FROM {table} WHERE id IN ({flagged})
        )
        UPDATE {table} AS c SET owner_id = (%s::bigint[])[f.k + 1]
        FROM flagged AS f WHERE c.id = f.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [len(recipient_ids), *params, recipient_ids])
        return cursor.rowcount


@dataclass
class Setup:
    generation_s: float
    generated: str
    flagging: str
    flags: int
    flagged_pledges: int
    recipients: int
    expected: int  # recipients with at least one awake flag on a pledge they own


def set_up(commitments: int, recipients: int, seed: int, today) -> Setup:
    from django.core.management import call_command

    from commitments.models import Commitment, Flag

    empty_tables()
    empty_reminders()
    print(f"Generating {commitments:,} commitments…", file=sys.stderr)
    seconds, generated = time_generation(commitments, seed)
    out = io.StringIO()
    call_command("flag_commitments", stdout=out)
    ids = make_recipients(recipients)
    flagged_pledges = spread_ownership(ids, today)
    analyze()
    # Proposed lapses wait for Reviewers, and the recipients made here are not Reviewers.
    awake = Flag.objects.awake(today).exclude(reason=Flag.Reason.LAPSE_PROPOSED)
    expected = (
        Commitment.objects.filter(flags__in=awake, owner_id__in=ids)
        .values("owner_id")
        .distinct()
        .count()
    )
    return Setup(
        generation_s=seconds,
        generated=generated,
        flagging=out.getvalue().strip(),
        flags=awake.count(),
        flagged_pledges=flagged_pledges,
        recipients=len(ids),
        expected=expected,
    )


# SMTP sink ------------------------------------------------------------------------------


def sink_class():
    sys.path.insert(0, str(ROOT))
    from tests.smtp_server import Mailbox

    class Sink(Mailbox):
        """The tests' Mailbox (it parses and accepts every message), keeping a count
        instead of the messages, so that the sender's memory is not the sink's."""

        def __init__(self):
            super().__init__()
            self.received = 0
            self.addresses = set()
            self.bytes = 0

        async def handle_DATA(self, server, session, envelope):
            reply = await super().handle_DATA(server, session, envelope)
            while self.messages:
                message = self.messages.pop()
                self.received += 1
                self.addresses.add(str(message["To"]))
                self.bytes += len(envelope.original_content)
            return reply

        def reset(self):
            self.messages.clear()
            self.refused.clear()
            self.received = self.bytes = 0
            self.addresses = set()

    return Sink


def start_sink():
    """An aiosmtpd server on a free loopback port, in a thread of this process, and
    Django's SMTP backend pointed at it."""
    from django.conf import settings

    from tests.smtp_server import LoopbackController

    # aiosmtpd logs every SMTP command at INFO: a dozen lines per message, written by
    # this process while it is being timed.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    sink = sink_class()()
    controller = LoopbackController(sink, hostname="127.0.0.1", port=0)
    controller.start()
    sink.port = controller.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return sink, controller


# Measuring ------------------------------------------------------------------------------


class QueryCounter:
    """Counts the statements sent and the time spent in them (rows fetched later, by
    iterating a cursor, are not included), without keeping them as
    CaptureQueriesContext does."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


@dataclass
class Measured:
    result: object
    seconds: float
    queries: int
    sql_seconds: float
    rss_mib: float | None


def timed(work) -> Measured:
    """Wall time, statements, and growth of the resident-set high-water mark (reset just
    before, so libpq's and the SMTP client's buffers count too)."""
    from django.db import connection

    counter = QueryCounter()
    gc.collect()
    rss = reset_peak_rss()
    before = proc_status_kib("VmRSS") if rss else 0
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    growth = (proc_status_kib("VmHWM") - before) / 1024 if rss else None
    return Measured(result, seconds, counter.count, counter.seconds, growth)


def heap_peak(work) -> float:
    """Python heap peak above what was allocated before, in MiB (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    work()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / 2**20


def deliver_due() -> Counter:
    """What `manage.py send_reminders` does after reminders_create: every due row, each
    through sending.reminder_deliver (claim, rebuild the digest, send, mark)."""
    from django.utils import timezone

    from reminders import sending
    from reminders.models import Reminder

    due = Reminder.objects.due(timezone.now()).values_list("pk", flat=True)
    return Counter(sending.reminder_deliver(reminder_id=pk).outcome for pk in list(due))


@dataclass
class Phase:
    label: str
    call: str
    measured: Measured
    heap_mib: float
    digests: int
    notes: list = field(default_factory=list)


def run(today, sink) -> list[Phase]:
    from django.db import transaction

    from reminders import sending
    from reminders.digests import build_digests

    def create():
        return sending.reminders_create(today=today)

    # Untimed: URL resolvers, templates, the first SMTP connection. Then the heap peaks,
    # each a pass of its own (tracemalloc slows everything), the writes rolled back.
    build_digests(today)
    build_heap = heap_peak(lambda: build_digests(today))
    with transaction.atomic():
        create_heap = heap_peak(create)
        deliver_heap = heap_peak(deliver_due)
        transaction.set_rollback(True)
    sink.reset()

    print("  building the digests…", file=sys.stderr)
    built = timed(lambda: build_digests(today))
    digests = len(built.result)
    print("  creating the rows…", file=sys.stderr)
    created = timed(create)
    print("  delivering…", file=sys.stderr)
    delivered = timed(deliver_due)
    outcomes = delivered.result
    return [
        Phase(
            "build digests",
            "`build_digests(today)`",
            built,
            build_heap,
            digests,
            [f"{sum(len(d.items) for d in built.result.values()):,} items"],
        ),
        Phase(
            "create rows",
            "`sending.reminders_create(today=…)`",
            created,
            create_heap,
            created.result.created,
            [f"{created.result.created:,} new rows for {created.result.recipients:,} recipients"],
        ),
        Phase(
            "deliver all",
            "`sending.reminder_deliver(reminder_id=pk)` for each due row",
            delivered,
            deliver_heap,
            sum(outcomes.values()),
            [", ".join(f"{n:,} {outcome}" for outcome, n in sorted(outcomes.items()))],
        ),
    ]


# Report ---------------------------------------------------------------------------------


def report(commitments: int, setup: Setup, phases: list[Phase], sink, items_sent: int) -> str:
    ok = sink.received == setup.expected and len(sink.addresses) == setup.expected
    lines = [
        f"### {commitments:,} commitments, {setup.recipients:,} recipients",
        "",
        f"- generate_load_data: {setup.generation_s:.1f} s ({setup.generated})",
        f"- flag_commitments: {setup.flagging}",
        f"- {setup.flags:,} awake flags on {setup.flagged_pledges:,} pledges, owned by "
        f"{setup.expected:,} of the {setup.recipients:,} recipients",
        "",
        "| phase | call | digests | seconds | of which SQL | ms per digest | queries "
        "| queries per digest | RSS peak | heap peak | notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in phases:
        m = p.measured
        per = p.digests or 1
        rss = f"{m.rss_mib:+.1f} MiB" if m.rss_mib is not None else "n/a"
        lines.append(
            f"| {p.label} | {p.call} | {p.digests:,} | {m.seconds:.2f} | {m.sql_seconds:.2f} "
            f"| {m.seconds * 1000 / per:.2f} | {m.queries:,} | {m.queries / per:.2f} "
            f"| {rss} | {p.heap_mib:+.1f} MiB | {'; '.join(p.notes)} |"
        )
    total_s = sum(p.measured.seconds for p in phases)
    total_q = sum(p.measured.queries for p in phases)
    total_sql = sum(p.measured.sql_seconds for p in phases)
    digests = phases[-1].digests or 1
    lines.append(
        f"| **total** | | {phases[-1].digests:,} | {total_s:.2f} | {total_sql:.2f} "
        f"| {total_s * 1000 / digests:.2f} "
        f"| {total_q:,} | {total_q / digests:.2f} | | | |"
    )
    lines += [
        "",
        f"SMTP sink: {sink.received:,} messages received to {len(sink.addresses):,} addresses "
        f"({sink.bytes / 2**20:.1f} MiB, {len(sink.refused)} refused); expected "
        f"{setup.expected:,} (recipients with flags): {'OK' if ok else 'MISMATCH'}. "
        f"Items listed in the sent rows: {items_sent:,} of {setup.flags:,} awake flags.",
    ]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=1000, help="staff users to remind")
    parser.add_argument(
        "--commitments", type=int, default=10000, help="load data to generate and flag"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", help="also write the markdown report to this file")
    args = parser.parse_args(argv)

    configure_django(debug=False)
    from django.core.management import call_command
    from django.db.models import Sum
    from django.utils import timezone

    from reminders.models import Reminder

    require_postgresql()
    call_command("migrate", verbosity=0)
    refuse_real_data()
    refuse_real_reminders()
    today = timezone.localdate()
    setup = set_up(args.commitments, args.recipients, args.seed, today)
    sink, controller = start_sink()
    try:
        phases = run(today, sink)
    finally:
        controller.stop()
    items_sent = (
        Reminder.objects.filter(status=Reminder.Status.SENT).aggregate(n=Sum("item_count"))["n"]
        or 0
    )
    text = report(args.commitments, setup, phases, sink, items_sent) + "\n"
    print(text)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    if sink.received != setup.expected or len(sink.addresses) != setup.expected:
        sys.exit(1)


if __name__ == "__main__":
    main()
