#!/usr/bin/env python
"""Side by side with Datasette: the project's listing and API against Datasette's table
views of the same SQLite file, both served on loopback.

    .venv/bin/python bench/peer.py                                   # 1,000,000 pledges
    .venv/bin/python bench/peer.py --pledges 20000 --requests 10 --duration 3
    scripts/with-test-services sh -c '.venv/bin/python bench/peer.py --database-url "$DATABASE_URL"'

It builds the SQLite file with `manage.py generate_load_data` (`--file`, by default
var/bench/peer-<N>.sqlite3; reused when it holds exactly `--pledges` load pledges),
installs Datasette (bench/requirements-peer.txt) into a virtual environment of its own
(var/bench/datasette-venv; never one of the project's dependencies), and starts gunicorn
(the repository's gunicorn.conf.py, 2 workers, DEBUG off, throttles raised as in
bench/load.py) and `datasette serve --immutable` on free 127.0.0.1 ports. For each pair
of pages it times one client, the two sides interleaved (A, B, A, B…) after a warm-up of
each, then `--clients` (8) concurrent clients for `--duration` seconds against the
project, then against Datasette, and prints a markdown table: p50 and p99 of each, the
ratio of the medians, requests per second at 8 clients; with the load average before and
after. With `--database-url postgres://…` the project's side reads PostgreSQL (filled with
the same load data; refused if it holds anything else), Datasette still the SQLite file.
It sends nothing anywhere but 127.0.0.1.
"""

import argparse
import datetime
import json
import math
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests
from load import (
    BENCH_ENV,
    REQUEST_TIMEOUT,
    free_port,
    gunicorn_settings,
    loopback_only,
    start_server,
    stop_server,
)
from pages import MARKER, configure_django, empty_tables, percentile, refuse_real_data

ROOT = Path(__file__).resolve().parent.parent
DATASETTE_VERSION = "0.65.5"
VENV = ROOT / "var" / "bench" / "datasette-venv"
REQUIREMENTS = ROOT / "bench" / "requirements-peer.txt"
TABLE = "commitments_commitment"
PAGE_SIZE = 25  # the listing's (commitments/public/listing.py); Datasette is asked for the same
PAIRS = ["platform", "status", "first-page", "deep-page", "q-common", "q-rare", "api-platform"]
# The platform asked for holds about this share of the published pledges (~1,000 of ~600,000
# at 1M), the status about a quarter (~150,000).
PLATFORM_SHARE = 1 / 600
STATUS_SHARE = 1 / 4


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Datasette's own virtual environment ----------------------------------------------------


def datasette_program() -> Path:
    """var/bench/datasette-venv/bin/datasette at the pinned version, installed from PyPI
    into a virtual environment of the bench's own the first time (and reused after)."""
    program = VENV / "bin" / "datasette"
    if program.exists():
        done = subprocess.run([program, "--version"], capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.split()[-1:] == [DATASETTE_VERSION]:
            return program
    progress(f"Installing Datasette {DATASETTE_VERSION} into {VENV} (bench only)…")
    if not (VENV / "bin" / "python").exists():
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [VENV / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", REQUIREMENTS],
        check=True,
    )  # fmt: skip
    return program


# The databases --------------------------------------------------------------------------


def manage(database_url: str, *arguments: str) -> None:
    """manage.py in its own process, on `database_url`; its output goes to standard error
    (generate_load_data's progress lines included), the report stays on standard output."""
    env = dict(os.environ, DATABASE_URL=database_url, **BENCH_ENV)
    command = [sys.executable, str(ROOT / "manage.py"), *arguments]
    subprocess.run(command, cwd=ROOT, env=env, stdout=sys.stderr, check=True)


def generate(database_url: str, pledges: int, seed: int) -> float:
    started = time.monotonic()
    manage(database_url, "generate_load_data", f"--commitments={pledges}", f"--seed={seed}")
    return time.monotonic() - started


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


def sqlite_pledges(path: Path) -> int:
    """Load pledges the file holds (0 for a file without the tracker's tables); exits if it
    holds anything but load data."""
    with read_only(path) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        if TABLE not in tables:
            if tables:
                sys.exit(f"{path} is not a tracker database (no {TABLE}); give another --file.")
            return 0
        (real,) = db.execute(
            f"SELECT count(*) FROM {TABLE} WHERE substr(title, 1, ?) != ?", [len(MARKER), MARKER]
        ).fetchone()
        if real:
            sys.exit(f"{path} holds {real} commitments that are not load data; not touching it.")
        (held,) = db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
    return held


def has_statistics(path: Path) -> bool:
    """Whether ANALYZE has written the planner's statistics for every index of the
    pledges' table into the file (a migration that adds one leaves it without)."""
    with read_only(path) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchall():
            return False
        missing = db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL)",
            [TABLE],
        ).fetchone()[0]
        return missing == 0


