"""snapshot_sources against a local HTTP server whose pages change between runs: the
readable text kept (never scripts, images or media), a version only when the text
changed, PDFs, pages too large, redirects to another scheme, sensitive sources never
read; and the wording check: a quote reworded, removed and restored."""

import gzip
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from commitments import tasks
from commitments.followup import snapshots
from commitments.followup.flagging import WORDING_CONFIRMED, commitments_flag
from commitments.followup.wording import WORDING_BACK
from commitments.models import Citation, Flag, FollowUp, JobRun, Source, SourceSnapshot
from tests.factories import add_follow_up, make_commitment, make_platform, make_source

QUOTE = "We will turn off direct messages for every account under 16 by default."
PAGE = """<!doctype html><html><head><title>Our new teen protections</title>
<style>body {{ color: red }}</style><script>var tracking = "secret script text";</script>
</head><body><nav>Home | News</nav><main><h1>Teen protections</h1>
<p>Today we announce changes.</p><p>{quote}</p>
<img src="/photo.jpg" alt="A photo"><svg><text>drawn words</text></svg>
<video src="/clip.mp4">video fallback</video></main></body></html>"""


class Pages:
    """What the local server serves, changed by the tests between runs."""

    def __init__(self):
        self.port = None
        self.pages: dict[str, tuple[int, dict, bytes]] = {}
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def html(self, path: str, quote: str = QUOTE) -> None:
        self.serve(path, PAGE.format(quote=quote).encode(), "text/html; charset=utf-8")

    def serve(self, path: str, body: bytes, content_type: str, status: int = 200, **headers):
        self.pages[path] = (status, {"Content-Type": content_type, **headers}, body)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        pages = self.server.pages
        with pages.lock:
            pages.requests.append(("GET", self.path))
        status, headers, body = pages.pages.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if headers.get("Transfer-Encoding") == "chunked":
            self.end_headers()
            for start in range(0, len(body), 4096):
                chunk = body[start : start + 4096]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@contextmanager
def serving():
    pages = Pages()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.pages = pages
    pages.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield pages
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site():
    with serving() as pages:
        yield pages


def snapshot(*sources: Source, **options) -> snapshots.SnapshotReport:
    report = snapshots.sources_snapshot(
        sources=Source.objects.filter(pk__in=[s.pk for s in sources]), timeout=5, **options
    )
    for source in sources:
        source.refresh_from_db()
    return report


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose page shows `text`, written by hand: no PDF writer needed."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# The kept text ---------------------------------------------------------------------------


def test_a_page_is_kept_as_its_readable_text_only(db, site):
    site.html("/teen")
    source = make_source(url=site.url("/teen"))

    report = snapshot(source)

    kept = source.snapshots.get()
    assert report.new_versions == 1
    assert QUOTE in kept.text
    assert "Teen protections" in kept.text
    for never in ("secret script text", "color: red", "A photo", "drawn words", "video fallback"):
        assert never not in kept.text
    assert "<" not in kept.text  # no markup
    assert kept.content_type == "text/html"
    assert kept.fetched_url == site.url("/teen")
    assert len(kept.sha256) == 64
    assert source.snapshot_checked_at is not None and source.snapshot_error == ""
    # Only the page was asked for: no image, video or anything it links to.
    assert site.requests == [("GET", "/teen")]


def test_the_same_text_in_other_markup_is_no_new_version(db, site):
    site.html("/teen")
    source = make_source(url=site.url("/teen"))
    snapshot(source)
    first = source.snapshots.get()
    site.serve(
        "/teen",
        PAGE.format(quote=QUOTE).replace("<p>", "<p class='new'>  ").encode(),
        "text/html",
    )

    report = snapshot(source)

    again = source.snapshots.get()
    assert (report.new_versions, report.unchanged) == (0, 1)
    assert again.sha256 == first.sha256
    assert again.last_seen_at > first.last_seen_at
    assert again.first_seen_at == first.first_seen_at


def test_a_changed_text_is_a_new_version_and_the_old_one_stays(db, site):
    site.html("/teen")
    source = make_source(url=site.url("/teen"))
    snapshot(source)
    site.html("/teen", quote="We may limit some messages for some younger accounts.")

    snapshot(source)

    old, new = source.snapshots.order_by("first_seen_at", "id")
    assert QUOTE in old.text and QUOTE not in new.text
    assert new.previous() == old
    assert old.previous() is None


