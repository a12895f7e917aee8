"""Making a release: the whole public dataset, as the public may read it, written once
into a new folder of RELEASES_DIR and never changed afterwards.

The JSON is the exchange format of published pledges (`dataset_export(public=True)`),
the CSV the rows of the public /commitments.csv download unfiltered, both read in one
database snapshot, so that their counts agree with each other and with the manifest.
The folder's name is claimed with mkdir, which fails if it exists, so a second release
the same day (or two at once) takes the next number instead of touching the first.
Each file is written atomically (files.py) and the manifest last: a release is listed
only once its manifest exists, and a failure part-way removes what it had written.
"""

import contextlib
import datetime
import json
import os
import shutil
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from commitments import licence
from commitments.exchange.exporter import dataset_export
from commitments.public.downloads import (
    CHUNK_SIZE,
    csv_lines,
    download_columns,
    row_data,
    with_names_and_sources,
)
from commitments.public.selectors import public_listing
from commitments.releases.files import fsync_folder, write_atomically
from commitments.releases.store import (
    CSV_FILE,
    CSV_GZ_FILE,
    JSON_FILE,
    JSON_GZ_FILE,
    MANIFEST,
    Release,
    release_from_manifest,
    release_name,
    releases_dir,
)

# zlib's window with a gzip header and trailer (16 + 15).
GZIP_WBITS = 31
# More than anyone would make by hand in a day; a bound, so that a folder that cannot
# take new entries fails clearly rather than looping.
MAX_PER_DAY = 999


class ReleaseError(Exception):
    """A release could not be written; the message says where and why."""


def release_make(*, on: datetime.date | None = None) -> Release:
    """Writes a release of today's public dataset (dated `on`, today by default, in the
    site's time zone) and returns what it wrote. Raises ReleaseError, having left no
    release behind, when the folder cannot be written."""
    day = on or timezone.localdate()
    root = releases_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        name, folder = claim_folder(root, day)
    except OSError as error:
        raise ReleaseError(f"Cannot write releases to {root}: {error.strerror}") from error
    try:
        with one_snapshot():
            manifest = write_files(folder, name, day)
        fsync_folder(root)
    except BaseException as error:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(error, OSError):
            raise ReleaseError(f"Cannot write {folder}: {error.strerror}") from error
        raise
    return manifest


def claim_folder(root: Path, day: datetime.date) -> tuple[str, Path]:
    """The first free name of the day, made as an empty folder (ours alone)."""
    for number in range(1, MAX_PER_DAY + 1):
        name = release_name(day, number)
        try:
            os.mkdir(root / name)
        except FileExistsError:
            continue
        return name, root / name
    raise ReleaseError(f"{root} already holds {MAX_PER_DAY} releases dated {day.isoformat()}")


@contextlib.contextmanager
def one_snapshot():
    """One read-only view of the database for the whole release, as the downloads read
    theirs (commitments/public/downloads.py): REPEATABLE READ on PostgreSQL, and SQLite's
    transactions are snapshots. Inside a transaction already (a test's), that one."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def write_files(folder: Path, name: str, day: datetime.date) -> Release:
    data = dataset_export(public=True)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    json_written = write_atomically(folder / JSON_FILE, [text.encode()])
    json_gz_written = write_atomically(folder / JSON_GZ_FILE, gzipped(folder / JSON_FILE))

    rows = Counter()
    csv_written = write_atomically(folder / CSV_FILE, encoded(csv_lines(rows.count(csv_records()))))
    csv_gz_written = write_atomically(folder / CSV_GZ_FILE, gzipped(folder / CSV_FILE))

    pledges = len(data["commitments"])
    if rows.n != pledges:  # one snapshot: only a bug could make them differ
        raise ReleaseError(f"The CSV holds {rows.n} pledges and the JSON {pledges}")
    manifest = {
        "release": name,
        "date": day.isoformat(),
        "made_at": timezone.now().isoformat(timespec="seconds"),
        "license": licence.as_data(),
        "counts": {
            "commitments": pledges,
            "follow_ups": sum(len(c.get("follow_ups", [])) for c in data["commitments"]),
            "platforms": len(data["platforms"]),
            "initiatives": len(data["initiatives"]),
        },
        "files": [
            {"name": name, "bytes": written.size, "sha256": written.sha256}
            for name, written in [
                (JSON_FILE, json_written),
                (JSON_GZ_FILE, json_gz_written),
                (CSV_FILE, csv_written),
                (CSV_GZ_FILE, csv_gz_written),
            ]
        ],
    }
    content = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
    write_atomically(folder / MANIFEST, [content])
    return release_from_manifest(content, folder_name=name)


def csv_records() -> Iterator[dict]:
    """The rows of /commitments.csv with no parameters: every published pledge, in the
    listing's order, with the absolute address of its page on SITE_URL."""
    pledges = download_columns(public_listing({}).qs).iterator(chunk_size=CHUNK_SIZE)
    site = settings.SITE_URL.rstrip("/")
    marker = "slug-placeholder"
    template = site + reverse("commitments:detail", args=[marker])
    for commitment in with_names_and_sources(pledges):
        yield row_data(commitment, lambda slug: template.replace(marker, slug))


def gzipped(path: Path) -> Iterator[bytes]:
    """The file's bytes compressed as gzip, a block at a time. No name or time in the
    header, so that the same bytes always give the same file."""
    compressor = zlib.compressobj(wbits=GZIP_WBITS)
    with path.open("rb") as source:
        while block := source.read(1 << 20):
            yield compressor.compress(block)
    yield compressor.flush()


def encoded(lines: Iterable[str]) -> Iterator[bytes]:
    for line in lines:
        yield line.encode()


class Counter:
    def __init__(self):
        self.n = 0

    def count(self, items: Iterable) -> Iterator:
        for item in items:
            self.n += 1
            yield item
