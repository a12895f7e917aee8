"""check_sources: whether each Source's address still answers; and the fetch of a page's
body for the snapshot job (`LinkChecker.fetch`, snapshots.py), on the same rules.

Safeguarding (DESIGN.md): sources can sit near abusive material, so the checker asks for
status and headers only (a snapshot reads a body only for a 200 page of text under its
size cap: `BodyWanted`). It sends HEAD; when a server answers HEAD with an error it
sends one GET. Either way it stops at the blank line that ends the headers and closes
the connection without reading a byte of the body. It speaks http and https only,
follows redirects by hand so that it can refuse one to any other scheme, and stores
nothing but the status, the time and an error text.

Public addresses only (the rule and its reasons: addresses.py). Before each request,
the first and each redirect, the host is looked up and every address it has is checked;
a non-public one refuses the request before any connection, with an error text that says
no more than that ("refused: resolves to a non-public address"), since the status or
connection error of an internal host is what must not reach staff. libcurl is then told
those addresses (CURLOPT_RESOLVE), so it does not look the name up again, and its socket
callback opens a connection only to one of them. An address with a user name or
password is refused too.

The client is libcurl (pycurl), for its true total timeout: a read timeout, as requests
and urllib3 have, restarts with every byte, so a server that sends one byte of its
headers every second held a check for minutes.

The deadline: one check (HEAD, every redirect, and the GET after an error answer) may
spend `timeout` seconds on the network in all, --timeout of check_sources. Each request
gets what is left, as libcurl's total timeout, so however slowly a server trickles, the
check ends then and releases the host. The time a check waits for its turn at a host
(another check of that host holds its lock) is not counted: it is our politeness, not
the server's slowness, and a site with many sources would otherwise fail its last ones.

Politeness: at most `max_concurrent` requests at once overall, and never more than one at
a time to one host (a lock per host name), with a User-Agent that names the project.

What counts:
- reachable: the last answer, after redirects, has a status below 400;
- failed: a status of 400 or more, no answer at all (refused, timed out, no such host,
  TLS error), a non-public address or one with a user name or password, a refused
  redirect or too many redirects;
- neither: 429 Too Many Requests. The server is asking us to slow down and says nothing
  about the page, so the check time and status are written but `reachable` and
  `failures_in_row` are left as they were.

The database is read and written in the calling thread only; the worker threads do
nothing but HTTP. Writes use QuerySet.update(), so no signal fires (the search documents
are not rebuilt) and no history record is made for a routine check.
"""

import ipaddress
import logging
import math
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import SplitResult, quote, urljoin, urlsplit, urlunsplit

import certifi
import pycurl
from django.conf import settings
from django.db.models import F, QuerySet
from django.utils import timezone

from commitments.followup.addresses import IPAddress, LookupFailed, addresses_of, may_connect
from commitments.models import Source
from commitments.web_addresses import has_userinfo

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0  # seconds on the network for one whole check (see above)
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


class NoAnswer(Exception):
    """No HTTP answer: the words say why (timed out, could not connect, TLS error)."""


class NonPublicAddress(Exception):
    """The request would go to an address the checker may not connect to."""


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
    checker = LinkChecker(
        timeout=timeout,
        user_agent=user_agent(),
        allow_loopback=settings.LINKCHECK_ALLOW_LOOPBACK,
    )
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


class TimeLeft:
    """What is left of one check's `timeout` (module docstring): each request's time on
    the network is taken off."""

    def __init__(self, seconds: float):
        self.total = seconds
        self.seconds = seconds

    @contextmanager
    def spending(self) -> Iterator[float]:
        """Yields the seconds left for one request, and takes off what it used."""
        if self.seconds <= 0:
            raise NoAnswer(f"timed out: no answer within {self.total:g} s")
        started = time.monotonic()
        try:
            yield self.seconds
        finally:
            self.seconds -= time.monotonic() - started


@dataclass(frozen=True)
class Answer:
    """What one request learnt: the status, the Location and Content-Type headers, and
    the body only when the request asked for one and the answer was a page of text
    (`BodyWanted`)."""

    status: int
    location: str | None
    content_type: str = ""
    body: bytes | None = None
    url: str = ""  # the address that gave this answer


class TooLarge(Exception):
    """The page is over the size a snapshot may take: nothing of it is kept."""


@dataclass(frozen=True)
class BodyWanted:
    """What a snapshot reads past the headers (commitments/followup/snapshots.py): a 200
    answer whose Content-Type is one of `content_types`, up to `max_bytes` after
    decompression. Any other answer stops at its headers, as a link check does."""

    content_types: frozenset[str]
    max_bytes: int