def prepare_sqlite(path: Path, pledges: int, seed: int) -> str:
    """The file Datasette serves (and the project too, without --database-url): reused when
    it holds exactly `pledges` load pledges, else built. Returns what it did."""
    for suffix in ("-journal", "-wal"):
        if Path(f"{path}{suffix}").exists():
            sys.exit(
                f"{path}{suffix} is beside the file: something is writing it "
                "(generate_load_data?). Wait for it to finish (or, after a crash, remove the "
                "file and start again)."
            )
    url = f"sqlite:///{path}"
    held = sqlite_pledges(path) if path.exists() else 0
    if held and held != pledges:
        sys.exit(
            f"{path} holds {held:,} load pledges, not {pledges:,}: give another --file "
            f"(or --pledges {held})."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    progress(f"Migrating {path}…")
    manage(url, "migrate", "--verbosity=0")  # a no-op on a file already up to date
    if held == pledges:
        if not has_statistics(path):
            # As the site's daily job would have (generate_load_data runs it too): only
            # when missing, since writing the file makes Datasette's copy again.
            progress(f"Analysing {path} (a few seconds)…")
            manage(url, "refresh_planner_statistics", "--verbosity=0")
        return f"{path} (reused: {held:,} load pledges)"
    progress(f"Generating {pledges:,} pledges into {path} (about 20 minutes at 1,000,000)…")
    seconds = generate(url, pledges, seed)
    if sqlite_pledges(path) != pledges:
        sys.exit(f"{path} does not hold {pledges:,} pledges after generate_load_data.")
    return f"{path} (generated: {pledges:,} load pledges in {seconds:.0f} s)"


def prepare_postgresql(database_url: str, pledges: int, seed: int) -> str:
    """The project's database with --database-url: migrated, refused if it holds anything
    but load data, reused with exactly `pledges` load pledges, else emptied and filled
    with the same load data (same seed) as the SQLite file, then VACUUM ANALYZE."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.update({name: value for name, value in BENCH_ENV.items() if name != "DEBUG"})
    configure_django(debug=False)
    from django.core.management import call_command
    from django.db import connection

    from commitments.models import Commitment

    progress("Migrating PostgreSQL…")
    call_command("migrate", verbosity=0)
    refuse_real_data()
    held = Commitment.objects.count()
    if held == pledges:
        connection.close()
        return f"reused: {held:,} load pledges"
    if held:
        empty_tables()
    connection.close()
    progress(f"Generating {pledges:,} pledges into PostgreSQL…")
    seconds = generate(database_url, pledges, seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    return f"generated: {pledges:,} load pledges in {seconds:.0f} s, then VACUUM ANALYZE"


# What is asked for ----------------------------------------------------------------------


@dataclass
class Facts:
    """Values picked from the SQLite file, for both sides."""

    published: int
    platform_id: int
    platform_slug: str
    platform_rows: int
    status: str
    status_rows: int
    words: dict  # "common"/"rare": (word, published titles containing it)
    deep_page: int
    last_page: int
    next_token: str | None  # Datasette's _next for the deep page's first row
    deep_first_id: int
    after_id: int | None  # the project's `after=`: its own Next link's, from the page before
    hidden: list[str]  # the search columns, which Datasette is asked not to show


def tilde_encode(text: str) -> str:
    """Datasette's tilde encoding (datasette.utils.tilde_encode), for a `_next` token."""
    safe = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    return "".join(chr(b) if b in safe else "+" if b == 32 else f"~{b:02X}" for b in text.encode())


def title_words(db: sqlite3.Connection) -> Counter:
    """Published titles containing each word of four letters or more (not the marker)."""
    words = Counter()
    for (title,) in db.execute(f"SELECT title FROM {TABLE} WHERE published = 1"):
        found = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", title)}
        words.update(found - {MARKER.lower()})
    return words


def read_facts(path: Path, chosen_words: list[str] | None) -> Facts:
    with read_only(path) as db:
        (published,) = db.execute(f"SELECT count(*) FROM {TABLE} WHERE published = 1").fetchone()
        # A platform without sub-platforms: the listing's ?platform= includes a parent's
        # children, Datasette's platform_id= cannot, so only such a platform compares.
        platforms = db.execute(
            f"""SELECT p.id, p.slug, count(*) FROM commitments_platform p
                JOIN {TABLE} c ON c.platform_id = p.id AND c.published = 1
                WHERE NOT EXISTS (SELECT 1 FROM commitments_platform k WHERE k.parent_id = p.id)
                GROUP BY p.id"""
        ).fetchall()
        if not platforms:
            sys.exit(f"{path} has no platform without sub-platforms with published pledges.")
        target = published * PLATFORM_SHARE
        platform = min(platforms, key=lambda row: (abs(row[2] - target), row[0]))
        statuses = db.execute(
            f"SELECT status, count(*) FROM {TABLE} WHERE published = 1 GROUP BY status"
        ).fetchall()
        target = published * STATUS_SHARE
        status = min(statuses, key=lambda row: (abs(row[1] - target), row[0]))
        if chosen_words:
            picked = {"common": chosen_words[0], "rare": chosen_words[1]}
        else:
            counts = title_words(db)
            ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            picked = {"common": ranked[0][0], "rare": ranked[-1][0]}
        words = {}
        for kind, word in picked.items():
            # What Datasette's title__contains asks: LIKE '%word%'.
            (rows,) = db.execute(
                f"SELECT count(*) FROM {TABLE} WHERE published = 1 AND title LIKE ?",
                [f"%{word}%"],
            ).fetchone()
            words[kind] = (word, rows)
        last_page = max(1, math.ceil(published / PAGE_SIZE))
        deep = max(1, last_page - 1)
        # Datasette pages by key, not number: `_next=<announced_on>,<id>` of the row before
        # the page, in its order for `_sort_desc=announced_on` (announced_on desc, then id).
        ordered = (
            f"SELECT announced_on, id FROM {TABLE} WHERE published = 1"
            " ORDER BY announced_on DESC, id LIMIT 1 OFFSET ?"
        )
        token = after_id = None
        if deep > 1:
            day, pk = db.execute(ordered, [(deep - 1) * PAGE_SIZE - 1]).fetchone()
            token = f"{tilde_encode(str(day))},{tilde_encode(str(pk))}"
            # The project's links name the last row of the page before, in its order.
            (after_id,) = db.execute(
                f"SELECT id FROM {TABLE} WHERE published = 1"
                " ORDER BY announced_on DESC, id DESC LIMIT 1 OFFSET ?",
                [(deep - 1) * PAGE_SIZE - 1],
            ).fetchone()
        (_, first_id) = db.execute(ordered, [(deep - 1) * PAGE_SIZE]).fetchone()
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({TABLE})")}
    return Facts(
        published=published,
        platform_id=platform[0],
        platform_slug=platform[1],
        platform_rows=platform[2],
        status=status[0],
        status_rows=status[1],
        words=words,
        deep_page=deep,
        last_page=last_page,
        next_token=token,
        deep_first_id=first_id,
        after_id=after_id,
        hidden=[name for name in SEARCH_COLUMNS if name in columns],
    )


@dataclass
class Pair:
    name: str
    label: str
    project: str  # path on the project's site
    datasette: str  # path on Datasette
    datasette_json: str  # the same rows as JSON, for the count (and the deep page's check)
    api: bool = False  # the project's side answers JSON with "count"


# The project's search columns (PostgreSQL's document, the text SQLite's FTS5 index is
# built from): not data, and the project's pages never show them; Datasette shows every
# column unless told (`_nocol`), and the text alone doubled its rows' weight.
SEARCH_COLUMNS = ("search_document", "search_text")


def datasette_paths(
    db: str, filters: dict, extra: dict | None = None, *, hidden: list[str]
) -> tuple[str, str]:
    """The table page and its JSON, filtered, published only, newest first, 25 rows, no
    suggested facets (the project suggests none), without the search columns."""
    params = {**filters, "published": "1", "_sort_desc": "announced_on",
              "_size": str(PAGE_SIZE), "_nosuggest": "1", **(extra or {})}  # fmt: skip
    query = urlencode([*params.items(), *(("_nocol", name) for name in hidden)])
    return f"/{db}/{TABLE}?{query}", f"/{db}/{TABLE}.json?{query}"


def make_pairs(facts: Facts, db: str) -> list[Pair]:
    slug, pid = facts.platform_slug, facts.platform_id
    pairs = [
        Pair("platform", f"one platform ({slug})", f"/commitments/?platform={slug}",
             *datasette_paths(db, {"platform_id": pid}, hidden=facts.hidden)),
        Pair("status", f"one status ({facts.status})", f"/commitments/?status={facts.status}",
             *datasette_paths(db, {"status": facts.status}, hidden=facts.hidden)),
        Pair("first-page", "no filter, first page", "/commitments/",
             *datasette_paths(db, {}, hidden=facts.hidden)),
        Pair("deep-page", f"deep page ({facts.deep_page:,} of {facts.last_page:,})",
             f"/commitments/?page={facts.deep_page}"
             + (f"&after={facts.after_id}" if facts.after_id else ""),
             *datasette_paths(db, {}, {"_next": facts.next_token} if facts.next_token else None,
                              hidden=facts.hidden)),
    ]  # fmt: skip
    for kind in ("common", "rare"):
        word, _ = facts.words[kind]
        pairs.append(
            Pair(f"q-{kind}", f"q, a {kind} word ({word})", f"/commitments/?q={word}",
                 *datasette_paths(db, {"title__contains": word}, hidden=facts.hidden))
        )  # fmt: skip
    api = urlencode([("platform_id", pid), ("published", "1"), ("_sort_desc", "announced_on"),
                     ("_size", str(PAGE_SIZE)),
                     *(("_nocol", name) for name in facts.hidden)])  # fmt: skip
    pairs.append(
        Pair("api-platform", f"JSON, one platform ({slug})",
             f"/api/commitments/?platform={slug}&page_size={PAGE_SIZE}",
             f"/{db}/{TABLE}.json?{api}", f"/{db}/{TABLE}.json?{api}", api=True)
    )  # fmt: skip
    return pairs


# Datasette's server ---------------------------------------------------------------------


# Datasette's queries say `published = 1`, which SQLite matches to none of the project's
# partial indexes (WHERE "published"); on the project's file alone Datasette's one-platform
# JSON took 55 ms instead of 7. So Datasette serves a copy of the file with indexes of its
# own query's shape, as a Datasette user would add them (those the project had before).
# `--same-file` serves it the project's file as it is, as the issue first measured.
DATASETTE_INDEXES = {
    "peer_by_announced": "(published, announced_on DESC, id)",
    "peer_by_status": "(published, status, announced_on DESC)",
    "peer_by_platform": "(platform_id, published, announced_on DESC)",
}


def datasette_copy(path: Path) -> Path:
    """The copy of `path` Datasette serves, made (or remade, when older) with its indexes."""
    copy = path.with_name(f"{path.stem}-datasette.sqlite3")
    if copy.exists() and copy.stat().st_mtime >= path.stat().st_mtime:
        return copy
    progress(f"Copying {path.name} for Datasette, with indexes for its queries…")
    partial = copy.with_suffix(".partial")
    shutil.copyfile(path, partial)
    with sqlite3.connect(partial) as db:
        for name, columns in DATASETTE_INDEXES.items():
            db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {columns}")
        db.execute("ANALYZE")
    os.replace(partial, copy)
    return copy


def start_datasette(program: Path, path: Path, log: Path):
    port = free_port()
    settings = {"sql_time_limit_ms": "60000", "num_sql_threads": "2", "suggest_facets": "off"}
    command = [str(program), "serve", "--immutable", str(path), "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
    for name, value in settings.items():
        command += ["--setting", name, value]
    server = subprocess.Popen(
        command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    url = loopback_only(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 120
    while True:
        try:
            answer = requests.get(url + "/-/versions.json", timeout=30)
            if answer.status_code == 200:
                return server, url, answer.json()["datasette"]["version"]
        except requests.RequestException:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            sys.exit(f"Datasette did not answer; its log:\n{log.read_text()}")
        time.sleep(0.5)


def datasette_database(url: str, path: Path) -> str:
    """The name Datasette gave the file (its stem, encoded as Datasette encodes names)."""
    answer = requests.get(url + "/-/databases.json", timeout=30)
    answer.raise_for_status()
    for database in answer.json():
        if Path(database["path"]).resolve() == path:
            return database["name"]
    sys.exit(f"Datasette does not list {path}: {answer.text[:300]}")


# Measuring ------------------------------------------------------------------------------


@dataclass
class Fetched:
    seconds: float
    error: str | None  # None for a 200 read to its end
    body: bytes = b""


def fetch(session: requests.Session, url: str) -> Fetched:
    """One GET, timed to the last byte of the body; anything but a 200 is an error."""
    started = time.perf_counter()
    try:
        response = session.get(url, timeout=REQUEST_TIMEOUT)
        body = response.content
    except requests.RequestException as e:
        return Fetched(time.perf_counter() - started, type(e).__name__)
    seconds = time.perf_counter() - started
    error = None if response.status_code == 200 else f"HTTP {response.status_code}"
    return Fetched(seconds, error, body)


@dataclass
class Side:
    times: list = field(default_factory=list)  # ms of the 200s, single client
    errors: Counter = field(default_factory=Counter)  # "phase: reason" -> count
    weight: int = 0  # bytes of the warm-up's body
    body: bytes = b""  # the warm-up's body, for the count it shows
    count: int | None = None  # the rows it says it holds
    capped: bool = False  # "More than <count> commitments": the listing's capped count
    rps: float = 0.0
    throughput_requests: int = 0
    throughput_window: float = 0.0


def single_client(a_url: str, b_url: str, requests_each: int) -> tuple[Side, Side]:
    """One warm-up of each, then A, B, A, B… (one keep-alive session per server)."""
    a, b = Side(), Side()
    with requests.Session() as session_a, requests.Session() as session_b:
        for side, session, url in ((a, session_a, a_url), (b, session_b, b_url)):
            warm = fetch(session, url)
            side.weight = len(warm.body)
            side.body = warm.body
            if warm.error:
                side.errors[f"warm-up: {warm.error}"] += 1
        for _ in range(requests_each):
            for side, session, url in ((a, session_a, a_url), (b, session_b, b_url)):
                done = fetch(session, url)
                if done.error:
                    side.errors[f"single client: {done.error}"] += 1
                else:
                    side.times.append(done.seconds * 1000)
    return a, b


def concurrent(url: str, side: Side, clients: int, duration: float) -> None:
    """`clients` threads, each with its own keep-alive session, one request after another
    for `duration` seconds; requests running at the deadline are waited for and counted."""
    stop = threading.Event()
    outcomes = []

    def client() -> None:
        with requests.Session() as session:
            while not stop.is_set():
                outcomes.append(fetch(session, url).error)  # list.append is atomic

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    began = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        time.sleep(duration)
    finally:
        stop.set()  # also when interrupted: no client goes on while the servers stop
    for thread in threads:
        thread.join()
    side.throughput_window = time.monotonic() - began
    ok = sum(1 for error in outcomes if error is None)
    side.throughput_requests = ok
    side.rps = ok / side.throughput_window
    for error in outcomes:
        if error:
            side.errors[f"{clients} clients: {error}"] += 1


# "1,234 commitments", or past the listing's cap "More than 10,000 commitments".
PROJECT_COUNT = re.compile(rb'class="count">\s*(More than )?([\d,]+) commitment')


def project_count(pair: Pair, body: bytes) -> tuple[int | None, bool]:
    """The rows the project's page says it holds, and whether that is a lower bound."""
    try:
        if pair.api:
            return json.loads(body)["count"], False
        found = PROJECT_COUNT.search(body)
        if not found:
            return None, False
        return int(found.group(2).replace(b",", b"")), bool(found.group(1))
    except (ValueError, KeyError):
        return None, False


def datasette_check(url: str, pair: Pair, facts: Facts) -> tuple[int | None, str]:
    """The count Datasette gives for the pair's rows (its JSON), and for the deep page
    whether its first row is the one at that offset."""
    answer = requests.get(url + pair.datasette_json, timeout=REQUEST_TIMEOUT)
    if answer.status_code != 200:
        return None, f"Datasette's JSON answered {answer.status_code}"
    data = answer.json()
    note = ""
    if pair.name == "deep-page" and data["rows"]:
        first = data["rows"][0][data["columns"].index("id")]
        expected = "as expected" if first == facts.deep_first_id else f"NOT {facts.deep_first_id}"
        row = (facts.deep_page - 1) * PAGE_SIZE + 1
        note = f"its first row is id {first}, row {row:,} in that order: {expected}"
    return data.get("filtered_table_rows_count"), note


# The report -----------------------------------------------------------------------------


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def load_text(load: tuple) -> str:
    return " / ".join(f"{value:.2f}" for value in load)


def report(context: dict, results: list) -> str:
    clients = context["clients"]
    lines = [
        "## Project vs Datasette, side by side",
        "",
        f"- Date: {context['date']}; {context['pledges']:,} load pledges "
        f"({context['published']:,} published), seed {context['seed']}.",
        f"- Project: {context['project_db']}; {context['gunicorn']}, DEBUG off, "
        f"on {context['project_url']}.",
        f"- Datasette {context['datasette_version']} (its own virtual environment), "
        f"`--immutable` on {context['file']}, num_sql_threads 2, sql_time_limit_ms 60000, "
        f"no suggested facets, on {context['datasette_url']}; SQLite {sqlite3.sqlite_version}.",
        f"- Load average (1/5/15 min) before {load_text(context['load_before'])}, after "
        f"{load_text(context['load_after'])}; {os.cpu_count()} cores; the clients share "
        "the machine.",
        f"- Single client: {context['requests']} requests per page, project and Datasette "
        "interleaved after one warm-up each; p50/p99 nearest rank, ms to the last byte of "
        f"the body. Then {clients} clients (threads, keep-alive sessions) for "
        f"{context['duration']:g} s against the project, then against Datasette: 200s per "
        "second.",
        "",
        f"| page | project p50 | project p99 | Datasette p50 | Datasette p99 "
        f"| project ÷ Datasette (p50) | project req/s at {clients} "
        f"| Datasette req/s at {clients} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for pair, a, b in results:
        a50 = percentile(a.times, 50) if a.times else None
        b50 = percentile(b.times, 50) if b.times else None
        ratio = f"{a50 / b50:.2f}×" if a50 and b50 else "–"
        lines.append(
            f"| {pair.label} | {ms(a50)} | {ms(percentile(a.times, 99) if a.times else None)} "
            f"| {ms(b50)} | {ms(percentile(b.times, 99) if b.times else None)} | {ratio} "
            f"| {a.rps:,.1f} | {b.rps:,.1f} |"
        )
    lines += ["", "| page | project URL | Datasette URL | rows: project / Datasette "
              "| bytes: project / Datasette |", "|---|---|---|---|---|"]  # fmt: skip
    for pair, a, b in results:
        shown = (
            f"more than {a.count:,}" if a.capped else f"{a.count:,}" if a.count is not None else "?"
        )
        counts = f"{shown} / " + (f"{b.count:,}" if b.count is not None else "?")
        if a.count is not None and b.count is not None and a.capped:
            counts += " (consistent)" if b.count > a.count else " (**differ**)"
        else:
            counts += " (same)" if a.count is not None and a.count == b.count else " (**differ**)"
        lines.append(
            f"| {pair.label} | `{pair.project}` | `{pair.datasette}` | {counts} "
            f"| {a.weight:,} / {b.weight:,} |"
        )
    errors = [
        f"{pair.label}, {side_name}: {reason} ×{n}"
        for pair, a, b in results
        for side_name, side in (("project", a), ("Datasette", b))
        for reason, n in side.errors.items()
    ]
    lines += ["", "Errors: " + ("; ".join(errors) if errors else "none (every answer a 200).")]
    lines += ["", *context["notes"]]
    return "\n".join(lines)


def notes(facts: Facts, pairs: list[Pair], deep_note: str) -> list[str]:
    names = {pair.name for pair in pairs}
    out = [
        "Notes:",
        "",
        f"- One platform: `{facts.platform_slug}` (id {facts.platform_id}), the platform "
        "without sub-platforms (the listing's `platform=` includes a parent's children, "
        "Datasette's `platform_id=` cannot) nearest "
        f"{PLATFORM_SHARE:.2%} of the published pledges; one status: the one nearest a quarter.",
        "- Order: the project sorts by announced_on desc, id desc; Datasette by announced_on "
        "desc (then id ascending once paging by `_next`): pages hold the same number of "
        "rows in the same date order, ties may fall differently.",
    ]
    if names & {"q-common", "q-rare"}:
        common, rare = facts.words["common"], facts.words["rare"]
        out.append(
            f"- `q`: Datasette's `_search=` needs a full-text table and this file has none, so "
            "its side is `title__contains=` (LIKE '%word%' on the title alone, what Datasette "
            "offers without FTS); the project's `q` also reads the summary, the platform's "
            "name and the cited sources' titles (on PostgreSQL: words by prefix, through the "
            "search index), so its count can be larger. Words picked from the published "
            f"titles: common `{common[0]}` ({common[1]:,} titles), rare `{rare[0]}` "
            f"({rare[1]:,} titles: the load data's vocabulary is small, so its rarest word "
            "of four letters or more is still in many)."
        )
    if "deep-page" in names:
        how = (
            f"`_next={facts.next_token}` (the announced_on and id of the row before the "
            "page, tilde-encoded, as Datasette builds its own next links for a sorted "
            "table), computed once before timing"
            if facts.next_token
            else "the first page (there is no deeper one)"
        )
        out.append(f"- Deep page: Datasette has no page numbers; its side is {how}; {deep_note}.")
        if facts.after_id:
            out.append(
                f"- The project's deep page is the address its own Next link gives there, "
                f"`after={facts.after_id}` (the last row of the page before), read on from "
                "that row; a bare `?page=N`, as shared, skips the rows before it instead."
            )
    if "api-platform" in names:
        out.append(
            f"- JSON: the project's API is asked for `page_size={PAGE_SIZE}` (its default is "
            f"50) so that both sides send {PAGE_SIZE} rows; Datasette's JSON is its default "
            "shape (column names once, rows as arrays)."
        )
    return out


def stop_on_term(signum, frame) -> None:
    """SIGTERM (a `kill`, a timeout) ends the run as Ctrl-C does: through the finally
    that stops both servers."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, stop_on_term)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pledges", type=int, default=1_000_000, help="load pledges (1,000,000)")
    parser.add_argument("--file", help="the SQLite file (default var/bench/peer-<N>.sqlite3)")
    parser.add_argument(
        "--database-url", help="postgres://…: the project's side on PostgreSQL instead"
    )
    parser.add_argument("--requests", type=int, default=30, help="single-client requests per URL")
    parser.add_argument("--duration", type=float, default=10, help="seconds of each 8-client run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--words", help="COMMON,RARE: the words for q (default: from the data)")
    parser.add_argument("--only", help="NAME[,NAME]: a subset of " + ", ".join(PAIRS))
    parser.add_argument("--output", help="also write the markdown report to this file")
    parser.add_argument(
        "--same-file",
        action="store_true",
        help="serve Datasette the project's file itself, without DATASETTE_INDEXES",
    )
    args = parser.parse_args(argv)

    only = args.only.split(",") if args.only else PAIRS
    if unknown := [name for name in only if name not in PAIRS]:
        sys.exit(f"--only takes {', '.join(PAIRS)}; not {', '.join(unknown)}")
    words = args.words.split(",") if args.words else None
    if words and (len(words) != 2 or not all(words)):
        sys.exit("--words takes COMMON,RARE")
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("--database-url is for PostgreSQL; the SQLite side is --file.")
    path = Path(args.file or ROOT / "var" / "bench" / f"peer-{args.pledges}.sqlite3").resolve()

    program = datasette_program()
    prepared = prepare_sqlite(path, args.pledges, args.seed)
    if args.database_url:
        filled = prepare_postgresql(args.database_url, args.pledges, args.seed)
        project_db = f"PostgreSQL ({filled})"
        project_url = args.database_url
    else:
        project_db, project_url = f"SQLite, {prepared}", f"sqlite:///{path}"
    progress("Picking the pages from the data…")
    facts = read_facts(path, words)

    servers, logs, finished = [], [], False
    try:
        log = Path(tempfile.gettempdir()) / f"bench-peer-gunicorn-{os.getpid()}.log"
        logs.append(log)
        progress(f"Starting gunicorn (log: {log})…")
        server, site = start_server(project_url, args.workers, None, log)
        servers.append(server)
        log = Path(tempfile.gettempdir()) / f"bench-peer-datasette-{os.getpid()}.log"
        logs.append(log)
        progress(f"Starting Datasette (log: {log})…")
        peer_file = path if args.same_file else datasette_copy(path)
        server, peer, version = start_datasette(program, peer_file, log)
        servers.append(server)
        site, peer = loopback_only(site), loopback_only(peer)
        pairs = make_pairs(facts, datasette_database(peer, peer_file))
        pairs = [p for p in pairs if p.name in only]

        load_before = os.getloadavg()
        results, deep_note = [], ""
        for pair in pairs:
            progress(f"{pair.label}: one client, {args.requests} requests each, interleaved…")
            a, b = single_client(site + pair.project, peer + pair.datasette, args.requests)
            a.count, a.capped = project_count(pair, a.body)
            b.count, note = datasette_check(peer, pair, facts)
            deep_note = note or deep_note
            progress(
                f"  rows: project {a.count}, Datasette {b.count}" + (f"; {note}" if note else "")
            )
            for name, side, base, where in (
                ("project", a, site, pair.project),
                ("Datasette", b, peer, pair.datasette),
            ):
                progress(f"  {args.clients} clients against {name} for {args.duration:g} s…")
                concurrent(base + where, side, args.clients, args.duration)
            results.append((pair, a, b))
        load_after = os.getloadavg()
        finished = True
    finally:
        for server in servers:
            stop_server(server)
        for log in logs:
            if log.exists():
                if finished:
                    log.unlink()  # kept only when something went wrong
                else:
                    progress(f"A server's log: {log}")

    context = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "pledges": args.pledges,
        "published": facts.published,
        "seed": args.seed,
        "project_db": project_db,
        "gunicorn": gunicorn_settings(args.workers, None),
        "project_url": site,
        "datasette_version": version,
        "file": (
            f"{peer_file} (the project's own file, with the project's indexes only)"
            if args.same_file
            else f"{peer_file} (a copy of the file with indexes for its queries: DATASETTE_INDEXES)"
        ),
        "datasette_url": peer,
        "load_before": load_before,
        "load_after": load_after,
        "requests": args.requests,
        "clients": args.clients,
        "duration": args.duration,
        "notes": notes(facts, pairs, deep_note),
    }
    text = report(context, results)
    print(text, flush=True)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
