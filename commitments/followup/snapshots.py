"""snapshot_sources: keeps each source's readable text, a version each time it changes.

This is the tracker's own archive (DESIGN.md): what a pledge's page said, kept without
depending on an outside archive being reachable, and what the wording check reads
(wording.py).

Fetching follows the link checker's rules (link_health.py): http and https only, every
redirect followed by hand and refused to another scheme or a non-public address, one
request at a time per host, a total timeout per source, the project's user agent. On top
of them, a snapshot reads a body only when the answer is a 200 page of text (HTML, plain
text or PDF, page_text.TEXT_TYPES) of at most `max_bytes`; any other answer (an image, a
video, a file) is never read past its headers, and nothing but the extracted text is
stored (page_text.py). Sources marked sensitive are never fetched.

A version is stored only when its text changed: the SHA-256 of the normalised text is
compared with the source's newest version's. The same text moves that version's
`last_seen_at` on. Each source's result, its new version and the wording flags it opens
are written in one transaction, in the calling thread; the worker threads do HTTP and
text extraction only.
"""

import datetime
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.defaultfilters import pluralize
from django.utils import timezone

from commitments.followup.link_health import (
    ERROR_LENGTH,
    BodyWanted,
    LinkChecker,
    NoAnswer,
    RefusedLink,
    TooLarge,
    checked_in_pool,
    status_text,
    user_agent,
)
from commitments.followup.page_text import TEXT_TYPES, NoText, page_text, text_digest
from commitments.followup.wording import quotes_check
from commitments.models import Source, SourceSnapshot

DEFAULT_TIMEOUT = 20.0  # seconds on the network for one source, redirects included
DEFAULT_MAX_CONCURRENT = 8
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # of the page, decompressed
URL_LENGTH = SourceSnapshot._meta.get_field("fetched_url").max_length

Progress = Callable[[int, int], None]


@dataclass
class SnapshotReport:
    read: int = 0
    new_versions: int = 0
    unchanged: int = 0
    failed: int = 0
    wording_flags: int = 0

    def summary(self) -> str:
        if not self.read:
            return "No sources to snapshot."
        noun = "source" if self.read == 1 else "sources"
        text = (
            f"Read {self.read} {noun}: {self.new_versions} new "
            f"version{pluralize(self.new_versions)} kept, {self.unchanged} unchanged, "
            f"{self.failed} not kept"
        )
        if self.wording_flags:
            text += (
                f"; {self.wording_flags} wording-changed flag{pluralize(self.wording_flags)} opened"
            )
        return text + "."


@dataclass(frozen=True)
class Fetched:
    """A source's text as read now, or why there is none."""

    text: str | None = None
    content_type: str = ""
    url: str = ""
    error: str = ""
    read_at: datetime.datetime | None = None  # when the page was asked for


def sources_snapshot(
    *,
    sources: QuerySet[Source] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_concurrent: int = DEFAULT_MAX_CONCURRENT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
) -> SnapshotReport:
    """Read `sources` (every one not marked sensitive, by default; sensitive ones are
    left out whatever is asked), never-read and longest-unread first, and keep a new
    version of each whose text changed."""
    sources = (Source.objects.all() if sources is None else sources).filter(sensitive=False)
    total = sources.count()
    rows = (
        sources.order_by(F("snapshot_checked_at").asc(nulls_first=True), "pk")
        .values_list("pk", "url")
        .iterator(chunk_size=500)
    )
    reader = TextReader(timeout=timeout, max_bytes=max_bytes)
    report = SnapshotReport()
    with ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="snapshot") as pool:
        for (pk, _url), fetched in checked_in_pool(
            pool, rows, reader.read, waiting=2 * max_concurrent
        ):
            snapshot_record(source_id=pk, fetched=fetched, report=report)
            if progress:
                progress(report.read, total)
    return report


class TextReader:
    """The HTTP and text side of one run, called from the worker threads."""

    def __init__(self, *, timeout: float, max_bytes: int):
        self.checker = LinkChecker(
            timeout=timeout,
            user_agent=user_agent(),
            allow_loopback=settings.LINKCHECK_ALLOW_LOOPBACK,
        )
        self.wanted = BodyWanted(content_types=TEXT_TYPES, max_bytes=max_bytes)

    def read(self, url: str) -> Fetched:
        read_at = timezone.now()
        try:
            answer = self.checker.fetch(url, self.wanted)
        except (RefusedLink, NoAnswer, TooLarge) as error:
            return failed(str(error))
        except Exception as error:  # one odd server must not stop the run
            return failed(f"unexpected error: {type(error).__name__}: {error}")
        if answer.status != 200:
            return failed(status_text(answer.status))
        if answer.body is None:
            return failed(f"not a page of text ({answer.content_type or 'no content type'})")
        if len(answer.url) > URL_LENGTH:
            return failed(f"read at an address longer than {URL_LENGTH} characters")
        try:
            text = page_text(answer.body, answer.content_type)
        except NoText as error:
            return failed(str(error))
        except Exception as error:  # a page that breaks the parser must not stop the run
            return failed(f"could not be read as text: {type(error).__name__}: {error}")
        return Fetched(text=text, content_type=answer.content_type, url=answer.url, read_at=read_at)


def failed(error: str) -> Fetched:
    return Fetched(error=error[:ERROR_LENGTH])


def snapshot_record(*, source_id: int, fetched: Fetched, report: SnapshotReport, now=None) -> None:
    """Write one source's result: a new version when its text changed, the newest
    version seen again when it did not, the wording flags the change opens. A version
    is dated when its page was asked for, so that of two runs at once the one that read
    the page later keeps its text as the newest."""
    now = now or fetched.read_at or timezone.now()
    report.read += 1
    with transaction.atomic():
        # The UPDATE locks the source's row to the end of the transaction, so that two
        # runs at once keep one version of one change; it finds no row when the source
        # was deleted, or marked sensitive, since the run began: then nothing is kept.
        found = Source.objects.filter(pk=source_id, sensitive=False).update(
            snapshot_checked_at=now, snapshot_error=fetched.error
        )
        if not found or fetched.text is None:
            report.failed += 1
            return
        newest = SourceSnapshot.objects.filter(source_id=source_id).newest_first().first()
        if newest is not None and newest.first_seen_at > now:
            # A run at the same time read the page after this one did: its text is newer.
            report.unchanged += 1
            return
        digest = text_digest(fetched.text)
        if newest is not None and newest.sha256 == digest:
            SourceSnapshot.objects.filter(pk=newest.pk).update(last_seen_at=now)
            report.unchanged += 1
            return
        snapshot = SourceSnapshot.objects.create(
            source_id=source_id,
            text=fetched.text,
            sha256=digest,
            content_type=fetched.content_type,
            fetched_url=fetched.url,
            first_seen_at=now,
            last_seen_at=now,
        )
        report.new_versions += 1
        report.wording_flags += quotes_check(snapshot=snapshot, previous=newest).flags_opened


def snapshots_forget(*, source: Source) -> int:
    """Delete every kept version of `source`'s text: called when it is marked sensitive,
    whose text is never kept (DESIGN.md, safeguarding). Its wording flags stay, without
    their version. Returns how many versions were deleted."""
    deleted, _ = SourceSnapshot.objects.filter(source=source).delete()
    return deleted
