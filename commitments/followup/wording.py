"""Pledge wording that disappears: each quote a published pledge cites is looked for in
every new kept version of its source, and a quote that was there and is no longer opens
a "wording changed" flag (Flag.Reason.WORDING_CHANGED) for a Reviewer. Nothing public
changes: the Reviewer confirms the change with a follow-up citing the source (a reversal
or a statement; flag_commitments then resolves the flag) or dismisses the flag.

The measure. Quote and page are first reduced to a key: Unicode NFKC, case folded, every
run of punctuation and whitespace one space, so that curly quotes, dashes, line breaks
and capitals never count. The quote is found when its key is in the page's key; else
its score is rapidfuzz's `partial_ratio` (0-100: the Indel similarity of the quote to the
best-matching stretch of the page of its length). Found means a score of at least
MATCH_THRESHOLD, 95: a typo fixed, a word's spelling changed or a character dropped
stays found; a word replaced or removed in a quote of up to about 30 words ("will" for
"may", "all" dropped) falls below it. A longer quote tolerates more: one short word
changed in a quote of 60 words may still score 95 or more, which a Reviewer reading the
diff catches and a timer would not (tests/test_wording.py holds examples of each).

A flag opens only for a quote that was found in the previous version and is not found in
the new one: a quote never found in the kept text (a paraphrase, a video) is not news.
When every quote the flag lists as lost (`Flag.lost_citations`, added to as more are
lost) is found again in a later version, the flag resolves itself.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from rapidfuzz import fuzz

from commitments.followup.page_text import comparable
from commitments.models import Citation, Flag, SourceSnapshot

MATCH_THRESHOLD = 95
Reason = Flag.Reason
WORDING_BACK = "Resolved itself: the quoted wording is in the page again."


def quote_score(quote: str, page_key: str) -> float:
    """How well `quote` is found in a page whose key is `page_key`, 0 to 100."""
    key = comparable(quote)
    if not key or key in page_key:
        return 100.0
    return fuzz.partial_ratio(key, page_key)


@dataclass
class WordingReport:
    flags_opened: int = 0
    flags_resolved: int = 0


def quotes_check(*, snapshot: SourceSnapshot, previous: SourceSnapshot | None) -> WordingReport:
    """Compare the quotes citing `snapshot.source` between `previous` and `snapshot`;
    open, add to or resolve the pledges' wording flags. Called by the snapshot service in
    the transaction that kept the new version."""
    report = WordingReport()
    citations = (
        Citation.objects.filter(source_id=snapshot.source_id)
        .exclude(quote="")
        .filter(Q(commitment__published=True) | Q(follow_up__commitment__published=True))
        .select_related("follow_up")
        .order_by("pk")
    )
    by_pledge: dict[int, list[Citation]] = defaultdict(list)
    for citation in citations:
        by_pledge[citation.commitment_id or citation.follow_up.commitment_id].append(citation)
    open_flags = {
        flag.commitment_id: flag
        for flag in Flag.objects.open().filter(
            reason=Reason.WORDING_CHANGED, source_id=snapshot.source_id
        )
    }
    new_key = comparable(snapshot.text)
    old_key = comparable(previous.text) if previous else None
    for pledge, quotes in by_pledge.items():
        # Each quote scored once against the new text; against the old one only when it
        # is missing now (partial_ratio is the costly part, on a long page).
        now = {citation.pk: quote_score(citation.quote, new_key) for citation in quotes}
        lost = [
            citation
            for citation in quotes
            if now[citation.pk] < MATCH_THRESHOLD
            and old_key is not None
            and quote_score(citation.quote, old_key) >= MATCH_THRESHOLD
        ]
        flag = open_flags.get(pledge)
        if lost:
            detail = describe(lost, now, snapshot)
            lost_ids = [citation.pk for citation in lost]
            if flag is None:
                Flag.objects.create(
                    commitment_id=pledge,
                    reason=Reason.WORDING_CHANGED,
                    source_id=snapshot.source_id,
                    snapshot=snapshot,
                    detail=detail,
                    lost_citations=lost_ids,
                )
                report.flags_opened += 1
            else:
                flag.detail = f"{flag.detail}\n{detail}"
                flag.lost_citations = sorted({*(flag.lost_citations or []), *lost_ids})
                flag.save(update_fields=["detail", "lost_citations"])
        elif flag is not None and all(
            # Every quote the flag lists as lost (of those still cited) is back.
            now[pk] >= MATCH_THRESHOLD
            for pk in set(flag.lost_citations or []) & now.keys()
        ):
            Flag.objects.filter(pk=flag.pk).update(
                resolved_at=timezone.now(), resolution=WORDING_BACK
            )
            report.flags_resolved += 1
    return report


def describe(lost: list[Citation], scores: dict[int, float], snapshot: SourceSnapshot) -> str:
    seen = timezone.localtime(snapshot.first_seen_at).strftime("%Y-%m-%d %H:%M")
    quotes = "; ".join(
        f"“{citation.quote}” (best match {scores[citation.pk]:.0f} of 100)" for citation in lost
    )
    return f"Not found in the text first seen {seen}: {quotes}"
