"""The link checker (commitments/followup/link_health.py and the check_sources command), against a
local HTTP server only: nothing here reaches the internet. Loopback is allowed for the test
run (LINKCHECK_ALLOW_LOOPBACK, set in tests/conftest.py); the tests of refused addresses
fake the name lookup, and tests/network_guard.py records (and would block) any
connection, so they can show that the refusal came before any connection."""

import datetime
import io
import ipaddress
import socket
import threading
import time
from collections import Counter, namedtuple
from collections.abc import Callable
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode

import pycurl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.followup import link_health
from commitments.followup.link_health import MAX_REDIRECTS, sources_check
from commitments.management.commands import check_sources as check_sources_command
from commitments.models import Citation, Flag, JobRun, Source
from tests.factories import make_commitment, make_source

TIMEOUT = 5  # generous: for checks that should get an answer
SHORT_TIMEOUT = 0.5  # what a check waits in the timeout test
SLOW_ANSWER = 5  # how long /slow waits before answering: far beyond SHORT_TIMEOUT
HOLD = 0.5  # how long /hold keeps each request, so that overlapping requests show
BODY_SECONDS = 60  # how long /no-head takes to send its whole body
DEADLINE = 1  # the timeout of the checks that must be cut short
TRICKLE_EVERY = 0.3  # seconds between two bytes of /trickle's header
STEP = 0.4  # how long each hop of /slow-redirect takes


CurlSockAddr = namedtuple("CurlSockAddr", "family socktype protocol addr")


