"""Citable releases (commitments/releases/): what a release holds, that it never changes,
that it is written whole or not at all, and the /data/ page that lists and serves it."""

import csv
import datetime
import gzip
import hashlib
import io
import json
import os

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from commitments.curation.evidence import follow_up_record
from commitments.models import Citation, Commitment, FollowUp, Initiative, JobRun, Platform
from commitments.releases import making
from commitments.releases.files import write_atomically
from commitments.releases.making import ReleaseError, release_make
from commitments.releases.store import releases_list
from tests.clock import NOW, TODAY
from tests.factories import make_source
from tests.page_helpers import page_text
from tests.test_public_leaks import (
    CANARIES,
    CANARY_NOTE,
    CANARY_SLUG,
    PUBLISHED_TITLE,
    pledge_with_evidence,
)

DRAFT_RATING = "CANARY-DRAFT-RATING"
EARLIER = datetime.date(2026, 11, 1)


@pytest.fixture
def releases(settings, tmp_path):
    """RELEASES_DIR in the test's own folder, not yet made."""
    settings.RELEASES_DIR = tmp_path / "releases"
    settings.SITE_URL = "https://tracker.example.org"
    return settings.RELEASES_DIR


@pytest.fixture
def draft_beside_published(platform, initiative):
    """A draft pledge beside a published one (tests/test_public_leaks.py), the published
    one also with an Editor's rating not yet approved (a draft rating)."""
    published = pledge_with_evidence(platform, initiative, PUBLISHED_TITLE, published=True)
    draft = pledge_with_evidence(platform, initiative, "DRAFT-LEAK-CANARY", published=False)
    assert draft.slug == CANARY_SLUG and not draft.published
    drafted = follow_up_record(
        approve=False,
        follow_up=FollowUp(
            commitment=published,
            happened_on=datetime.date(2023, 1, 1),
            kind=FollowUp.Kind.STATEMENT,
            summary=DRAFT_RATING,
            status_after="stalled",
        ),
    )
    Citation.objects.create(follow_up=drafted, source=make_source(title="Draft rating's source"))
    return published


