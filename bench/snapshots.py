#!/usr/bin/env python
"""Benchmark of snapshot_sources (commitments/followup/snapshots.py): N sources served by
local HTTP servers, read once (every text new), then for a few "days" on which 1% of the
pages change. For each run: wall time, sources per second, the process's peak resident
memory (reset before each run, so a growing figure would show a leak), and the growth of
the snapshot table.

    scripts/with-test-services .venv/bin/python bench/snapshots.py --sources 10000 --days 3

The pages are served on 127.0.0.1 to 127.0.0.8 (loopback only; LINKCHECK_ALLOW_LOOPBACK is
set for this process): the job asks one host at a time, so eight hosts let it use its
eight threads as it would across real sites. Each page is about `--page-kib` KiB of HTML
(paragraphs of words, a script, a style and an image tag the extractor must drop). It
refuses a database holding anything but load data, and empties the commitments tables.
"""

import argparse
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pages import configure_django, empty_tables, proc_status_kib, refuse_real_data, reset_peak_rss

HOSTS = [f"127.0.0.{n}" for n in range(1, 9)]
WORDS = "pledge safety teen account message default private report review platform".split()


class Site:
    """The pages' content: page n's text depends on n and on the day it last changed."""

    def __init__(self, page_kib: int):
        self.page_kib = page_kib
        self.changed_on: dict[int, int] = {}  # page -> the day its text last changed

    def body(self, n: int) -> bytes:
        day = self.changed_on.get(n, 0)
        words = " ".join(WORDS[(n + i * 7 + day) % len(WORDS)] for i in range(60))
        paragraph = f"<p>Page {n}, version {day}: {words}.</p>\n"
        count = max(1, self.page_kib * 1024 // len(paragraph))
        return (
            "<!doctype html><html><head><title>Loadtest page</title>"
            "<style>p { margin: 0 }</style><script>var x = 1;</script></head><body>"
            '<img src="/x.png" alt="x">' + paragraph * count + "</body></html>"
        ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        n = int(self.path.rsplit("/", 1)[-1])
        body = self.server.site.body(n)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def serve(site: Site) -> list[ThreadingHTTPServer]:
    servers = []
    port = 0
    for host in HOSTS:
        server = ThreadingHTTPServer((host, port), Handler)
        port = server.server_address[1]  # the same port on every host
        server.site = site
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


def make_sources(count: int, port: int) -> None:
    from commitments.models import Source

    Source.objects.bulk_create(
        Source(url=f"http://{HOSTS[n % len(HOSTS)]}:{port}/page/{n}", title=f"Loadtest page {n}")
        for n in range(count)
    )


def table_bytes() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return "n/a"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('commitments_sourcesnapshot')")
        return f"{cursor.fetchone()[0] / 1024 / 1024:.1f} MiB"


def run(label: str) -> str:
    from commitments.followup.snapshots import sources_snapshot
    from commitments.models import SourceSnapshot

    reset_peak_rss()
    started = time.perf_counter()
    report = sources_snapshot()
    seconds = time.perf_counter() - started
    peak = proc_status_kib("VmHWM") / 1024
    return (
        f"| {label} | {report.read} | {report.new_versions} | {report.unchanged} | "
        f"{report.failed} | {seconds:.1f} s | {report.read / seconds:.0f}/s | {peak:.0f} MiB | "
        f"{SourceSnapshot.objects.count()} | {table_bytes()} |"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=3, help="runs after the first (1%% change)")
    parser.add_argument("--page-kib", type=int, default=20)
    args = parser.parse_args(argv)

    os.environ["LINKCHECK_ALLOW_LOOPBACK"] = "true"
    configure_django(debug=False)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    refuse_real_data()
    empty_tables()
    site = Site(args.page_kib)
    servers = serve(site)
    make_sources(args.sources, servers[0].server_address[1])
    print(f"{args.sources} sources, pages of about {args.page_kib} KiB, {len(HOSTS)} hosts\n")
    columns = "run|read|new versions|unchanged|failed|time|rate|peak RSS|versions|table"
    print("| " + columns.replace("|", " | ") + " |")
    print("|---" * len(columns.split("|")) + "|")
    print(run("first (all new)"), flush=True)
    for day in range(1, args.days + 1):
        for n in range(day, args.sources, 100):  # 1% of the pages, a different 1% each day
            site.changed_on[n] = day
        print(run(f"day {day} (1% changed)"), flush=True)
    for server in servers:
        server.shutdown()
    empty_tables()


if __name__ == "__main__":
    sys.exit(main())
