"""flag_commitments: opens a Flag for each pledge that needs attention and resolves the
flags whose cause has gone. It never changes a status: where a pledge's own deadline has
passed with no delivery rated, it opens a flag proposing "Lapsed" for a Reviewer to
accept (a follow-up with a source) or dismiss.

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
from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone

from commitments.models import (
    Citation,
    Commitment,
    Flag,
    FollowUp,
    Review,
    Source,
    Status,
)

Reason = Flag.Reason
# A pledge still short of delivery, whose own deadline has passed, may have lapsed: a
# Reviewer decides.
LAPSING_STATUSES = [Status.ANNOUNCED, Status.IN_PROGRESS, Status.STALLED]

# What resolved a flag, in the words staff read in the flag queue.
CLOSED = "Resolved itself: the pledge was closed (verified or withdrawn)."
UNPUBLISHED = "Resolved itself: the pledge was unpublished."
EVIDENCE_ADDED = "Resolved itself: follow-up evidence was added."
REVIEWED = "Resolved itself: a review was recorded (the follow-up clock starts again)."
NOT_DUE = "Resolved itself: no longer overdue (its dates or the follow-up rules changed)."
SOURCE_CITED = "Resolved itself: a source was cited."
SOURCE_BACK = "Resolved itself: the source was reachable again."
SOURCE_UNCITED = "Resolved itself: the source is no longer cited."
RATED = "Resolved itself: a follow-up rated the pledge (lapsed, delivered or otherwise)."
DEADLINE_MOVED = "Resolved itself: the pledge's deadline is no longer past."
WORDING_CONFIRMED = (
    "Resolved itself: a follow-up citing the changed source was recorded (a reversal or a "
    "statement)."
)
# The kinds of follow-up that confirm a change of wording (the flag's own page says so).
CONFIRMING_KINDS = [FollowUp.Kind.REVERSAL, FollowUp.Kind.STATEMENT]


@dataclass
class FlagReport:
    opened: Counter = field(default_factory=Counter)
    resolved: Counter = field(default_factory=Counter)
    open_flags: int = 0

    @property
    def changed(self) -> bool:
        return bool(sum(self.opened.values()) or sum(self.resolved.values()))

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
        return f"{'; '.join(parts).capitalize()}. {self.open_flags} flags are open."


def commitments_flag(*, today: datetime.date | None = None) -> FlagReport:
    today = today or timezone.localdate()
    now = timezone.now()
    report = FlagReport()
    with transaction.atomic():
        serialise_runs()
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


def past_deadline(today: datetime.date):
    return Commitment.objects.published().filter(deadline__lt=today, status__in=LAPSING_STATUSES)


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
        commitment=OuterRef("commitment_id"), created_at__gte=OuterRef("opened_at")
    )
    resolve(gone.filter(Exists(new_evidence)), EVIDENCE_ADDED)
    new_review = Review.objects.filter(
        commitment=OuterRef("commitment_id"), created_at__gte=OuterRef("opened_at")
    )
    resolve(gone.filter(Exists(new_review)), REVIEWED)
    resolve(gone, NOT_DUE)

    still_unsourced = unsourced().filter(pk=OuterRef("commitment_id"))
    gone = still_open.filter(reason=Reason.UNSOURCED).filter(~Exists(still_unsourced))
    resolve(gone.filter(commitment__published=False), UNPUBLISHED)
    resolve(gone, SOURCE_CITED)

    still_past = past_deadline(today).filter(pk=OuterRef("commitment_id"))
    gone = still_open.filter(reason=Reason.LAPSE_PROPOSED).filter(~Exists(still_past))
    resolve(gone.filter(commitment__published=False), UNPUBLISHED)
    resolve(gone.exclude(commitment__status__in=LAPSING_STATUSES), RATED)
    resolve(gone, DEADLINE_MOVED)

    unreachable = still_open.filter(reason=Reason.SOURCE_UNREACHABLE)
    resolve(unreachable.filter(source__failures_in_row__lt=Source.UNREACHABLE_AFTER), SOURCE_BACK)
    resolve(unreachable.filter(commitment__published=False), UNPUBLISHED)
    cited = Citation.objects.filter(
        Q(commitment=OuterRef("commitment_id"))
        | Q(follow_up__commitment=OuterRef("commitment_id")),
        source=OuterRef("source_id"),
    )
    resolve(unreachable.filter(~Exists(cited)), SOURCE_UNCITED)

    # Opened by snapshot_sources (commitments/followup/wording.py), which also resolves
    # them when the wording comes back; here, once a Reviewer has confirmed the change.
    changed = still_open.filter(reason=Reason.WORDING_CHANGED)
    resolve(changed.filter(commitment__published=False), UNPUBLISHED)
    confirmed = FollowUp.objects.public().filter(
        commitment=OuterRef("commitment_id"),
        kind__in=CONFIRMING_KINDS,
        created_at__gte=OuterRef("opened_at"),
        citations__source=OuterRef("source_id"),
    )
    resolve(changed.filter(Exists(confirmed)), WORDING_CONFIRMED)
    resolve(changed.filter(~Exists(cited)), SOURCE_UNCITED)


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
            "detail": Value(""),
        }

    still_open = Flag.objects.open()
    # A person who resolved an overdue flag has dealt with this due date: it is flagged
    # again only once a later one passes (new evidence, then silence). Unsourced pledges
    # and dead links are facts to fix, not to wait out: they are flagged again at once.
    dealt_with = Flag.objects.filter(
        commitment=OuterRef("pk"), reason=Reason.OVERDUE
    ).resolved_by_staff(OuterRef("flag_from"))
    # A dismissed proposal stays dismissed until the deadline is moved and passes again.
    dismissed = Flag.objects.filter(
        commitment=OuterRef("pk"), reason=Reason.LAPSE_PROPOSED
    ).resolved_by_staff(OuterRef("deadline"))
    for reason, candidates in [
        (Reason.OVERDUE, overdue(today).filter(~Exists(dealt_with))),
        (Reason.UNSOURCED, unsourced()),
        (Reason.LAPSE_PROPOSED, past_deadline(today).filter(~Exists(dismissed))),
    ]:
        already = still_open.filter(commitment=OuterRef("pk"), reason=reason)
        report.opened[reason] += insert_from(
            Flag, candidates.filter(~Exists(already)), new_flag(F("pk"), reason)
        )

    reason = Reason.SOURCE_UNREACHABLE
    for citations in unreachable_citations():
        already = still_open.filter(
            commitment=OuterRef("flagged"), source=OuterRef("source_id"), reason=reason
        )
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
        # "WHERE true": SQLite's parser needs it before ON CONFLICT. Safe to format: the
        # only names in it are the model's own table and column names, quoted by the
        # database backend, and the staged SELECT above is the ORM's, with its values
        # passed as parameters; nothing a person typed is part of the text.
        insert = (
            f"INSERT INTO {table} ({', '.join(map(quote, columns))}) "  # nosec B608
            f"SELECT * FROM {staged} WHERE true ON CONFLICT DO NOTHING"
        )
        cursor.execute(insert)
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {staged}")
    return inserted
