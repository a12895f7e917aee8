"""check_sources: whether each Source's address still answers.

Safeguarding (DESIGN.md): sources can sit near abusive material, so the checker asks for
status and headers only. It sends HEAD; when a server answers HEAD with an error it
sends one GET, reads the status line and headers, and closes the connection without
reading a byte of the body. It speaks http and https only, follows redirects by hand so
that it can refuse one to any other scheme, and stores nothing but the status, the time
and an error text.

Politeness: at most `max_concurrent` requests at once overall, and never more than one at
a time to one host (a lock per host name), with a User-Agent that names the project.

What counts:
- reachable: the last answer, after redirects, has a status below 400;
- failed: a status of 400 or more, no answer at all (refused, timed out, no such host,
  TLS error), a refused redirect or too many redirects;
- neither: 429 Too Many Requests. The server is asking us to slow down and says nothing
  about the page, so the check time and status are written but `reachable` and
  `failures_in_row` are left as they were.

The database is read and written in the calling thread only; the worker threads do
nothing but HTTP. Writes use QuerySet.update(), so no signal fires (the search documents
are not rebuilt) and no history record is made for a routine check.
"""

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from commitments.models import Source

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0  # seconds, for connecting and again for each read
DEFAULT_MAX_CONCURRENT = 8
MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
TOO_MANY_REQUESTS = 429
ERROR_LENGTH = Source._meta.get_field("last_check_error").max_length

Progress = Callable[[int, int], None]


@dataclass
class LinkCheckReport:
    checked: int = 0
    reachable: int = 0
    failed: int = 0
    # Reached Source.UNREACHABLE_AFTER failures in a row in this run.
    newly_unreachable: int = 0
    # Answered 429: counted as neither reachable nor failed.
    rate_limited: int = 0

    def summary(self) -> str:
        if not self.checked:
            return "No sources to check."
        noun = "source" if self.checked == 1 else "sources"
        text = f"Checked {self.checked} {noun}: {self.reachable} reachable, {self.failed} failed"
        if self.newly_unreachable:
            text += f" ({self.newly_unreachable} now unreachable)"
        if self.rate_limited:
            text += f", {self.rate_limited} rate limited (not counted)"
        return text + "."


@dataclass(frozen=True)
class CheckResult:
    status: int | None  # of the last HTTP answer; None when there was none
    error: str = ""

    @property
    def reachable(self) -> bool | None:
        """True or False; None when the answer says nothing either way (429)."""
        if self.status == TOO_MANY_REQUESTS:
            return None
        return not self.error


class RefusedLink(Exception):
    """A chain of answers the checker will not follow, with the status of the last one."""

    def __init__(self, status: int | None, message: str):
        super().__init__(message)
        self.status = status


def sources_check(
    *,
    sources: QuerySet[Source] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_concurrent: int = DEFAULT_MAX_CONCURRENT,
    progress: Progress | None = None,
) -> LinkCheckReport:
    """Check `sources` (all by default), never-checked and longest-unchecked first, and
    record the result on each. `progress(done, total)` is called after each source."""
    sources = Source.objects.all() if sources is None else sources
    total = sources.count()
    rows = (
        sources.order_by(F("last_checked_at").asc(nulls_first=True), "pk")
        .values_list("pk", "url", "failures_in_row")
        .iterator(chunk_size=500)
    )
    checker = LinkChecker(timeout=timeout, user_agent=user_agent())
    report = LinkCheckReport()
    with ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="linkcheck") as pool:
        results = checked_in_pool(pool, rows, checker.check, waiting=2 * max_concurrent)
        for (pk, _url, failures_before), result in results:
            record_result(pk, failures_before, result, report)
            if progress:
                progress(report.checked, total)
    return report


def user_agent() -> str:
    return f"ChildSafetyCommitmentTracker/1.0 (+{settings.SITE_URL})"


def checked_in_pool(
    pool: ThreadPoolExecutor,
    rows: Iterable[tuple],
    check: Callable[[str], CheckResult],
    *,
    waiting: int,
) -> Iterator[tuple[tuple, CheckResult]]:
    """Yields (row, result) as checks finish. At most `waiting` rows are handed to the
    pool at a time, so the sources are never all in memory at once."""
    pending: dict[Future, tuple] = {}
    for row in rows:
        pending[pool.submit(check, row[1])] = row
        if len(pending) >= waiting:
            yield from take_finished(pending)
    while pending:
        yield from take_finished(pending)