def sha256_of(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def everything_in(folder) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


def csv_rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


# What a release holds ----------------------------------------------------------------


def test_each_checksum_and_size_is_that_of_its_file(releases, draft_beside_published):
    release = release_make(on=TODAY)

    folder = releases / TODAY.isoformat()
    assert release.name == TODAY.isoformat()
    files = ["commitments.json", "commitments.json.gz", "commitments.csv", "commitments.csv.gz"]
    assert sorted(os.listdir(folder)) == sorted([*files, "manifest.json"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert [entry["name"] for entry in manifest["files"]] == files
    for entry in manifest["files"]:
        path = folder / entry["name"]
        assert entry["sha256"] == sha256_of(path)
        assert entry["bytes"] == path.stat().st_size
    assert release.manifest.sha256 == sha256_of(folder / "manifest.json")
    assert manifest["date"] == TODAY.isoformat() and manifest["release"] == release.name
    assert manifest["license"]["name"] == "CC BY 4.0"


def test_the_counts_are_those_of_the_published_records(releases, draft_beside_published):
    Platform.objects.create(name="A platform with no pledge")
    release_make(on=TODAY)

    folder = releases / TODAY.isoformat()
    counts = json.loads((folder / "manifest.json").read_bytes())["counts"]
    published = Commitment.objects.published()
    assert counts == {
        "commitments": published.count(),
        "follow_ups": FollowUp.objects.public().filter(commitment__in=published).count(),
        "platforms": Platform.objects.count(),
        "initiatives": Initiative.objects.count(),
    }
    assert (counts["commitments"], counts["follow_ups"], counts["platforms"]) == (1, 1, 2)
    exchange = json.loads((folder / "commitments.json").read_bytes())
    assert len(exchange["commitments"]) == counts["commitments"]
    assert len(csv_rows(folder / "commitments.csv")) == counts["commitments"]


def test_drafts_and_curators_notes_never_appear(releases, draft_beside_published):
    release_make(on=TODAY)

    folder = releases / TODAY.isoformat()
    for name, content in everything_in(folder).items():
        text = (gzip.decompress(content) if name.endswith(".gz") else content).decode()
        for canary in [*CANARIES, CANARY_SLUG, DRAFT_RATING]:
            assert canary not in text, f"{name} shows {canary!r}"
    assert CANARY_NOTE not in (folder / "commitments.json").read_text(encoding="utf-8")
    exchange = json.loads((folder / "commitments.json").read_bytes())
    assert [c["title"] for c in exchange["commitments"]] == [PUBLISHED_TITLE]
    [row] = csv_rows(folder / "commitments.csv")
    assert row["title"] == PUBLISHED_TITLE
    assert row["url"] == f"https://tracker.example.org/commitments/{draft_beside_published.slug}/"


def test_the_compressed_files_hold_the_same_bytes_and_are_made_alike(
    releases, draft_beside_published
):
    first, again = release_make(on=TODAY), release_make(on=TODAY)
    for name in ["commitments.json", "commitments.csv"]:
        folder = releases / first.name
        packed = (folder / f"{name}.gz").read_bytes()
        assert gzip.decompress(packed) == (folder / name).read_bytes()
        # No name or time in the header: the same data, the same file.
        assert packed[:10] == bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3])
        assert packed == (releases / again.name / f"{name}.gz").read_bytes()


def test_the_exchange_file_imports_as_the_public_dataset(releases, draft_beside_published):
    # The release's JSON is the format import_commitments reads: its schema takes it.
    from commitments.exchange.validation import validate_dataset

    release_make(on=TODAY)
    exchange = json.loads((releases / TODAY.isoformat() / "commitments.json").read_bytes())
    validate_dataset(exchange)  # raises DatasetError with the problems if any


# Old releases never change ------------------------------------------------------------


def test_a_second_release_the_same_day_leaves_the_first_as_it_was(releases, draft_beside_published):
    first = release_make(on=TODAY)
    before = everything_in(releases / first.name)
    FollowUp.objects.filter(summary="Published progress.").update(summary="Changed since.")

    second = release_make(on=TODAY)
    third = release_make(on=TODAY)

    assert (first.name, second.name, third.name) == (
        TODAY.isoformat(),
        f"{TODAY.isoformat()}.2",
        f"{TODAY.isoformat()}.3",
    )
    assert everything_in(releases / first.name) == before
    assert b"Changed since." in (releases / second.name / "commitments.json").read_bytes()
    assert [r.name for r in releases_list()] == [third.name, second.name, first.name]


# Written whole or not at all -----------------------------------------------------------


def test_a_write_that_fails_midway_leaves_no_file_under_its_name_and_no_temporary(tmp_path):
    def chunks():
        yield b"x" * 10_000
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_atomically(tmp_path / "commitments.csv", chunks())

    assert os.listdir(tmp_path) == []


def test_a_failed_write_keeps_the_file_that_was_there(tmp_path):
    target = tmp_path / "commitments.csv"
    write_atomically(target, [b"whole\n"])

    def chunks():
        yield b"half"
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        write_atomically(target, chunks())

    assert os.listdir(tmp_path) == ["commitments.csv"]
    assert target.read_bytes() == b"whole\n"


def test_a_release_that_fails_midway_leaves_nothing_and_no_listing(
    releases, draft_beside_published, monkeypatch, client
):
    first = release_make(on=EARLIER)
    before = everything_in(releases / first.name)

    def failing_lines(records):
        yield "url,title\r\n"
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(making, "csv_lines", failing_lines)
    with pytest.raises(ReleaseError, match="No space left on device"):
        release_make(on=TODAY)

    assert os.listdir(releases) == [first.name]
    assert everything_in(releases / first.name) == before
    assert [r.name for r in releases_list()] == [first.name]
    assert client.get(f"/data/{TODAY.isoformat()}/commitments.json").status_code == 404


def test_a_folder_without_its_manifest_is_not_a_release(releases, client, db):
    unfinished = releases / TODAY.isoformat()
    unfinished.mkdir(parents=True)
    (unfinished / "commitments.csv").write_text("half a file")

    assert releases_list() == []
    assert client.get(f"/data/{TODAY.isoformat()}/commitments.csv").status_code == 404
    # Its name stays taken: the next release of the day is numbered after it.
    assert release_make(on=TODAY).name == f"{TODAY.isoformat()}.2"


# The command and the task --------------------------------------------------------------


def test_the_command_writes_a_release_and_says_what_it_wrote(releases, draft_beside_published):
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("make_release", stdout=out)

    [release] = releases_list()
    text = out.getvalue()
    folder = releases / TODAY.isoformat()
    assert f"Wrote release {TODAY.isoformat()} to {folder}: 1 commitments, 1 follow-ups" in text
    for name in ("commitments.json", "commitments.csv", "manifest.json"):
        size = (folder / name).stat().st_size
        assert f"{name}: {size} bytes, SHA-256 {sha256_of(folder / name)}" in text
    run = JobRun.objects.get(job="make_release")
    assert run.last_succeeded_at and run.last_summary == release.summary()


def test_if_none_writes_the_first_release_only(releases, draft_beside_published):
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("make_release", "--if-none", stdout=out)
        call_command("make_release", "--if-none", stdout=out)

    [release] = releases_list()
    assert f"A release exists already ({release.name}): none written." in out.getvalue()


def test_the_command_names_a_folder_it_cannot_write(settings, tmp_path, db):
    (tmp_path / "a-file").write_text("")
    settings.RELEASES_DIR = tmp_path / "a-file" / "releases"

    with pytest.raises(CommandError) as raised:
        call_command("make_release", stdout=io.StringIO())

    assert str(raised.value) == f"Cannot write releases to {settings.RELEASES_DIR}: Not a directory"
    assert JobRun.objects.get(job="make_release").last_failed_at is not None


def test_the_task_calls_the_same_service(releases, draft_beside_published, monkeypatch):
    from commitments.tasks import make_release as task

    calls = []

    def recorded(**kwargs):
        calls.append(kwargs)
        return release_make(**kwargs)

    monkeypatch.setattr(making, "release_make", recorded)
    with time_machine.travel(NOW, tick=False):
        summary = task.apply().get()

    [release] = releases_list()
    assert calls == [{}]
    assert release.name == TODAY.isoformat()
    assert summary == release.summary()
    assert JobRun.objects.get(job="make_release").last_summary == summary


# The page ------------------------------------------------------------------------------


def test_with_no_release_the_page_says_what_to_do(client, releases, db):
    response = client.get("/data/")

    assert response.status_code == 200
    text = page_text(response)
    assert "<h1>Data releases</h1>" in text
    assert (
        "No release yet: staff run <code>make_release</code>, or the monthly job writes one."
        in text
    )
    assert '<nav aria-label="Main">' in text  # the site's own page (base.html)


def test_the_page_lists_releases_newest_first_with_sizes_and_checksums(
    client, releases, draft_beside_published
):
    made = [release_make(on=EARLIER), release_make(on=TODAY), release_make(on=TODAY)]

    text = page_text(client.get("/data/"))

    headings = [
        text.index(f'<h2 id="release-{name}">')
        for name in (f"{TODAY.isoformat()}.2", TODAY.isoformat(), EARLIER.isoformat())
    ]
    assert headings == sorted(headings)
    assert '<h2 id="release-2026-11-25.2">25 November 2026 (2)</h2>' in text
    assert '<h2 id="release-2026-11-01">1 November 2026</h2>' in text
    for release in made:
        folder = releases / release.name
        for name in ("commitments.json", "commitments.csv", "manifest.json"):
            size = (folder / name).stat().st_size
            assert f"{size} bytes" in text
            assert f'<code class="checksum">{sha256_of(folder / name)}</code>' in text
            assert f'href="/data/{release.name}/{name}"' in text


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("commitments.json", "application/json"),
        ("commitments.csv", "text/csv; charset=utf-8"),
        ("commitments.json.gz", "application/gzip"),
        ("commitments.csv.gz", "application/gzip"),
        ("manifest.json", "application/json"),
    ],
)
def test_each_file_downloads_as_written(
    client, releases, draft_beside_published, name, content_type
):
    release_make(on=TODAY)
    release = release_make(on=TODAY)

    response = client.get(reverse("commitments:release_file", args=[release.name, name]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    stem, extension = name.split(".", 1)
    # Served as the file it is: a browser keeps it compressed.
    assert "Content-Encoding" not in response
    assert response["Content-Disposition"] == (
        f'attachment; filename="{stem}-{release.name}.{extension}"'
    )
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    body = b"".join(response.streaming_content)
    assert body == (releases / release.name / name).read_bytes()
    assert hashlib.sha256(body).hexdigest() == release.file(name).sha256


@pytest.mark.parametrize(
    "path",
    [
        "/data/2026-11-25/passwd",
        "/data/2026-11-25/commitments.xml",
        "/data/2026-11-25/.partial-abc",
        "/data/2026-11-26/commitments.csv",
        "/data/2026-11-25.2/commitments.csv",
        "/data/2026-11-25.1/commitments.csv",
        "/data/2026-13-45/commitments.csv",
        "/data/latest/commitments.csv",
        "/data/2026-11-25/..%2Fmanifest.json",
        "/data/..%2F2026-11-25/manifest.json",
        "/data/2026-11-25/%2E%2E",
        "/data/..%2F..%2Fetc/passwd",
        "/data/2026-11-25%2F..%2F..%2Fsecret_key/manifest.json",
    ],
)
def test_a_made_up_name_is_a_404(client, releases, db, settings, path):
    settings.DEBUG = False
    release_make(on=TODAY)
    (releases.parent / "secret_key").mkdir()
    (releases.parent / "secret_key" / "manifest.json").write_text('{"release": "x"}')

    response = client.get(path)

    assert response.status_code == 404
    assert not response.streaming  # the 404 page, never a file


def test_the_page_is_linked_from_every_page_and_the_methodology(client, db):
    for url in ("/", "/methodology/"):
        assert 'href="/data/"' in page_text(client.get(url))


# The schedule ----------------------------------------------------------------------------


def test_the_migration_creates_the_monthly_schedule_and_its_reverse_removes_it(
    transactional_db,
):
    from django_celery_beat.models import PeriodicTask

    node = ("commitments", "0020_release_schedule")
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    # The migration it follows, whichever that is once merged.
    [before] = [key for key in graph.node_map[node].parents if key.key[0] == "commitments"]
    latest = graph.leaf_nodes()
    try:
        executor.migrate([before.key])
        assert not PeriodicTask.objects.filter(task="commitments.tasks.make_release").exists()

        MigrationExecutor(connection).migrate(latest)
        task = PeriodicTask.objects.get(name="Make a data release")
        assert task.task == "commitments.tasks.make_release" and task.enabled
        crontab = task.crontab
        assert (crontab.minute, crontab.hour, crontab.day_of_month) == ("0", "6", "1")
        assert (crontab.day_of_week, crontab.month_of_year) == ("*", "*")
    finally:
        MigrationExecutor(connection).migrate(latest)