class LinkChecker:
    """The HTTP side of one run. `check` is called from the worker threads."""

    def __init__(self, *, timeout: float, user_agent: str, allow_loopback: bool = False):
        self.timeout = timeout
        self.user_agent = user_agent
        self.allow_loopback = allow_loopback
        self.host_locks = HostLocks()

    def check(self, url: str) -> CheckResult:
        time_left = TimeLeft(self.timeout)
        try:
            status = self.follow("HEAD", url, time_left).status
            # Many servers answer HEAD with 403, 405, 501 or even 404 or 500 while GET
            # works, so any error answer gets one GET before the link counts as broken.
            # Not after 429: a second request at once would ignore the request to slow
            # down.
            if status >= 400 and status != TOO_MANY_REQUESTS:
                status = self.follow("GET", url, time_left).status
        except RefusedLink as refused:
            return CheckResult(refused.status, str(refused)[:ERROR_LENGTH])
        except NoAnswer as no_answer:
            return CheckResult(None, str(no_answer)[:ERROR_LENGTH])
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

    def fetch(self, url: str, wanted: BodyWanted) -> Answer:
        """One GET of `url` for its text, on the same rules as a check (redirects by
        hand to public http(s) addresses only, one request at a time per host, the
        whole fetch within `timeout`). Raises RefusedLink, NoAnswer or TooLarge."""
        return self.follow("GET", url, TimeLeft(self.timeout), wanted)

    def follow(
        self, method: str, url: str, time_left: TimeLeft, wanted: BodyWanted | None = None
    ) -> Answer:
        """The last answer, following redirects to public http(s) addresses."""
        if not is_http(url):
            raise RefusedLink(None, "not an http(s) address")
        if has_userinfo(url):
            raise RefusedLink(None, "refused: a user name or password in the address")
        redirect_status = None  # of the answer that sent us to `url`, if one did
        for _ in range(MAX_REDIRECTS + 1):
            try:
                answer = self.request(method, url, time_left, wanted)
            except NonPublicAddress as refused:
                if redirect_status is None:
                    raise RefusedLink(None, str(refused)) from None
                raise RefusedLink(
                    redirect_status, "refused: redirect to a non-public address"
                ) from None
            if answer.status not in REDIRECT_STATUSES or not answer.location:
                return answer
            redirect_status = answer.status
            unreadable = RefusedLink(redirect_status, "redirect to an address that cannot be read")
            try:
                url = urljoin(url, answer.location)
            except ValueError:
                raise unreadable from None
            if not is_http(url):
                scheme = urlsplit(url).scheme or "no scheme"
                raise RefusedLink(redirect_status, f"redirect to a non-http(s) address ({scheme})")
            if has_userinfo(url):
                raise RefusedLink(
                    redirect_status, "refused: redirect to an address with a user name or password"
                )
            try:
                Target.of(url)  # reads the host and port, where a bad one shows up
            except NoAnswer:
                raise unreadable from None
        raise RefusedLink(redirect_status, f"more than {MAX_REDIRECTS} redirects")

    def request(
        self, method: str, url: str, time_left: TimeLeft, wanted: BodyWanted | None = None
    ) -> Answer:
        target = Target.of(url)
        # Looked up outside the host's lock: the name server is not the host.
        with time_left.spending() as seconds:
            addresses = self.checked_addresses(target, seconds)
        with self.host_locks.for_url(url), time_left.spending() as seconds:
            return fetch_headers(
                method,
                target,
                addresses,
                seconds=seconds,
                total=time_left.total,
                user_agent=self.user_agent,
                wanted=wanted,
            )

    def checked_addresses(self, target: "Target", seconds: float) -> list[IPAddress]:
        """The addresses to connect to; NonPublicAddress when any may not be."""
        if target.literal is not None:
            addresses = [target.literal]
        else:
            try:
                addresses = addresses_of(target.host, target.port, timeout=seconds)
            except LookupFailed as failed:
                raise NoAnswer(str(failed)) from None
        if not all(may_connect(a, allow_loopback=self.allow_loopback) for a in addresses):
            raise NonPublicAddress(
                "refused: a non-public address"
                if target.literal is not None
                else "refused: resolves to a non-public address"
            )
        return addresses


