"""flag_commitments: opens a Flag for each pledge that needs attention, resolves the
flags whose cause has gone, and marks long-overdue pledges lapsed.

Everything is set-based: a fixed number of statements however many pledges there are
(INSERT … SELECT and UPDATE … WHERE, built from the same QuerySet methods the pages use),
in one transaction. Runs are serialised by an advisory lock on PostgreSQL, and the
partial unique constraints on Flag hold even without it, so two runs at once give the
same flags as one. A second run with nothing new changes nothing and says so.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone

from commitments.models import (
    Citation,
    Commitment,
    Flag,
    FollowUp,
    FollowUpRule,
    Source,
    Status,
)
from commitments.models.expressions import AddDays
from commitments.refresh import STATUS, commitments_refresh

Reason = Flag.Reason
DAY = datetime.timedelta(days=1)

# Only pledges still short of delivery lapse.
LAPSING_STATUSES = [Status.ANNOUNCED, Status.IN_PROGRESS, Status.STALLED]
# How long a platform asked for evidence has to answer before its pledge may lapse.
REPLY_DAYS = 30

LAPSE_SUMMARY = (
    "No follow-up evidence was found in the time allowed after this pledge fell due, so "
    "the tracker marked it lapsed. New evidence moves it on again."
)

# What resolved a flag, in the words staff read in the flag queue.
CLOSED = "Resolved itself: the pledge was closed (verified or withdrawn)."
UNPUBLISHED = "Resolved itself: the pledge was unpublished."
EVIDENCE_ADDED = "Resolved itself: follow-up evidence was added."
NOT_DUE = "Resolved itself: no longer overdue (its dates or the follow-up rules changed)."
SOURCE_CITED = "Resolved itself: a source was cited."
SOURCE_BACK = "Resolved itself: the source was reachable again."
SOURCE_UNCITED = "Resolved itself: the source is no longer cited."


@dataclass
class FlagReport:
    opened: Counter = field(default_factory=Counter)
    resolved: Counter = field(default_factory=Counter)
    lapsed: int = 0
    open_flags: int = 0

    @property
    def changed(self) -> bool:
        return bool(sum(self.opened.values()) or sum(self.resolved.values()) or self.lapsed)

    def summary(self) -> str:
        if not self.changed:
            return f"Nothing changed: {self.open_flags} open flags are still current."
        parts = []
        opened = sum(self.opened.values())
        if opened:
            detail = ", ".join(
                f"{n} {Reason(reason).label.lower()}" for reason, n in sorted(self.opened.items())
            )
            parts.append(f"opened {opened} flags ({detail})")
        resolved = sum(self.resolved.values())
        if resolved:
            parts.append(f"resolved {resolved}")
        if self.lapsed:
            parts.append(f"marked {self.lapsed} pledges lapsed")
        return f"{'; '.join(parts).capitalize()}. {self.open_flags} flags are open."


def commitments_flag(*, today: datetime.date | None = None) -> FlagReport:
    today = today or timezone.localdate()
    now = timezone.now()
    report = FlagReport()
    with transaction.atomic():
        serialise_runs()
        report.lapsed = lapse_overdue(today, now)
        resolve_flags(today, now, report)
        open_flags(today, now, report)
        # Keep only what happened, so that reports compare and print cleanly.
        report.opened, report.resolved = +report.opened, +report.resolved
        report.open_flags = Flag.objects.open().count()
        if report.changed:
            refresh_statistics()
    return report


def refresh_statistics() -> None:
    """After many flags change at once, the planner must know before the next run: with
    the flag table's old size in mind it picks nested loops. At 100k pledges, the run after
    the first took 42 s before autovacuum had analysed the table, 1.5 s after."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Flag._meta.db_table)}")


