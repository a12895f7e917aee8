"""Where releases live and how they are read back: one folder of RELEASES_DIR per
release, named for its day, with a fixed set of files and the manifest written last.

A release exists once its manifest does: a folder without one is being written, or its
writing failed, and is never listed or served. Whatever a visitor's address names is only
ever compared with the names found by listing the folder and with the files a manifest
lists, never joined into a path itself, so no address can reach another file.
"""

import datetime
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
JSON_FILE = "commitments.json"
CSV_FILE = "commitments.csv"
# The same two files compressed (gzip): the whole dataset in a tenth of the bytes, made
# once, which the listing's unfiltered downloads point to.
JSON_GZ_FILE = "commitments.json.gz"
CSV_GZ_FILE = "commitments.csv.gz"
# Each download format's compressed file in a release.
COMPRESSED = {"csv": CSV_GZ_FILE, "json": JSON_GZ_FILE}


@dataclass(frozen=True)
class Kind:
    content_type: str
    description: str


# The files a release holds, in the order the page lists them, and the manifest.
KINDS = {
    JSON_FILE: Kind(
        "application/json",
        "Every published pledge with its sources, people and public follow-ups, and every "
        "platform and initiative, in the tracker's exchange format.",
    ),
    JSON_GZ_FILE: Kind("application/gzip", f"{JSON_FILE}, compressed with gzip."),
    CSV_FILE: Kind(
        "text/csv; charset=utf-8",
        "The published pledges, one a row, with the columns of the /commitments.csv download.",
    ),
    CSV_GZ_FILE: Kind("application/gzip", f"{CSV_FILE}, compressed with gzip."),
    MANIFEST: Kind(
        "application/json",
        "The release's date, counts, licence, and each file's size and SHA-256.",
    ),
}

# `2026-12-02`, then `2026-12-02.2`, `2026-12-02.3` for later releases of that day.
NAME = re.compile(r"(?P<day>\d{4}-\d{2}-\d{2})(?:\.(?P<number>[2-9]|[1-9][0-9]+))?")


def releases_dir() -> Path:
    return Path(settings.RELEASES_DIR)


def release_name(day: datetime.date, number: int) -> str:
    return day.isoformat() if number == 1 else f"{day.isoformat()}.{number}"


def parse_name(name: str) -> tuple[datetime.date, int] | None:
    """(day, number of the release that day) of a release's folder name, else None."""
    match = NAME.fullmatch(name)
    if not match:
        return None
    try:
        day = datetime.date.fromisoformat(match["day"])
    except ValueError:
        return None
    return day, int(match["number"] or 1)


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    size: int
    sha256: str  # hexadecimal

    @property
    def kind(self) -> Kind:
        return KINDS[self.name]


@dataclass(frozen=True)
class Release:
    name: str
    date: datetime.date
    number: int
    made_at: str
    counts: dict
    license: dict
    files: list[ReleaseFile]
    # The manifest itself: its size and checksum, as read (it cannot list its own).
    manifest: ReleaseFile | None = field(default=None)

    def file(self, name: str) -> ReleaseFile | None:
        if name == MANIFEST:
            return self.manifest
        return next((f for f in self.files if f.name == name), None)

    def download_name(self, name: str) -> str:
        """`commitments-2026-12-02.2.csv` (`….csv.gz`): the release in the name a download
        is saved as."""
        stem, extension = name.split(".", 1)
        return f"{stem}-{self.name}.{extension}"

    @property
    def counts_text(self) -> str:
        """ "12 commitments, 30 follow-ups, 5 platforms, 3 initiatives"."""
        return ", ".join(f"{n} {what.replace('_', '-')}" for what, n in self.counts.items())

    def summary(self) -> str:
        files = "; ".join(f"{f.name} ({f.size} bytes, SHA-256 {f.sha256})" for f in self.files)
        return f"Release {self.name}: {self.counts_text}. Files: {files}; {MANIFEST}."


def release_from_manifest(content: bytes, *, folder_name: str) -> Release:
    """The release a manifest describes. Raises ValueError when it is not one this code
    wrote for that folder (any other file name, a checksum that is not hexadecimal)."""
    data = json.loads(content)
    if not isinstance(data, dict) or data.get("release") != folder_name:
        raise ValueError("the manifest names another release")
    day, number = parse_name(folder_name) or (None, None)
    if day is None or data.get("date") != day.isoformat():
        raise ValueError("the manifest's date is not its folder's")
    files = []
    for entry in data["files"]:
        name, size, sha256 = entry["name"], entry["bytes"], entry["sha256"]
        if name not in KINDS or name == MANIFEST:
            raise ValueError(f"unknown file {name!r}")
        if not (isinstance(size, int) and re.fullmatch(r"[0-9a-f]{64}", sha256)):
            raise ValueError(f"bad size or checksum for {name}")
        files.append(ReleaseFile(name=name, size=size, sha256=sha256))
    return Release(
        name=folder_name,
        date=day,
        number=number,
        made_at=str(data["made_at"]),
        counts={str(k): int(v) for k, v in data["counts"].items()},
        license=dict(data["license"]),
        files=files,
        manifest=ReleaseFile(
            name=MANIFEST, size=len(content), sha256=hashlib.sha256(content).hexdigest()
        ),
    )


def releases_list() -> list[Release]:
    """Every release in RELEASES_DIR, newest first (by day, then by number that day)."""
    names = _folder_names()
    releases = [release for name in names if (release := _read(name)) is not None]
    return sorted(releases, key=lambda r: (r.date, r.number), reverse=True)


def newest_release() -> Release | None:
    """The newest whole release, reading no more manifests than it must (the listing's
    downloads ask on every request)."""
    names = sorted(_folder_names(), key=parse_name, reverse=True)
    return next((release for name in names if (release := _read(name)) is not None), None)


def release_find(name: str) -> Release | None:
    """The release of that name if the folder's listing holds it and it is whole."""
    listed = {entry: entry for entry in _folder_names()}
    # The name used from here on is the one the listing gave, not the one asked for.
    return _read(listed[name]) if name in listed else None


def file_path(release: Release, name: str) -> Path | None:
    """Where one of the release's files is, if its manifest lists it (or it is the
    manifest); the path is built from the listed folder and a known file name only."""
    listed = release.file(name)
    if listed is None:
        return None
    return releases_dir() / release.name / listed.name


def _folder_names() -> list[str]:
    try:
        entries = os.listdir(releases_dir())
    except FileNotFoundError:
        return []  # no release made yet
    except OSError as error:
        logger.warning("Cannot list the releases in %s: %s", releases_dir(), error.strerror)
        return []
    return [entry for entry in entries if parse_name(entry) is not None]


def _read(name: str) -> Release | None:
    try:
        content = (releases_dir() / name / MANIFEST).read_bytes()
    except OSError:
        return None  # no manifest: being written, or its writing failed
    try:
        return release_from_manifest(content, folder_name=name)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        logger.warning("Release %s has a manifest this site cannot read: %s", name, error)
        return None