def test_a_pdf_is_kept_as_the_text_of_its_pages(db, site):
    site.serve("/report.pdf", minimal_pdf("We will scan every upload."), "application/pdf")
    source = make_source(url=site.url("/report.pdf"))

    snapshot(source)

    assert source.snapshots.get().text == "We will scan every upload."


def test_plain_text_and_a_compressed_page_are_read(db, site):
    site.serve("/plain", b"Line one.\r\n\r\n  Line   two. ", "text/plain")
    site.serve(
        "/gzip", gzip.compress(PAGE.format(quote=QUOTE).encode()), "text/html",
        **{"Content-Encoding": "gzip"},
    )  # fmt: skip
    plain, compressed = make_source(url=site.url("/plain")), make_source(url=site.url("/gzip"))

    snapshot(plain, compressed)

    assert plain.snapshots.get().text == "Line one.\nLine two."
    assert QUOTE in compressed.snapshots.get().text


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_page_over_the_size_cap_keeps_nothing(db, site, chunked):
    body = PAGE.format(quote="x" * 20_000).encode()
    headers = {"Transfer-Encoding": "chunked"} if chunked else {}
    site.serve("/big", body, "text/html", **headers)
    source = make_source(url=site.url("/big"))

    report = snapshot(source, max_bytes=10_000)

    assert not source.snapshots.exists()
    assert report.failed == 1
    assert source.snapshot_error.startswith("larger than 10,000 bytes")


def test_a_compressed_page_is_capped_at_its_unpacked_size(db, site):
    site.serve("/bomb", gzip.compress(b"a" * 200_000), "text/plain", **{"Content-Encoding": "gzip"})
    source = make_source(url=site.url("/bomb"))

    snapshot(source, max_bytes=10_000)

    assert not source.snapshots.exists()
    assert "larger than 10,000 bytes" in source.snapshot_error


@pytest.mark.parametrize(
    "content_type", ["image/jpeg", "video/mp4", "application/octet-stream", ""]
)
def test_media_and_files_are_never_kept(db, site, content_type):
    site.serve("/thing", b"\xff\xd8\xff" + b"\0" * 1000, content_type)
    source = make_source(url=site.url("/thing"))

    snapshot(source)

    assert not source.snapshots.exists()
    assert source.snapshot_error.startswith("not a page of text")


def test_a_redirect_to_another_scheme_is_refused(db, site):
    site.serve("/moved", b"", "text/html", status=302, Location="ftp://127.0.0.1/teen.txt")
    source = make_source(url=site.url("/moved"))

    snapshot(source)

    assert not source.snapshots.exists()
    assert "non-http(s)" in source.snapshot_error


def test_a_redirect_to_another_http_page_is_followed(db, site):
    site.html("/new-home")
    site.serve("/old-home", b"", "text/html", status=301, Location="/new-home")
    source = make_source(url=site.url("/old-home"))

    snapshot(source)

    assert source.snapshots.get().fetched_url == site.url("/new-home")


def test_an_error_answer_keeps_nothing_and_says_why(db, site):
    source = make_source(url=site.url("/gone"))

    snapshot(source)

    assert not source.snapshots.exists()
    assert source.snapshot_error == "HTTP 404 Not Found"


def test_a_sensitive_source_is_never_read(db, site):
    site.html("/near-abuse")
    source = make_source(url=site.url("/near-abuse"), sensitive=True)

    report = snapshot(source)

    assert report.read == 0
    assert site.requests == []
    assert not SourceSnapshot.objects.exists()


# The wording check -----------------------------------------------------------------------


@pytest.fixture
def quoted(db, site):
    """A published pledge citing the page with its quote, the page kept once."""
    site.html("/teen")
    source = make_source(url=site.url("/teen"))
    pledge = make_commitment(make_platform("Snapchat"), "DMs off for under-16s", with_source=False)
    Citation.objects.create(commitment=pledge, source=source, quote=QUOTE)
    snapshot(source)
    return pledge, source


def wording_flags(source):
    return Flag.objects.filter(reason=Flag.Reason.WORDING_CHANGED, source=source)


def test_a_reworded_quote_opens_a_wording_flag_and_changes_nothing_public(site, quoted):
    pledge, source = quoted
    status_before = pledge.status
    site.html("/teen", quote="We may limit direct messages for some accounts under 16.")

    report = snapshot(source)

    flag = wording_flags(source).get()
    assert flag.is_open
    assert flag.commitment == pledge
    assert flag.snapshot == source.snapshots.order_by("-first_seen_at", "-id").first()
    assert QUOTE in flag.detail and "best match" in flag.detail
    assert report.wording_flags == 1
    pledge.refresh_from_db()
    assert pledge.status == status_before
    assert pledge.published