def take_finished(pending: dict[Future, tuple]) -> Iterator[tuple[tuple, CheckResult]]:
    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
    for future in finished:
        yield pending.pop(future), future.result()


def record_result(
    pk: int, failures_before: int, result: CheckResult, report: LinkCheckReport
) -> None:
    fields = {"last_checked_at": timezone.now(), "last_status": result.status}
    report.checked += 1
    if result.reachable is None:
        report.rate_limited += 1
        fields["last_check_error"] = result.error
    elif result.reachable:
        report.reachable += 1
        fields.update(reachable=True, failures_in_row=0, last_check_error="")
    else:
        report.failed += 1
        # Counted from the value read at the start, not F() + 1: two runs at once that
        # both saw the link fail count one failure, as one run would.
        failures = failures_before + 1
        if failures == Source.UNREACHABLE_AFTER:
            report.newly_unreachable += 1
        fields.update(reachable=False, failures_in_row=failures, last_check_error=result.error)
    Source.objects.filter(pk=pk).update(**fields)


class HostLocks:
    """One lock per host name, so that a host never gets two requests at once."""

    def __init__(self):
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def for_url(self, url: str) -> threading.Lock:
        host = (urlsplit(url).hostname or "").lower()
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())


class LinkChecker:
    """The HTTP side of one run. `check` is called from the worker threads."""

    def __init__(self, *, timeout: float, user_agent: str):
        self.timeout = timeout
        self.user_agent = user_agent
        self.host_locks = HostLocks()

    def check(self, url: str) -> CheckResult:
        try:
            status = self.follow("HEAD", url)
            # Many servers answer HEAD with 403, 405, 501 or even 404 or 500 while GET
            # works, so any error answer gets one GET before the link counts as broken.
            # Not after 429: a second request at once would ignore the request to slow
            # down.
            if status >= 400 and status != TOO_MANY_REQUESTS:
                status = self.follow("GET", url)
        except RefusedLink as refused:
            return CheckResult(refused.status, str(refused))
        except requests.RequestException as error:
            return CheckResult(None, describe_error(error, self.timeout))
        except Exception as error:
            # One odd server must not stop the run; a source that broke it would
            # otherwise come first again next time and stop that run too.
            logger.exception("Link check of %s failed unexpectedly", url)
            return CheckResult(
                None, f"unexpected error: {type(error).__name__}: {error}"[:ERROR_LENGTH]
            )
        if status == TOO_MANY_REQUESTS:
            return CheckResult(status, f"{status_text(status)}: not counted")
        if status >= 400:
            return CheckResult(status, status_text(status))
        return CheckResult(status)

    def follow(self, method: str, url: str) -> int:
        """The status of the last answer, following redirects to http(s) addresses."""
        if not is_http(url):
            raise RefusedLink(None, "not an http(s) address")
        for _ in range(MAX_REDIRECTS + 1):
            response = self.request(method, url)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response.status_code
            url = urljoin(url, location)
            if not is_http(url):
                scheme = urlsplit(url).scheme or "no scheme"
                raise RefusedLink(
                    response.status_code, f"redirect to a non-http(s) address ({scheme})"
                )
        raise RefusedLink(response.status_code, f"more than {MAX_REDIRECTS} redirects")

    def request(self, method: str, url: str) -> requests.Response:
        with self.host_locks.for_url(url):
            response = requests.request(
                method,
                url,
                headers={"User-Agent": self.user_agent},
                timeout=(self.timeout, self.timeout),
                allow_redirects=False,
                stream=True,  # returns after the headers; the body stays unread
            )
            # Close before anything could read the body: status and headers are all we
            # keep (safeguarding).
            response.close()
        return response


def is_http(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def status_text(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def describe_error(error: requests.RequestException, timeout: float) -> str:
    if isinstance(error, requests.ConnectTimeout):
        text = f"timed out: could not connect within {timeout:g} s"
    elif isinstance(error, requests.Timeout):
        text = f"timed out: no answer within {timeout:g} s"
    elif isinstance(error, requests.exceptions.SSLError):
        text = f"TLS error: {root_cause(error)}"
    elif isinstance(error, requests.ConnectionError):
        text = f"could not connect: {root_cause(error)}"
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:ERROR_LENGTH]


def root_cause(error: BaseException) -> str:
    """The innermost error's words ("Connection refused"), without the layers of
    pool and retry wrappers that requests and urllib3 put around it."""
    while error.__cause__ or error.__context__:
        error = error.__cause__ or error.__context__
    return getattr(error, "strerror", None) or str(error)