def serialise_runs() -> None:
    """A second run waits for the first to commit, then finds nothing left to do."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('flag_commitments'))")


# What needs a flag -------------------------------------------------------------------------


def overdue(today: datetime.date):
    return Commitment.objects.published().open().past_flag_date(today)


def unsourced():
    return Commitment.objects.published().lacking_sources()


def unreachable_citations():
    """Citations of unreachable sources by published pledges, in their own citations or
    in those of their follow-ups, each with the pledge to flag as `flagged`."""
    unreachable = Source.objects.filter(failures_in_row__gte=Source.UNREACHABLE_AFTER)
    published = Commitment.objects.published().values("pk")
    cited = Citation.objects.filter(source__in=unreachable.values("pk"))
    return [
        cited.filter(commitment__in=published).annotate(flagged=F("commitment_id")),
        cited.filter(follow_up__commitment__in=published).annotate(
            flagged=F("follow_up__commitment_id")
        ),
    ]


# Lapsing ---------------------------------------------------------------------------------


def lapse_overdue(today: datetime.date, now: datetime.datetime) -> int:
    """Pledges flagged longer ago than their rule's `lapse_after_days`, with no evidence
    since, become lapsed through an automatic follow-up: the status history shows why."""
    lapse_after = FollowUpRule.objects.filter(kind=OuterRef("kind")).values("lapse_after_days")
    # Staff hold a lapse by snoozing the pledge's flag, by resolving it, or by asking the
    # platform for evidence (its right of reply) and waiting REPLY_DAYS for an answer.
    flags = Flag.objects.filter(commitment=OuterRef("pk"), reason=Reason.OVERDUE)
    asked = flags.filter(
        platform_asked_on__gt=today - REPLY_DAYS * DAY, platform_answered_on__isnull=True
    )
    held = (
        Q(Exists(flags.snoozed(today)))
        | Q(Exists(flags.resolved_by_staff(OuterRef("flag_from"))))
        | Q(Exists(asked))
    )
    lapsing = (
        overdue(today)
        # A pledge shown delivered, however old the proof, has not lapsed: it waits for
        # new evidence under its flag instead.
        .filter(status__in=LAPSING_STATUSES)
        .filter(~held)
        .alias(lapses_on=AddDays("flag_from", Subquery(lapse_after)))
        .filter(lapses_on__lt=today)
    )
    added = insert_from(
        FollowUp,
        lapsing,
        {
            "commitment_id": F("pk"),
            "happened_on": Value(today),
            "happened_precision": Value("day"),
            "kind": Value(FollowUp.Kind.NO_EVIDENCE),
            "summary": Value(LAPSE_SUMMARY),
            "status_after": Value(Status.LAPSED),
            "tested_by": Value(""),
            "test_country": Value(""),
            "app_version": Value(""),
            "automatic": Value(True),
            "created_at": Value(now),
        },
    )
    if added:
        # The status the new follow-ups name; not evidence, so no date moves.
        # Only the status: a lapse is not evidence and not a closed status, so no due date
        # moves, and it changes no word of the pledge. The automatic follow-up is the
        # record of the change, on the pledge's page and in its follow-ups' history, so
        # the pledge's own history gets no row for it.
        this_run = FollowUp.objects.filter(automatic=True, created_at=now)
        commitments_refresh(
            commitments=Commitment.objects.filter(pk__in=this_run.values("commitment_id")),
            values={STATUS},
            record_history=False,
        )
    return added


# Resolving -------------------------------------------------------------------------------


def resolve_flags(today: datetime.date, now: datetime.datetime, report: FlagReport) -> None:
    def resolve(flags, why: str) -> None:
        report.resolved[why] += flags.update(resolved_at=now, resolution=why)

    still_open = Flag.objects.open()

    # NOT EXISTS, not NOT IN: at a million pledges the NOT IN list outgrew work_mem and
    # PostgreSQL scanned it once per flag.
    still_due = overdue(today).filter(pk=OuterRef("commitment_id"))
    gone = still_open.filter(reason=Reason.OVERDUE).filter(~Exists(still_due))
    resolve(gone.filter(commitment__status__in=[Status.VERIFIED, Status.WITHDRAWN]), CLOSED)
    resolve(gone.filter(commitment__published=False), UNPUBLISHED)
    new_evidence = FollowUp.objects.filter(
        commitment=OuterRef("commitment_id"), automatic=False, created_at__gte=OuterRef("opened_at")
    )
    resolve(gone.filter(Exists(new_evidence)), EVIDENCE_ADDED)
    resolve(gone, NOT_DUE)

    still_unsourced = unsourced().filter(pk=OuterRef("commitment_id"))
    gone = still_open.filter(reason=Reason.UNSOURCED).filter(~Exists(still_unsourced))
    resolve(gone.filter(commitment__published=False), UNPUBLISHED)
    resolve(gone, SOURCE_CITED)

    unreachable = still_open.filter(reason=Reason.SOURCE_UNREACHABLE)
    resolve(unreachable.filter(source__failures_in_row__lt=Source.UNREACHABLE_AFTER), SOURCE_BACK)
    resolve(unreachable.filter(commitment__published=False), UNPUBLISHED)
    cited = Citation.objects.filter(
        Q(commitment=OuterRef("commitment_id"))
        | Q(follow_up__commitment=OuterRef("commitment_id")),
        source=OuterRef("source_id"),
    )
    resolve(unreachable.filter(~Exists(cited)), SOURCE_UNCITED)


# Opening ---------------------------------------------------------------------------------


def open_flags(today: datetime.date, now: datetime.datetime, report: FlagReport) -> None:
    def new_flag(commitment, reason, source=None) -> dict:
        return {
            "commitment_id": commitment,
            "reason": Value(reason),
            # Typed, so that the staged copy's column is a number too (insert_from).
            "source_id": source or Cast(Value(None), output_field=BigIntegerField()),
            "opened_at": Value(now),
            "resolution": Value(""),
            "snooze_reason": Value(""),
            "platform_answer": Value(""),
        }

    still_open = Flag.objects.open()
    # A person who resolved an overdue flag has dealt with this due date: it is flagged
    # again only once a later one passes (new evidence, then silence). Unsourced pledges
    # and dead links are facts to fix, not to wait out: they are flagged again at once.
    dealt_with = Flag.objects.filter(
        commitment=OuterRef("pk"), reason=Reason.OVERDUE
    ).resolved_by_staff(OuterRef("flag_from"))
    for reason, candidates in [
        (Reason.OVERDUE, overdue(today).filter(~Exists(dealt_with))),
        (Reason.UNSOURCED, unsourced()),
    ]:
        already = still_open.filter(commitment=OuterRef("pk"), reason=reason)
        report.opened[reason] += insert_from(
            Flag, candidates.filter(~Exists(already)), new_flag(F("pk"), reason)
        )

    reason = Reason.SOURCE_UNREACHABLE
    for citations in unreachable_citations():
        already = still_open.filter(commitment=OuterRef("flagged"), source=OuterRef("source_id"))
        report.opened[reason] += insert_from(
            Flag,
            citations.filter(~Exists(already)),
            new_flag(F("flagged"), reason, F("source_id")),
            distinct=True,  # several follow-ups of one pledge may cite the same source
        )


def insert_from(model, queryset, columns: dict, distinct: bool = False) -> int:
    """INSERT INTO model (columns) SELECT the given expressions for each row of
    `queryset`, skipping any row a unique constraint refuses (a run at the same moment got
    there first). Returns the number of rows inserted."""
    # Annotations only, so that SQL selects them in the order of `columns`.
    names = {column: f"insert_{column}" for column in columns}
    # No ORDER BY: a default ordering would add its column to a DISTINCT select.
    rows = (
        queryset.order_by()
        .annotate(**{names[c]: e for c, e in columns.items()})
        .values_list(*names.values())
    )
    if distinct:
        rows = rows.distinct()
    select_sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    table, staged = quote(model._meta.db_table), quote(f"staged_{model._meta.db_table}")
    with connection.cursor() as cursor:
        # Staged first: a SELECT that reads the table it fills (is there an open flag
        # already?) rescans the rows going in, and a first run at a million pledges
        # never ended.
        cursor.execute(f"CREATE TEMPORARY TABLE {staged} AS {select_sql}", params)
        # "WHERE true": SQLite's parser needs it before ON CONFLICT.
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(map(quote, columns))}) "
            f"SELECT * FROM {staged} WHERE true ON CONFLICT DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {staged}")
    return inserted