def test_a_removed_quote_opens_a_flag_and_a_restored_one_resolves_it(site, quoted):
    pledge, source = quoted
    site.html("/teen", quote="")
    snapshot(source)
    assert wording_flags(source).get().is_open

    site.html("/teen")
    snapshot(source)

    flag = wording_flags(source).get()
    assert not flag.is_open
    assert flag.resolution == WORDING_BACK
    assert source.snapshots.count() == 3


def test_a_flag_stays_open_while_the_lost_quote_stays_lost(site, quoted):
    pledge, source = quoted
    site.html("/teen", quote="")
    snapshot(source)
    site.html("/teen", quote="Something else entirely, with new words.")

    snapshot(source)

    assert wording_flags(source).get().is_open


@pytest.mark.parametrize(
    "kept",
    [
        QUOTE.upper(),
        QUOTE.replace(" ", "\n  "),
        QUOTE.replace("direct", "direct,").replace(".", "!"),
        QUOTE.replace("every", "evrey"),  # a typo
    ],
    ids=["case", "line breaks", "punctuation", "one typo"],
)
def test_small_edits_open_no_flag(site, quoted, kept):
    _pledge, source = quoted
    site.html("/teen", quote=kept)

    snapshot(source)

    assert source.snapshots.count() == 2  # the text did change
    assert not wording_flags(source).exists()


def test_a_quote_never_in_the_page_opens_no_flag(site, quoted):
    pledge, source = quoted
    Citation.objects.create(
        commitment=pledge, source=source, quote="Words the page never said, paraphrased."
    )
    site.html("/teen", quote=QUOTE + " And more.")

    snapshot(source)

    assert not wording_flags(source).exists()


def test_a_drafts_quote_opens_no_flag(db, site):
    site.html("/teen")
    source = make_source(url=site.url("/teen"))
    draft = make_commitment(make_platform("Kik"), "A draft", published=False, with_source=False)
    Citation.objects.create(commitment=draft, source=source, quote=QUOTE)
    snapshot(source)
    site.html("/teen", quote="")

    snapshot(source)

    assert not wording_flags(source).exists()


def test_a_follow_ups_quote_flags_its_pledge(db, site):
    site.html("/teen")
    source = make_source(url=site.url("/teen"))
    pledge = make_commitment(make_platform("Discord"), "Teen safety assist")
    follow_up = add_follow_up(pledge, with_source=False)
    Citation.objects.create(follow_up=follow_up, source=source, quote=QUOTE)
    snapshot(source)
    site.html("/teen", quote="")

    snapshot(source)

    assert wording_flags(source).get().commitment == pledge


def test_a_reviewers_follow_up_citing_the_source_confirms_the_change(site, quoted):
    pledge, source = quoted
    site.html("/teen", quote="")
    snapshot(source)
    follow_up = add_follow_up(pledge, kind=FollowUp.Kind.REVERSAL, with_source=False)
    Citation.objects.create(follow_up=follow_up, source=source)

    commitments_flag()

    flag = wording_flags(source).get()
    assert flag.resolution == WORDING_CONFIRMED


def test_a_follow_up_of_another_kind_does_not_resolve_the_flag(site, quoted):
    pledge, source = quoted
    site.html("/teen", quote="")
    snapshot(source)
    follow_up = add_follow_up(pledge, kind=FollowUp.Kind.PROGRESS_REPORT, with_source=False)
    Citation.objects.create(follow_up=follow_up, source=source)

    commitments_flag()

    assert wording_flags(source).get().is_open


def test_an_unreachable_flag_and_a_wording_flag_on_one_source_stand_together(site, quoted):
    pledge, source = quoted
    site.html("/teen", quote="")
    snapshot(source)
    Source.objects.filter(pk=source.pk).update(failures_in_row=Source.UNREACHABLE_AFTER)

    commitments_flag()

    reasons = set(Flag.objects.open().filter(source=source).values_list("reason", flat=True))
    assert reasons == {Flag.Reason.WORDING_CHANGED, Flag.Reason.SOURCE_UNREACHABLE}


# The command, the task, the schedule -----------------------------------------------------