class HeaderReader:
    """libcurl's header callback: keeps the status, Location and Content-Type of the
    answer, and stops the transfer at the blank line that ends its headers, so that not
    a byte of the body is read (safeguarding), unless a snapshot wants this body
    (`BodyWanted`: a 200 page of text). Interim answers (100 Continue) are passed over."""

    def __init__(self, wanted: BodyWanted | None = None):
        self.wanted = wanted
        self.status: int | None = None
        self.location: str | None = None
        self.content_type = ""
        self.content_length: int | None = None
        self.complete = False
        self.reading_body = False
        self.too_large = False

    def line(self, raw: bytes) -> int | None:
        text = raw.decode("iso-8859-1").rstrip("\r\n")
        if text.startswith("HTTP/"):  # a status line starts each answer, interim or not
            code = text.split(" ", 2)[1:2]
            self.status = int(code[0]) if code and code[0].isdigit() else None
            self.location, self.content_type, self.content_length = None, "", None
        elif not text:
            if self.status is not None and not 100 <= self.status < 200:
                self.complete = True
                if self.body_wanted():
                    self.reading_body = True
                    return None
                return 0  # not the length of the line: libcurl stops here
        else:
            name, _, value = text.partition(":")
            name = name.strip().lower()
            if name == "location":
                self.location = value.strip()
            elif name == "content-type":
                self.content_type = value.split(";", 1)[0].strip().lower()
            elif name == "content-length" and value.strip().isdigit():
                self.content_length = int(value.strip())
        return None

    def body_wanted(self) -> bool:
        wanted = self.wanted
        if wanted is None or self.status != 200:
            return False
        if self.content_type not in wanted.content_types:
            return False
        if self.content_length is not None and self.content_length > wanted.max_bytes:
            self.too_large = True
            return False
        return True


