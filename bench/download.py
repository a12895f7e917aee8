#!/usr/bin/env python
"""The whole-dataset downloads over HTTP: `/commitments.csv` and `/commitments.json` with
no parameters, from gunicorn on loopback, read to the last byte.

    .venv/bin/python bench/download.py --database-url sqlite:////work/main/var/bench/peer-1000000.sqlite3
    .venv/bin/python bench/download.py --database-url … --root /work/wt-old   # another checkout

It starts gunicorn as bench/load.py does (gunicorn.conf.py, DEBUG off, the throttles
raised) on the database given, serving this checkout or the one at `--root` (a `git
worktree` of an older commit, to compare before and after on the same data), downloads
each file `--requests` times (1) with one client, and prints for each: seconds, bytes,
rows (`X-Row-Count`), microseconds a row, and the largest anonymous resident memory of
the server's processes while it streamed (RssAnon, sampled every 0.2 s from /proc: a
streaming download keeps it flat however many rows it sends). Anonymous, not all of
VmRSS: on SQLite the file is read through a memory map (tracker/settings.py), whose
pages count in VmRSS as they are read but belong to the page cache, not to the process.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from load import start_server, stop_server  # noqa: E402

PATHS = ["/commitments.csv", "/commitments.json"]


def family(pid: int) -> list[int]:
    """The process and its children (gunicorn's workers)."""
    found = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def rss_kib(pid: int) -> int:
    """The process's anonymous resident memory (its heap and stacks), in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    except OSError:
        return 0  # the process has ended meanwhile
    return 0


class MemoryWatch:
    """The largest total resident memory of the server's processes while running."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.stopped = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def watch(self):
        while not self.stopped.wait(0.2):
            self.peak = max(self.peak, sum(rss_kib(p) for p in family(self.pid)))

    def __enter__(self):
        self.start = sum(rss_kib(p) for p in family(self.pid))
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()


def download(url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    with requests.get(url, stream=True, timeout=3600) as response:
        response.raise_for_status()
        size = sum(len(block) for block in response.iter_content(1 << 16))
        rows = int(response.headers.get("X-Row-Count", 0))
    return time.perf_counter() - started, size, rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a database of load data")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--requests", type=int, default=1, help="downloads of each (1)")
    args = parser.parse_args(argv)
    log = Path(tempfile.gettempdir()) / f"bench-download-gunicorn-{os.getpid()}.log"
    server, base = start_server(args.database_url, None, None, log, root=args.root.resolve())
    try:
        print(f"Serving {args.root.resolve()} on {base}; {args.database_url}")
        print()
        print("| download | seconds | MB | rows | µs a row | server memory, MB (before → peak) |")
        print("|---|---:|---:|---:|---:|---:|")
        for path in PATHS:
            for _ in range(args.requests):
                with MemoryWatch(server.pid) as memory:
                    seconds, size, rows = download(base + path)
                per_row = seconds / rows * 1e6 if rows else 0
                print(
                    f"| `{path}` | {seconds:.1f} | {size / 1e6:.0f} | {rows:,} | {per_row:.0f} | "
                    f"{memory.start / 1024:.0f} → {memory.peak / 1024:.0f} |",
                    flush=True,
                )
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