class LocalSite:
    """What the local server saw, and the knobs the tests turn."""

    def __init__(self):
        self.port = None
        self.requests = []  # (method, path, headers), in the order they arrived
        self.flaky_status = 500
        self.stopping = threading.Event()
        self.client_went_away = threading.Event()
        self.most_in_flight = Counter()  # per host
        self.most_in_flight_overall = 0
        self._in_flight = Counter()
        self._lock = threading.Lock()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def methods(self, path: str) -> list[str]:
        return [method for method, seen, _ in self.requests if seen == path]

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]

    def record(self, method: str, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append((method, handler.path, handler.headers))

    @contextmanager
    def in_flight(self, handler: BaseHTTPRequestHandler):
        # Counted only while the handler works, before it answers: the client holds its
        # request open for at least that long, so an overlap here is one there.
        host = handler.headers["Host"].rpartition(":")[0]
        with self._lock:
            self._in_flight[host] += 1
            self.most_in_flight[host] = max(self.most_in_flight[host], self._in_flight[host])
            overall = sum(self._in_flight.values())
            self.most_in_flight_overall = max(self.most_in_flight_overall, overall)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight[host] -= 1


def answer(handler, status: int, **headers) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def endless_slow_body(handler, site: LocalSite) -> None:
    """Headers promising 10 GB, then a trickle that would take BODY_SECONDS to read."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Content-Length", str(10 * 1024**3))
    handler.end_headers()
    chunk = b"\0" * 65536
    deadline = time.monotonic() + BODY_SECONDS
    try:
        while time.monotonic() < deadline and not site.stopping.wait(0.05):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        site.client_went_away.set()


def trickle(handler, site: LocalSite) -> None:
    """A whole, valid header, one byte every TRICKLE_EVERY s (about 11 s in all): each byte
    comes long before any read timeout, so only a deadline on the whole check ends it."""
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
        if site.stopping.wait(TRICKLE_EVERY):
            return
        try:
            handler.wfile.write(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            site.client_went_away.set()
            return


def hold(handler, site: LocalSite) -> None:
    with site.in_flight(handler):
        site.stopping.wait(HOLD)
    answer(handler, 200)


class Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.respond("HEAD")

    def do_GET(self):
        self.respond("GET")

    def log_message(self, format, *args):
        pass  # keeps the test output clean

    def respond(self, method: str) -> None:
        site = self.server.site
        site.record(method, self)
        path, _, query = self.path.partition("?")
        query = {name: values[0] for name, values in parse_qs(query).items()}
        head = method == "HEAD"
        if path == "/ok":
            answer(self, 200)
        elif path == "/missing":
            answer(self, 404)
        elif path == "/broken":
            answer(self, 500)
        elif path == "/rate-limited":
            answer(self, 429)
        elif path == "/flaky":
            answer(self, site.flaky_status)
        elif path == "/slow":
            site.stopping.wait(SLOW_ANSWER)
            answer(self, 200)
        elif path == "/hold":
            hold(self, site)
        elif path == "/get-only":
            answer(self, int(query["head"]) if head else 200)
        elif path == "/no-head":
            answer(self, 405, Allow="GET") if head else endless_slow_body(self, site)
        elif path == "/redirect":
            answer(self, 302, Location=query["to"])
        elif path == "/loop":
            answer(self, 302, Location="/loop")
        elif path == "/trickle":
            trickle(self, site)
        elif path == "/slow-redirect":
            # Each hop answers well within the timeout; all of them together do not.
            site.stopping.wait(STEP)
            hops = int(query["hops"])
            if hops:
                answer(self, 302, Location=f"/slow-redirect?hops={hops - 1}")
            else:
                answer(self, 200)
        else:
            answer(self, 404)


@contextmanager
def serving(address: str):
    local = LocalSite()
    server = ThreadingHTTPServer((address, 0), Handler)
    server.site = local
    local.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield local
    finally:
        local.stopping.set()  # frees handlers still waiting or trickling
        server.shutdown()
        server.server_close()


@pytest.fixture
def site():
    with serving("127.0.0.1") as local:
        yield local


@pytest.fixture
def site_on_127_0_0_2():
    """Another loopback address, where 127.0.0.1 and ::1 (what libcurl makes of a name
    ending in .localhost on its own) have nothing listening on the same port."""
    with serving("127.0.0.2") as local:
        yield local


def check(*sources: Source, timeout: float = TIMEOUT, **options):
    report = sources_check(
        sources=Source.objects.filter(pk__in=[s.pk for s in sources]), timeout=timeout, **options
    )
    for source in sources:
        source.refresh_from_db()
    return report


def at(*day: int) -> datetime.datetime:
    return datetime.datetime(*day, tzinfo=datetime.UTC)


def redirect_to(site: LocalSite, target: str) -> str:
    return site.url("/redirect?" + urlencode({"to": target}))


def test_it_marks_a_source_that_answers_head_with_200_reachable(db, site):
    source = make_source(url=site.url("/ok"))

    report = check(source)

    assert (source.last_status, source.reachable) == (200, True)
    assert (source.failures_in_row, source.last_check_error) == (0, "")
    assert source.last_checked_at is not None
    assert site.methods("/ok") == ["HEAD"]
    assert (report.checked, report.reachable, report.failed) == (1, 1, 0)


def test_it_falls_back_to_a_get_that_never_reads_the_body_when_head_is_refused(db, site):
    source = make_source(url=site.url("/no-head"))

    started = time.monotonic()
    check(source)
    elapsed = time.monotonic() - started

    assert site.methods("/no-head") == ["HEAD", "GET"]
    assert (source.last_status, source.reachable) == (200, True)
    # Reading the body would take BODY_SECONDS; the check hung up after the headers.
    assert elapsed < BODY_SECONDS / 2
    assert site.client_went_away.wait(TIMEOUT)


@pytest.mark.parametrize("head_status", [403, 404, 405, 500, 501])
def test_it_trusts_a_get_over_an_error_answer_to_head(db, site, head_status):
    source = make_source(url=site.url(f"/get-only?head={head_status}"))

    check(source)

    assert [method for method, _, _ in site.requests] == ["HEAD", "GET"]
    assert (source.last_status, source.reachable) == (200, True)


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [("/missing", 404, "HTTP 404 Not Found"), ("/broken", 500, "HTTP 500 Internal Server Error")],
)
def test_it_counts_an_error_status_as_a_failure(db, site, path, status, error):
    source = make_source(url=site.url(path))

    report = check(source)

    assert site.methods(path) == ["HEAD", "GET"]
    assert (source.last_status, source.reachable) == (status, False)
    assert (source.failures_in_row, source.last_check_error) == (1, error)
    assert (report.reachable, report.failed) == (0, 1)


def test_it_counts_failures_in_a_row_and_starts_again_after_a_success(db, site):
    source = make_source(url=site.url("/flaky"))

    runs = [check(source) for _ in range(Source.UNREACHABLE_AFTER + 1)]
    assert source.failures_in_row == Source.UNREACHABLE_AFTER + 1
    # Only the run that reached the threshold reports the source newly unreachable.
    assert [run.newly_unreachable for run in runs] == [0, 0, 1, 0]
    assert "(1 now unreachable)" in runs[2].summary()

    site.flaky_status = 200
    check(source)
    assert (source.failures_in_row, source.reachable, source.last_check_error) == (0, True, "")


def test_it_counts_a_rate_limited_answer_neither_way(db, site):
    source = make_source(url=site.url("/rate-limited"), reachable=False, failures_in_row=2)

    report = check(source)

    assert site.methods("/rate-limited") == ["HEAD"]  # no second request at once
    assert source.last_status == 429
    assert (source.reachable, source.failures_in_row) == (False, 2)
    assert (report.rate_limited, report.reachable, report.failed) == (1, 0, 0)


def test_it_records_a_server_that_answers_too_late_as_a_failure(db, site):
    source = make_source(url=site.url("/slow"))

    started = time.monotonic()
    check(source, timeout=SHORT_TIMEOUT)

    assert time.monotonic() - started < SLOW_ANSWER
    assert (source.last_status, source.reachable) == (None, False)
    assert source.last_check_error == "timed out: no answer within 0.5 s"


def test_a_server_that_trickles_its_headers_is_cut_at_the_deadline_and_frees_its_host(db, site):
    trickling = make_source(url=site.url("/trickle"))
    same_host = make_source(url=site.url("/ok"))  # checked after it, so needs its host lock

    started = time.monotonic()
    check(trickling, same_host, timeout=DEADLINE, max_concurrent=1)

    assert time.monotonic() - started < 3 * DEADLINE
    assert (trickling.last_status, trickling.reachable) == (None, False)
    assert trickling.last_check_error == "timed out: no answer within 1 s"
    assert site.client_went_away.wait(TIMEOUT)  # hung up, not left trickling
    assert (same_host.last_status, same_host.reachable) == (200, True)


def test_the_deadline_covers_the_whole_check_redirects_included(db, site):
    # Six hops of STEP seconds: each is quick, together they take more than twice DEADLINE.
    source = make_source(url=site.url("/slow-redirect?hops=5"))

    started = time.monotonic()
    check(source, timeout=DEADLINE)

    assert time.monotonic() - started < 2 * DEADLINE
    assert (source.last_status, source.reachable) == (None, False)
    assert source.last_check_error == "timed out: no answer within 1 s"


def test_waiting_for_a_turn_at_a_host_is_not_counted_against_the_deadline(db, site):
    # Each takes HOLD; the last one waits 3 * HOLD for its turn, longer than its timeout.
    sources = [make_source(url=site.url(f"/hold?n={n}")) for n in range(4)]

    report = check(*sources, timeout=3 * HOLD, max_concurrent=4)

    assert report.reachable == 4
    assert site.most_in_flight == {"127.0.0.1": 1}


def test_it_follows_a_redirect_to_another_http_address(db, site):
    source = make_source(url=redirect_to(site, site.url("/ok", host="localhost")))

    check(source)

    assert site.methods("/ok") == ["HEAD"]
    assert (source.last_status, source.reachable, source.last_check_error) == (200, True, "")


@pytest.mark.parametrize(
    ("target", "scheme"), [("ftp://127.0.0.1/report.pdf", "ftp"), ("file:///etc/passwd", "file")]
)
def test_it_refuses_a_redirect_to_any_other_scheme(db, site, target, scheme):
    source = make_source(url=redirect_to(site, target))

    check(source)

    assert (source.last_status, source.reachable) == (302, False)
    assert source.last_check_error == f"redirect to a non-http(s) address ({scheme})"


@pytest.mark.parametrize("target", ["http://[::1/", "http://127.0.0.1:99999/", "http://[zz]/"])
def test_it_refuses_a_redirect_to_an_address_it_cannot_read(db, site, network, target):
    source = make_source(url=redirect_to(site, target))

    check(source)

    assert len(site.requests) == 1  # the redirect; nothing after it
    assert network.addresses() == {"127.0.0.1"}
    assert (source.last_status, source.reachable) == (302, False)
    assert source.last_check_error == "redirect to an address that cannot be read"


def test_it_gives_up_after_a_few_redirects(db, site):
    source = make_source(url=site.url("/loop"))

    check(source)

    assert len(site.methods("/loop")) == MAX_REDIRECTS + 1
    assert source.reachable is False
    assert source.last_check_error == f"more than {MAX_REDIRECTS} redirects"


def test_it_names_the_project_in_its_user_agent(db, site, settings):
    settings.SITE_URL = "https://tracker.example.org"
    source = make_source(url=site.url("/ok"))

    check(source)

    (_, _, headers), *_ = site.requests
    assert (
        headers["User-Agent"] == "ChildSafetyCommitmentTracker/1.0 (+https://tracker.example.org)"
    )


def test_it_asks_one_host_one_thing_at_a_time_but_several_hosts_at_once(db, site):
    sources = [
        make_source(url=site.url(f"/hold?n={n}", host=host))
        for host in ("127.0.0.1", "localhost")
        for n in range(3)
    ]

    report = check(*sources, max_concurrent=8)

    assert report.reachable == 6
    assert site.most_in_flight == {"127.0.0.1": 1, "localhost": 1}
    assert site.most_in_flight_overall == 2


def test_it_records_a_refused_connection_as_a_failure(db):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    source = make_source(url=f"http://127.0.0.1:{port}/report")

    check(source)

    assert (source.last_status, source.reachable, source.failures_in_row) == (None, False, 1)
    assert source.last_check_error == "could not connect: Connection refused"


def test_it_checks_never_checked_sources_first_then_the_longest_unchecked(db, site):
    recent = make_source(url=site.url("/ok?recent"), last_checked_at=at(2026, 11, 20))
    never = make_source(url=site.url("/ok?never"))
    old = make_source(url=site.url("/ok?old"), last_checked_at=at(2026, 1, 1))

    check(recent, never, old, max_concurrent=1)

    assert site.paths() == ["/ok?never", "/ok?old", "/ok?recent"]


def test_it_sums_up_the_run_in_one_line(db, site):
    make_source(url=site.url("/ok"))
    make_source(url=site.url("/missing"))
    make_source(url=site.url("/broken"), failures_in_row=Source.UNREACHABLE_AFTER - 1)
    make_source(url=site.url("/rate-limited"))

    report = sources_check(timeout=TIMEOUT)

    assert report.summary() == (
        "Checked 4 sources: 1 reachable, 2 failed (1 now unreachable), "
        "1 rate limited (not counted)."
    )


def test_it_writes_only_link_health_so_no_search_document_is_rebuilt(db, site, commitment):
    source = make_source(url=site.url("/ok"), title="Cited by a pledge")
    Citation.objects.create(commitment=commitment, source=source)

    with CaptureQueriesContext(connection) as queries:
        check(source)

    assert source.reachable is True
    assert not [q["sql"] for q in queries if "search_document" in q["sql"]]
    assert source.history.count() == 1  # a routine check is not an edit


def test_the_command_prints_its_summary(db, site):
    source = make_source(url=site.url("/ok"))
    out = io.StringIO()

    call_command("check_sources", "--source-id", str(source.pk), "--timeout", "5", stdout=out)

    assert out.getvalue().startswith("Checked 1 source: 1 reachable, 0 failed. Flags: ")


def test_the_command_reports_progress_on_stderr(db, site, monkeypatch):
    monkeypatch.setattr(check_sources_command, "PROGRESS_EVERY", 2)
    ids = [str(make_source(url=site.url(f"/ok?n={n}")).pk) for n in range(4)]
    out, err = io.StringIO(), io.StringIO()

    call_command("check_sources", "--source-id", *ids, stdout=out, stderr=err)

    assert err.getvalue() == "  2/4 sources checked\n  4/4 sources checked\n"
    assert out.getvalue().startswith("Checked 4 sources: 4 reachable, 0 failed. Flags: ")


def test_the_third_failure_flags_the_pledges_citing_the_source_at_once(db, site, platform):
    source = make_source(url=site.url("/missing"))
    pledge = make_commitment(platform, "Cites a dead link", announced_on=datetime.date.today())
    Citation.objects.create(commitment=pledge, source=source)
    for _ in range(Source.UNREACHABLE_AFTER - 1):
        call_command("check_sources", "--source-id", str(source.pk), stdout=io.StringIO())
    assert not Flag.objects.filter(reason="source_unreachable").exists()

    out = io.StringIO()
    call_command("check_sources", "--source-id", str(source.pk), stdout=out)
    assert "(1 now unreachable)" in out.getvalue()
    assert "opened 1 flags (1 source unreachable)" in out.getvalue().lower()
    flag = Flag.objects.get(reason="source_unreachable")
    assert (flag.commitment, flag.source) == (pledge, source)
    assert JobRun.objects.get(job="check_sources").last_succeeded_at is not None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--timeout", "0"], "--timeout must be more than 0"),
        (["--timeout", "nan"], "--timeout must be more than 0"),
        (["--timeout", "soon"], "invalid float value"),
        (["--concurrency", "0"], "--concurrency must be between 1 and 64"),
        (["--source-id", "999999"], "No source with id 999999."),
    ],
)
def test_the_command_refuses_bad_arguments_clearly(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("check_sources", *arguments)


def test_the_scheduled_task_checks_then_flags_and_records_its_run(db, site):
    from commitments.tasks import check_sources as task

    make_source(url=site.url("/ok"))
    summary = task.apply().get()
    assert summary.startswith("Checked 1 source: 1 reachable, 0 failed. Flags: Nothing changed")
    assert JobRun.objects.get(job="check_sources").last_summary == summary


class FakeNames:
    """socket.getaddrinfo for made-up names (what their DNS would say); every other name
    and every address literal goes to the real one, which for localhost and literals asks
    no name server. Records each name looked up.

    The made-up names end in .localhost, which libcurl answers itself with loopback: had
    the checker let libcurl look a name up (as it did before addresses were checked), no
    query would have gone to a name server, nor a connection anywhere but loopback."""

    def __init__(self, monkeypatch, names: dict[str, list[str] | Callable[[], list[str]]]):
        self.names = names
        self.looked_up: list[str] = []
        self.real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self.getaddrinfo)

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.names:
            return self.real(host, port, family, type, proto, flags)
        self.looked_up.append(name)
        addresses = self.names[name]
        addresses = addresses() if callable(addresses) else addresses
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (address, port, 0, 0) if ":" in address else (address, port),
            )
            for address in addresses
        ]


NON_PUBLIC = [
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # a cloud's metadata service
    "100.64.0.1",  # carrier-grade NAT
    "127.0.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "240.0.0.1",
    "::1",
    "::",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "fc00::1",
    "fe80::1",
    "ff02::1",
    "2002:a00:1::1",  # 6to4, carrying 10.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64, carrying 169.254.169.254
    "2001::1",  # Teredo
]


@pytest.fixture
def no_loopback(settings):
    settings.LINKCHECK_ALLOW_LOOPBACK = False


@pytest.mark.parametrize("address", NON_PUBLIC)
def test_it_refuses_a_name_that_resolves_to_a_non_public_address_before_connecting(
    db, monkeypatch, network, no_loopback, address
):
    names = FakeNames(monkeypatch, {"source.localhost": [address]})
    source = make_source(url="http://source.localhost/report")

    check(source)

    assert names.looked_up == ["source.localhost"]
    assert network.attempts() == []
    assert (source.last_status, source.reachable, source.failures_in_row) == (None, False, 1)
    assert source.last_check_error == "refused: resolves to a non-public address"


@pytest.mark.parametrize(
    "host", ["10.0.0.1", "169.254.169.254", "0.0.0.0", "[::ffff:127.0.0.1]", "[fe80::1]"]
)
def test_it_refuses_a_non_public_address_written_out_before_connecting(
    db, network, no_loopback, host
):
    source = make_source(url=f"http://{host}/latest/meta-data/")

    check(source)

    assert network.attempts() == []
    assert (source.last_status, source.reachable) == (None, False)
    assert source.last_check_error == "refused: a non-public address"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_unless_allowed_and_the_server_hears_nothing(
    db, site, network, no_loopback, host
):
    source = make_source(url=site.url("/ok", host=host))

    check(source)

    assert site.requests == []
    assert network.attempts() == []
    assert source.reachable is False
    assert source.last_check_error.startswith("refused: ")


def test_a_name_with_any_non_public_address_among_public_ones_is_refused(db, monkeypatch, network):
    # All or nothing: a name that mixes public and internal addresses is misconfigured
    # or a trick, and the checker would not know which one libcurl picked.
    FakeNames(monkeypatch, {"mixed.localhost": ["8.8.8.8", "10.0.0.1"]})
    source = make_source(url="http://mixed.localhost/report")

    check(source)

    assert network.attempts() == []
    assert source.last_check_error == "refused: resolves to a non-public address"


@pytest.mark.parametrize(
    ("target", "names"),
    [
        ("http://internal.localhost/admin/", {"internal.localhost": ["10.0.0.1"]}),
        ("http://169.254.169.254/latest/meta-data/", {}),
        ("http://[::ffff:a9fe:a9fe]/latest/meta-data/", {}),
    ],
)
def test_it_refuses_a_redirect_to_a_non_public_address_before_connecting(
    db, site, monkeypatch, network, target, names
):
    FakeNames(monkeypatch, names)
    source = make_source(url=redirect_to(site, target))

    check(source)

    assert network.addresses() == {"127.0.0.1"}  # the site's redirect, nothing after
    assert (source.last_status, source.reachable) == (302, False)
    assert source.last_check_error == "refused: redirect to a non-public address"


def test_it_connects_to_the_address_it_checked_without_looking_the_name_up_again(
    db, site_on_127_0_0_2, monkeypatch, network
):
    # Had libcurl looked the name up itself, it would have tried 127.0.0.1 and ::1, where
    # nothing listens on this port.
    site = site_on_127_0_0_2
    names = FakeNames(monkeypatch, {"pinned.localhost": ["127.0.0.2"]})
    source = make_source(url=site.url("/ok", host="pinned.localhost"))

    check(source)

    assert (source.last_status, source.reachable) == (200, True)
    assert names.looked_up == ["pinned.localhost"]
    assert network.attempts() == [("curl", "127.0.0.2")]
    (_, _, headers), *_ = site.requests
    assert headers["Host"] == f"pinned.localhost:{site.port}"


def test_each_redirect_is_looked_up_and_checked_again(db, site, monkeypatch, network):
    # The name answers loopback first, then an internal address (DNS rebinding).
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    names = FakeNames(monkeypatch, {"rebinding.localhost": lambda: next(answers)})
    source = make_source(url=site.url("/redirect?to=/ok", host="rebinding.localhost"))

    check(source)

    assert names.looked_up == ["rebinding.localhost", "rebinding.localhost"]
    assert site.paths() == ["/redirect?to=/ok"]
    assert network.addresses() == {"127.0.0.1"}
    assert (source.last_status, source.last_check_error) == (
        302,
        "refused: redirect to a non-public address",
    )


def test_it_refuses_a_stored_address_with_a_user_name_or_password_without_asking(db, site, network):
    # Validation refuses them now; a row stored before it did may still have one.
    source = make_source(url=site.url("/ok"))
    Source.objects.filter(pk=source.pk).update(url=f"http://editor:secret@127.0.0.1:{site.port}/ok")

    check(source)

    assert site.requests == []
    assert network.attempts() == []
    assert (source.last_status, source.reachable) == (None, False)
    assert source.last_check_error == "refused: a user name or password in the address"


def test_it_refuses_a_redirect_to_an_address_with_a_user_name_or_password(db, site):
    source = make_source(url=redirect_to(site, f"http://editor:secret@127.0.0.1:{site.port}/ok"))

    check(source)

    assert site.methods("/ok") == []
    assert (source.last_status, source.reachable) == (302, False)
    assert source.last_check_error == "refused: redirect to an address with a user name or password"


def test_libcurl_may_open_a_socket_only_to_an_address_that_was_checked():
    # The last line of defence, should libcurl ever pick another address than the
    # pinned ones: its socket callback, called here directly, so nothing is connected.
    opener = link_health.CheckedSockets({ipaddress.ip_address("127.0.0.1")})
    elsewhere = CurlSockAddr(socket.AF_INET, socket.SOCK_STREAM, 6, ("127.0.0.2", 80))

    assert opener.open(0, elsewhere) == pycurl.SOCKET_BAD
    assert opener.refused