class BodyReader:
    """libcurl's write callback for a wanted body: keeps it up to the cap, and stops the
    transfer at the first byte past it (counted after decompression, so a small
    compressed page cannot unpack into a large one)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.chunks: list[bytes] = []
        self.size = 0
        self.too_large = False

    def write(self, data: bytes) -> int | None:
        self.size += len(data)
        if self.size > self.max_bytes:
            self.too_large = True
            return 0  # not the length written: libcurl stops here
        self.chunks.append(data)
        return None


class CheckedSockets:
    """libcurl's socket callback: opens a socket to one of the checked addresses only.

    With the addresses pinned (CURLOPT_RESOLVE) libcurl has no other to try, so this
    refuses nothing unless libcurl would reach somewhere else after all (a quirk in how
    it reads an address, a lookup of its own): the last line of defence.
    """

    def __init__(self, addresses: Iterable[IPAddress]):
        self.addresses = set(addresses)
        self.refused = False

    def open(self, _purpose: int, address) -> socket.socket | int:
        if address.family in (socket.AF_INET, socket.AF_INET6):
            try:
                checked = ipaddress.ip_address(address.addr[0]) in self.addresses
            except ValueError:
                checked = False
            if checked:
                return socket.socket(address.family, address.socktype, address.protocol)
        self.refused = True
        return pycurl.SOCKET_BAD


def fetch_headers(
    method: str,
    target: "Target",
    addresses: list[IPAddress],
    *,
    seconds: float,
    total: float,
    user_agent: str,
    wanted: BodyWanted | None = None,
) -> Answer:
    """One request to one of `addresses`, no redirect followed; raises NoAnswer when
    there is no HTTP answer, TooLarge when a wanted body is over its cap."""
    headers = HeaderReader(wanted)
    body = BodyReader(wanted.max_bytes if wanted else 0)
    sockets = CheckedSockets(addresses)
    curl = pycurl.Curl()
    try:
        curl.setopt(pycurl.URL, target.url)
        if target.literal is None:
            pinned = ",".join(f"[{a}]" if a.version == 6 else str(a) for a in addresses)
            curl.setopt(pycurl.RESOLVE, [f"{target.host}:{target.port}:{pinned}"])
        curl.setopt(pycurl.OPENSOCKETFUNCTION, sockets.open)
        if method == "HEAD":
            curl.setopt(pycurl.NOBODY, 1)
        else:
            curl.setopt(pycurl.HTTPGET, 1)
        curl.setopt(pycurl.USERAGENT, user_agent)
        curl.setopt(pycurl.HEADERFUNCTION, headers.line)
        # Called only for a wanted body: otherwise the headers' end stops the transfer
        # first, and were it called, returning 0 would stop it at the body's first byte.
        curl.setopt(pycurl.WRITEFUNCTION, body.write if wanted else lambda _data: 0)
        if wanted:
            curl.setopt(pycurl.ACCEPT_ENCODING, "")  # any encoding libcurl can decode
        # The total deadline: connecting, TLS, sending and reading the headers.
        curl.setopt(pycurl.TIMEOUT_MS, max(1, math.ceil(seconds * 1000)))
        curl.setopt(pycurl.FOLLOWLOCATION, 0)  # redirects are followed by hand
        curl.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
        curl.setopt(pycurl.PROXY, "")  # "" ignores http_proxy and its kin
        curl.setopt(pycurl.NOSIGNAL, 1)  # required when threads use libcurl
        curl.setopt(pycurl.CAINFO, certifi.where())
        try:
            curl.perform()
        except pycurl.error as error:
            if sockets.refused:
                raise NonPublicAddress("refused: not an address that was checked") from None
            if body.too_large:
                raise TooLarge(f"larger than {wanted.max_bytes:,} bytes") from None
            if not headers.complete or headers.reading_body:
                raise NoAnswer(curl_error_text(curl, error, total)) from error
        if headers.too_large:
            raise TooLarge(f"larger than {wanted.max_bytes:,} bytes (Content-Length)")
        if headers.status is None:
            raise NoAnswer("no answer: the server sent no HTTP status")
        return Answer(
            headers.status,
            headers.location,
            headers.content_type,
            b"".join(body.chunks) if headers.reading_body else None,
            target.url,
        )
    finally:
        curl.close()


# URL characters that pass unchanged; anything else (spaces, non-ASCII) is
# percent-encoded, as browsers do, since libcurl takes only ASCII.
URL_SAFE = "!#$%&'()*+,/:;=?@[]~"
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """Where one request goes: the address as libcurl gets it (an ASCII, IDNA host, a
    percent-encoded path and query, no fragment), its host and port, and the host's
    address when it is written as one."""

    url: str
    host: str
    port: int
    literal: IPAddress | None

    @classmethod
    def of(cls, url: str) -> "Target":
        try:
            parts = urlsplit(url)
            host = ascii_host(parts)
            port = parts.port
        except (ValueError, UnicodeError) as error:
            raise NoAnswer(f"not a valid address: {error}") from error
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        netloc = f"[{host}]" if ":" in host else host
        if port is not None:
            netloc = f"{netloc}:{port}"
        scheme = parts.scheme.lower()
        path, query = quote(parts.path or "/", safe=URL_SAFE), quote(parts.query, safe=URL_SAFE)
        return cls(
            url=urlunsplit((scheme, netloc, path, query, "")),
            host=host,
            port=port if port is not None else DEFAULT_PORTS.get(scheme, 0),
            literal=literal,
        )


def ascii_host(parts: SplitResult) -> str:
    host = parts.hostname
    if not host:
        raise ValueError("no host")
    return host if host.isascii() else host.encode("idna").decode("ascii")


TLS_ERRORS = {
    pycurl.E_SSL_CONNECT_ERROR,
    pycurl.E_PEER_FAILED_VERIFICATION,
    pycurl.E_SSL_CERTPROBLEM,
    pycurl.E_SSL_CIPHER,
    pycurl.E_SSL_CACERT_BADFILE,
    pycurl.E_SSL_ISSUER_ERROR,
    pycurl.E_SSL_INVALIDCERTSTATUS,
    pycurl.E_SSL_PINNEDPUBKEYNOTMATCH,
    pycurl.E_USE_SSL_FAILED,
}
BROKEN_OFF = {pycurl.E_GOT_NOTHING, pycurl.E_RECV_ERROR, pycurl.E_SEND_ERROR}


def curl_error_text(curl: pycurl.Curl, error: pycurl.error, total: float) -> str:
    code, message = error.args
    if code == pycurl.E_OPERATION_TIMEDOUT:
        if curl.getinfo(pycurl.CONNECT_TIME) > 0:
            return f"timed out: no answer within {total:g} s"
        return f"timed out: could not connect within {total:g} s"
    if code == pycurl.E_COULDNT_CONNECT:
        errno = curl.getinfo(pycurl.OS_ERRNO)
        return f"could not connect: {os.strerror(errno) if errno else message}"
    if code == pycurl.E_COULDNT_RESOLVE_HOST:
        return "could not connect: no such host"
    if code in TLS_ERRORS:
        return f"TLS error: {message}"
    if code in BROKEN_OFF:
        return f"no answer: {message}"
    return f"could not check: {message}"


def is_http(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("http", "https")


def status_text(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"
