#!/usr/bin/env python
"""Load benchmark: concurrent clients against gunicorn on loopback, with a mix of pages,
API requests, feeds and whole downloads.

    .venv/bin/python bench/load.py                          # SQLite, 2,000 pledges, 20 clients
    .venv/bin/python bench/load.py --clients 20,100 --duration 30
    scripts/with-test-services sh -c '.venv/bin/python bench/load.py --database-url "$DATABASE_URL"'
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000   # a site already running

Unless given `--url`, it prepares a database (a temporary SQLite file, or the one
`--database-url` names: refused if it holds anything but load data), fills it with
`generate_load_data --commitments N` (`--pledges`) and starts gunicorn with the
repository's gunicorn.conf.py on a free 127.0.0.1 port, with the API's throttle raised
(`API_THROTTLE_RATE` and the downloads' and feeds' rates: every client here comes from
one address). For each `--clients`
count it runs that many clients at once for `--duration` seconds (or `--requests` in
all) after a `--warmup`, each sending one request after another, each request's path
drawn from the weighted mix (`--mix`), and prints a markdown table as soon as the level
is measured: per kind of path, requests, requests per second, p50/p90/p99 latency (to the
last byte of the body) and errors (non-2xx answers, exceptions, and downloads shorter
than their X-Row-Count), with the machine's load average before and after. It sends
nothing anywhere but 127.0.0.1.
"""

import argparse
import csv
import io
import json
import os
import random
import runpy
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests
from pages import MARKER, empty_tables, percentile, refuse_real_data, time_generation

ROOT = Path(__file__).resolve().parent.parent
MAX_CLIENTS = 300
# Kind of path: relative weight. Downloads are rare but each reads every published pledge.
MIX = {
    "overview": 10,
    "list": 15,
    "search": 10,
    "detail": 20,
    "platforms": 5,
    "api list": 12,
    "api filtered": 10,
    "feed": 6,
    "csv": 2,
    "json": 2,
}
REQUEST_TIMEOUT = 300  # seconds; a whole download at 100,000 pledges takes minutes
BENCH_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-key-not-secret",
    # Every client of the benchmark comes from 127.0.0.1: one address for the throttles.
    "API_THROTTLE_RATE": "100000/second",
    "DOWNLOADS_THROTTLE_RATE": "100000/second",
    "FEEDS_THROTTLE_RATE": "100000/second",
}


def loopback_only(url: str) -> str:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"bench/load.py sends traffic to loopback only, not to {host!r}.")
    return url.rstrip("/")


# The database and the server ------------------------------------------------------------


def prepare_database(database_url: str, pledges: int, seed: int) -> str:
    """Migrate, and fill with load data unless it already holds exactly `pledges` load
    pledges (then it is reused). Returns a line saying what it did."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.update({name: value for name, value in BENCH_ENV.items() if name != "DEBUG"})
    from pages import configure_django

    configure_django(debug=False)
    from django.core.management import call_command
    from django.db import connection

    from commitments.models import Commitment

    progress("Migrating…")
    call_command("migrate", verbosity=0)
    refuse_real_data()
    held = Commitment.objects.count()
    if held == pledges:
        return f"reused {held:,} load-data pledges"
    if held:
        if connection.vendor != "postgresql":
            sys.exit(
                f"The SQLite database holds {held:,} load-data pledges, not {pledges:,}: give a "
                "new file (or none, for a temporary one)."
            )
        empty_tables()
    progress(f"Generating {pledges:,} pledges…")
    seconds, _ = time_generation(pledges, seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    connection.close()
    return f"generated {pledges:,} load-data pledges in {seconds:.0f} s"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_settings(workers: int | None, threads: int | None) -> str:
    """What the server runs, as gunicorn.conf.py and the overrides make it."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    kind = config.get("worker_class", "sync")
    return (
        f"gunicorn {kind}, {workers or config.get('workers', 1)} workers × "
        f"{threads or config.get('threads', 1)} threads"
    )


