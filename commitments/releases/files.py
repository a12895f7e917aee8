"""Writing a file so that a reader sees all of it or none of it.

The bytes go to a temporary name in the file's own folder (so that the rename stays on
one file system), are flushed to the disk, and only then take the final name with
os.replace, which is atomic; the folder is flushed too, so that the new name survives a
power cut. A failure part-way removes the temporary file and leaves the final name as it
was.
"""

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TEMPORARY_PREFIX = ".partial-"


@dataclass(frozen=True)
class Written:
    size: int
    sha256: str  # hexadecimal


def write_atomically(path: Path, chunks: Iterable[bytes]) -> Written:
    """Writes `chunks` to `path` as one atomic replacement; their size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=TEMPORARY_PREFIX)
    try:
        # Readable by all (mkstemp makes it the owner's only): the web server may run as
        # another user than the job that wrote it, and the data is public.
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        # The temporary name is ours alone (mkstemp), so it is safe to remove.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_folder(path.parent)
    return Written(size=size, sha256=digest.hexdigest())


def fsync_folder(folder: Path) -> None:
    """Flushes a folder's entries (a new or renamed file in it) to the disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