def test_the_command_reads_the_sources_asked_for_and_says_what_it_did(db, site):
    site.html("/a")
    site.html("/b")
    a, b = make_source(url=site.url("/a")), make_source(url=site.url("/b"))
    out = StringIO()

    call_command("snapshot_sources", "--source-id", str(a.pk), "--timeout", "5", stdout=out)

    assert out.getvalue().strip() == "Read 1 source: 1 new version kept, 0 unchanged, 0 not kept."
    assert a.snapshots.exists() and not b.snapshots.exists()
    assert JobRun.objects.get(job="snapshot_sources").last_summary == out.getvalue().strip()


def test_the_command_refuses_an_unknown_or_sensitive_source(db):
    sensitive = make_source(sensitive=True)
    with pytest.raises(CommandError, match="No source with id 999999"):
        call_command("snapshot_sources", "--source-id", "999999")
    with pytest.raises(CommandError, match=f"never read: source {sensitive.pk}"):
        call_command("snapshot_sources", "--source-id", str(sensitive.pk))


def test_the_task_runs_the_same_service(db, site, settings):
    site.html("/a")
    source = make_source(url=site.url("/a"))

    summary = tasks.snapshot_sources()

    assert summary.startswith("Read 1 source: 1 new version kept")
    assert source.snapshots.exists()


def test_a_daily_schedule_runs_the_task(db):
    task = PeriodicTask.objects.get(name="Snapshot sources")
    assert task.task == "commitments.tasks.snapshot_sources"
    assert (task.crontab.hour, task.crontab.minute) == ("4", "0")


def test_normalised_text_keeps_words_apart_and_drops_invisible_characters():
    from commitments.followup.page_text import normalise

    assert normalise("a\tb\x0bc\u200bd\x00e\r\nf\n\n  g ") == "a b cde\nf\ng"


def test_a_pdf_that_breaks_the_parser_keeps_nothing_and_the_run_goes_on(db, site):
    site.serve("/broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%EOF", "application/pdf")
    site.html("/fine")
    broken, fine = make_source(url=site.url("/broken.pdf")), make_source(url=site.url("/fine"))

    report = snapshot(broken, fine)

    assert not broken.snapshots.exists()
    assert broken.snapshot_error
    assert fine.snapshots.exists()
    assert report.read == 2


def test_a_source_marked_sensitive_while_the_run_reads_it_keeps_nothing(db):
    source = make_source()
    Source.objects.filter(pk=source.pk).update(sensitive=True)
    report = snapshots.SnapshotReport()

    snapshots.snapshot_record(
        source_id=source.pk,
        fetched=snapshots.Fetched(text="Words.", content_type="text/html", url=source.url),
        report=report,
    )

    assert not SourceSnapshot.objects.exists()
    assert report.failed == 1


def test_marking_a_source_sensitive_forgets_its_kept_text(db, site):
    site.html("/teen")
    source = make_source(url=site.url("/teen"))
    snapshot(source)

    assert snapshots.snapshots_forget(source=source) == 1
    assert not source.snapshots.exists()


def test_a_flag_stays_open_until_every_lost_quote_is_back(db, site):
    other = "Parents will see who their teen messages, every week."
    site.html("/teen", quote=f"{QUOTE} {other}")
    source = make_source(url=site.url("/teen"))
    pledge = make_commitment(make_platform("Meta"), "Teen accounts", with_source=False)
    Citation.objects.create(commitment=pledge, source=source, quote=QUOTE)
    Citation.objects.create(commitment=pledge, source=source, quote=other)
    snapshot(source)
    site.html("/teen", quote=other)  # the first quote lost
    snapshot(source)
    site.html("/teen", quote="")  # the second lost too
    snapshot(source)
    site.html("/teen", quote=QUOTE)  # the first back, not the second

    snapshot(source)
    assert wording_flags(source).get().is_open

    site.html("/teen", quote=f"{QUOTE} {other}")
    snapshot(source)
    assert not wording_flags(source).get().is_open


def test_of_two_runs_at_once_the_later_read_stays_the_newest_version(db):
    import datetime as dt

    from django.utils import timezone

    source = make_source()
    earlier, later = timezone.now() - dt.timedelta(minutes=5), timezone.now()
    report = snapshots.SnapshotReport()
    # The run that read the page later records first; the slower one, with the old
    # text, records after it.
    for text, read_at in [("The new text.", later), ("The old text.", earlier)]:
        snapshots.snapshot_record(
            source_id=source.pk,
            fetched=snapshots.Fetched(
                text=text, content_type="text/html", url=source.url, read_at=read_at
            ),
            report=report,
        )

    assert list(source.snapshots.values_list("text", flat=True)) == ["The new text."]