def start_server(
    database_url: str, workers: int | None, threads: int | None, log: Path, *, root: Path = ROOT
):
    """gunicorn on a free loopback port, serving the checkout at `root` (this one by
    default; bench/download.py compares another)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "tracker.wsgi",
               "-b", f"127.0.0.1:{port}", "--no-control-socket"]  # fmt: skip
    if workers:
        command += ["--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    env = dict(os.environ, DATABASE_URL=database_url, **BENCH_ENV)
    server = subprocess.Popen(
        command, cwd=root, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(url + "/", timeout=30).status_code == 200:
                return server, url
        except requests.RequestException:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            sys.exit(f"gunicorn did not answer; its log:\n{log.read_text()}")
        time.sleep(0.5)


def stop_server(server) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# What the clients ask for ---------------------------------------------------------------


def paths(url: str) -> dict[str, str]:
    """A path per kind, with a real pledge and a word of its title, found through the
    API (so that it works on a site that this script did not fill)."""
    answer = requests.get(url + "/api/commitments/?page_size=1", timeout=60)
    answer.raise_for_status()
    results = answer.json()["results"]
    if not results:
        sys.exit(f"{url} has no published pledges to ask for.")
    pledge = results[0]
    word = next((w for w in pledge["title"].split() if w.isalpha() and w != MARKER), "safety")
    return {
        "overview": "/",
        "list": "/commitments/",
        "search": f"/commitments/?q={word.lower()}",
        "detail": f"/commitments/{pledge['slug']}/",
        "platforms": "/platforms/",
        "api list": "/api/commitments/",
        "api filtered": "/api/commitments/?status=announced",
        "feed": "/feeds/commitments.atom",
        "csv": "/commitments.csv",
        "json": "/commitments.json",
    }


def parse_mix(text: str | None) -> dict[str, int]:
    if not text:
        return dict(MIX)
    mix = {}
    for part in text.split(","):
        kind, _, weight = part.partition("=")
        kind = kind.strip()
        if kind not in MIX or not weight.strip().isdigit():
            sys.exit(f"--mix takes kind=weight,… with kinds {', '.join(MIX)}; not {part!r}")
        mix[kind] = int(weight)
    if not any(mix.values()):
        sys.exit("--mix gives every kind a weight of 0")
    return mix


@dataclass
class Sample:
    kind: str
    seconds: float
    error: str | None  # None for a whole 2xx answer


def short_download(kind: str, response: requests.Response, body: bytes) -> str | None:
    """A download holding fewer rows than its X-Row-Count says (or none at all)."""
    expected = response.headers.get("X-Row-Count")
    if kind not in ("csv", "json") or expected is None:
        return None
    if kind == "csv":
        got = len(list(csv.reader(io.StringIO(body.decode())))) - 1
    else:
        try:
            got = len(json.loads(body))
        except ValueError:
            return "json download not valid JSON"
    return None if got == int(expected) else f"{kind} download short ({got} of {expected} rows)"


def one_request(session: requests.Session, url: str, kind: str, path: str) -> Sample:
    started = time.perf_counter()
    try:
        response = session.get(url + path, timeout=REQUEST_TIMEOUT)
        body = response.content  # the whole body, as a client reads it
        seconds = time.perf_counter() - started
    except requests.RequestException as e:
        return Sample(kind, time.perf_counter() - started, type(e).__name__)
    if not 200 <= response.status_code < 300:
        return Sample(kind, seconds, f"HTTP {response.status_code}")
    return Sample(kind, seconds, short_download(kind, response, body))


@dataclass
class Level:
    clients: int
    samples: list = field(default_factory=list)
    window: float = 0.0
    load_before: tuple = ()
    load_after: tuple = ()


def run_level(url, kinds, clients, *, duration, total, warmup, seed) -> Level:
    """`clients` threads, each with its own keep-alive session, sending one request after
    another until the deadline (or until `total` requests have been started); a request
    started before the deadline is waited for and counted."""
    level = Level(clients)
    lock = threading.Lock()
    started = 0
    measuring, stop = threading.Event(), threading.Event()
    names, weights = zip(*[(k, w) for k, w in kinds["mix"].items() if w], strict=True)

    def client(number: int) -> None:
        nonlocal started
        rng = random.Random(seed * 1000 + number)
        with requests.Session() as session:
            while not stop.is_set():
                kind = rng.choices(names, weights)[0]
                counted = measuring.is_set()
                if counted and total:
                    with lock:
                        if started >= total:
                            return
                        started += 1
                sample = one_request(session, url, kind, kinds["paths"][kind])
                if counted:
                    level.samples.append(sample)  # list.append is atomic

    threads = [threading.Thread(target=client, args=[n], daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    if warmup:
        progress(f"  {clients} clients: warming up for {warmup:g} s…")
        time.sleep(warmup)
    level.load_before = os.getloadavg()
    began = time.monotonic()
    measuring.set()
    next_report = began + 5
    while any(thread.is_alive() for thread in threads):
        now = time.monotonic()
        if (not total and now - began >= duration) or (total and started >= total):
            stop.set()
        if now >= next_report:
            errors = sum(1 for sample in level.samples if sample.error)
            waiting = " (waiting for the last requests)" if stop.is_set() else ""
            progress(
                f"  {clients} clients: {now - began:.0f} s, {len(level.samples):,} answered, "
                f"{errors:,} errors{waiting}"
            )
            next_report = now + 5
        time.sleep(0.1)
    level.window = time.monotonic() - began
    level.load_after = os.getloadavg()
    return level


# The report -----------------------------------------------------------------------------


def load_text(load: tuple) -> str:
    return " / ".join(f"{value:.2f}" for value in load)


def level_table(level: Level, order: list[str]) -> str:
    lines = [
        f"### {level.clients} clients, {level.window:.0f} s",
        "",
        f"Load average (1/5/15 min) before {load_text(level.load_before)}, "
        f"after {load_text(level.load_after)}; {os.cpu_count()} cores.",
        "",
        "| kind | requests | rps | p50 ms | p90 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    by_kind = {kind: [s for s in level.samples if s.kind == kind] for kind in order}
    for kind, samples in [*by_kind.items(), ("all", level.samples)]:
        if not samples:
            continue
        times = [s.seconds * 1000 for s in samples]
        errors = sum(1 for s in samples if s.error)
        name = f"**{kind}**" if kind == "all" else kind
        lines.append(
            f"| {name} | {len(samples):,} | {len(samples) / level.window:.1f} "
            f"| {percentile(times, 50):.0f} | {percentile(times, 90):.0f} "
            f"| {percentile(times, 99):.0f} | {errors:,} |"
        )
    reasons = Counter(f"{s.kind}: {s.error}" for s in level.samples if s.error)
    if reasons:
        lines += ["", "Errors: " + "; ".join(f"{r} ×{n}" for r, n in reasons.most_common())]
        if any("HTTP 429" in reason for reason in reasons):
            lines.append(
                "(429: a throttle; on a site of your own set API_THROTTLE_RATE, "
                "DOWNLOADS_THROTTLE_RATE and FEEDS_THROTTLE_RATE.)"
            )
    return "\n".join(lines)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clients",
        default="20",
        help=f"concurrent clients, comma-separated levels (≤ {MAX_CLIENTS})",
    )
    parser.add_argument("--duration", type=float, default=30, help="seconds measured per level")
    parser.add_argument(
        "--requests", type=int, default=0, help="requests per level instead of a duration"
    )
    parser.add_argument("--warmup", type=float, default=5, help="seconds before measuring")
    parser.add_argument("--pledges", type=int, default=2000, help="load-data pledges to make")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="sqlite:///… or postgres://… (default: a temp file)")
    parser.add_argument("--url", help="a site already running on loopback: start nothing")
    parser.add_argument("--workers", type=int, help="gunicorn workers (gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="threads per worker (gunicorn.conf.py's)")
    parser.add_argument(
        "--mix",
        help="kind=weight,… (default: " + ",".join(f"{k}={w}" for k, w in MIX.items()) + ")",
    )
    parser.add_argument("--output", help="also write the markdown report to this file")
    args = parser.parse_args(argv)

    levels = [int(n) for n in args.clients.split(",")]
    if any(not 1 <= n <= MAX_CLIENTS for n in levels):
        sys.exit(f"--clients takes 1 to {MAX_CLIENTS} clients per level")
    mix = parse_mix(args.mix)

    server, temporary, log, heading = None, None, None, []
    finished = False
    try:
        if args.url:
            url = loopback_only(args.url)
            heading.append(f"Site: {url} (not started by this script).")
        else:
            database_url = args.database_url
            if not database_url:
                temporary = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False).name
                database_url = f"sqlite:///{temporary}"
            prepared = prepare_database(database_url, args.pledges, args.seed)
            engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
            log = Path(tempfile.gettempdir()) / f"bench-load-gunicorn-{os.getpid()}.log"
            progress(f"Starting gunicorn (log: {log})…")
            server, url = start_server(database_url, args.workers, args.threads, log)
            heading.append(
                f"{engine}, {prepared}; {gunicorn_settings(args.workers, args.threads)} on {url}."
            )
        kinds = {"mix": mix, "paths": paths(url)}
        heading.append(
            "Mix (weight, path): "
            + ", ".join(f"{k} {w} `{kinds['paths'][k]}`" for k, w in mix.items() if w)
            + "."
        )
        print("\n".join(heading) + "\n", flush=True)
        report = list(heading)
        for clients in levels:
            level = run_level(
                url, kinds, clients, duration=args.duration, total=args.requests,
                warmup=args.warmup, seed=args.seed,
            )  # fmt: skip
            table = level_table(level, [k for k, w in mix.items() if w])
            print(table + "\n", flush=True)
            report.append(table)
        finished = True
    finally:
        if server is not None:
            stop_server(server)
        if temporary:
            os.unlink(temporary)
        if log and log.exists():
            if finished:
                log.unlink()  # kept only when something went wrong
            else:
                progress(f"gunicorn's log: {log}")
    if args.output:
        Path(args.output).write_text("\n\n".join(report) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
