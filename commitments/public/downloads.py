"""Downloads of the public listing: `/commitments.csv` and `/commitments.json`.

They take exactly the parameters of `/commitments/` (commitments/public/selectors.py), so
a filtered listing's URL becomes its download by adding `.csv` or `.json`, and they hold
exactly what the listing shows, in its order, on all its pages at once. Only published
pledges appear. Rows are streamed from a server-side cursor in chunks, as values (no
model instances), with one query per chunk for their sources' addresses
(`with_names_and_sources`; no queryset built per row as prefetch_related builds one), and
sent to the client in blocks of about 64 KB rather than a line at a time, so memory stays
flat however large the export.

With `?as_of=YYYY-MM-DD` they hold the listing as it stood at the end of that day
(commitments/public/as_of.py), rebuilt a chunk at a time, and are named for the day.

Each row holds, in both formats, the columns of `DOWNLOAD_FIELDS` in
commitments/public/fields.py, which says what each one means. CSV cells that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
are prefixed with a ' so that they open as text.

A download cut short must not pass for a whole one (issue 11). Over HTTP/1.1 the body is
sent in chunks (no Content-Length is set, so gunicorn frames it so), and a stream that
stops early lacks the last, empty chunk: curl, requests and http.client report an error.
`X-Row-Count` says how many pledges the download holds (CSV records after the header
line, JSON array items), counted in the same database snapshot as the rows it streams,
so that a client on HTTP/1.0 (or behind a proxy that speaks it) can check what it got;
and a JSON download is only valid JSON once its closing "]" has arrived.
"""

import csv
import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.timezone import localdate

from commitments import licence
from commitments.models import Citation, Commitment, Initiative, Platform
from commitments.public import as_of
from commitments.public.fields import DOWNLOAD_FIELDS, PLEDGE_COLUMNS, PledgeRow, pledge_values
from commitments.public.selectors import InvalidFilters, public_listing
from commitments.releases.store import COMPRESSED, newest_release

COLUMNS = [field.name for field in DOWNLOAD_FIELDS]
# Rows per fetch from the database cursor, and per query for their sources.
CHUNK_SIZE = 500
# Characters of CSV or JSON sent at a time: each block is one write to the client.
BLOCK_SIZE = 64 * 1024
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def invalid_parameters(filterset) -> HttpResponse:
    """A 400 naming each bad parameter and why, for machines and the people behind them."""
    lines = [
        f"{name}: {message}" for name, messages in filterset.errors.items() for message in messages
    ]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def export_csv(request):
    return export(request, "csv", csv_lines, "text/csv; charset=utf-8")


def export_json(request):
    return export(request, "json", json_chunks, "application/json")


def export(request, extension: str, render: Callable, content_type: str) -> HttpResponse:
    try:
        day = as_of.as_of_day(request.GET)
    except as_of.InvalidAsOf as error:
        return HttpResponseBadRequest(f"{error}\n", content_type="text/plain; charset=utf-8")
    try:
        if day is None:
            filterset = public_listing(request.GET)
        else:
            filterset = as_of.public_listing_as_of(request.GET, day=day)
    except InvalidFilters as error:
        return invalid_parameters(error.filterset)
    if day is None:
        count, rows = counted_rows(download_columns(filterset.qs), rebuild=with_names_and_sources)
    else:
        # History rows, rebuilt as they stood a chunk at a time (a fixed number of
        # queries a chunk, as the sources of today's rows).
        count, rows = counted_rows(
            filterset.qs,
            rebuild=lambda found: rebuilt_for_download(
                as_of.rows_as_they_stood(found, day=day, chunk_size=CHUNK_SIZE, sources=True)
            ),
        )
    detail_url = detail_url_maker(request)
    records = (row_data(commitment, detail_url) for commitment in rows)
    body = closing_rows(blocks(render(records)), rows)
    response = StreamingHttpResponse(body, content_type=content_type)
    response["X-Row-Count"] = str(count)
    dated = localdate().isoformat() if day is None else f"as-of-{day.isoformat()}"
    filename = f"commitments-{dated}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = licence.link_header()
    if day is None and not filterset.active():
        # The whole dataset: its newest release holds it compressed, made once.
        compressed = compressed_release_file(request, extension)
        if compressed is not None:
            url, made_on = compressed
            response["Link"] += (
                f', <{url}>; rel="alternate"; type="application/gzip"; '
                f'title="The whole dataset as released on {made_on.isoformat()}, compressed"'
            )
    return response


def compressed_release_file(request, extension: str) -> tuple[str, datetime.date] | None:
    """The absolute address of the newest release's compressed `extension` file (csv or
    json) and its day, or None before the first release."""
    release = newest_release()
    name = COMPRESSED[extension]
    if release is None or release.file(name) is None:
        return None
    path = reverse("commitments:release_file", args=[release.name, name])
    return request.build_absolute_uri(path), release.date


def counted_rows(queryset, *, rebuild: Callable | None = None) -> tuple[int, Iterator[Commitment]]:
    """How many rows the queryset holds, and an iterator over them, both read in one
    transaction, so that a pledge published meanwhile is in both or in neither: one
    snapshot on PostgreSQL (REPEATABLE READ), and SQLite's transactions are snapshots.
    The transaction stays open while the body streams and ends when the rows run out or
    the iterator is closed (`closing_rows`; the server closes every response, a client
    that goes away included). Inside a transaction already (a test's), that one is read.
    `rebuild`, given the rows' iterator, gives what to stream instead (as of a day)."""
    rows = _rows_in_one_transaction(queryset, rebuild or (lambda found: found))
    return next(rows), rows


def _rows_in_one_transaction(queryset, rebuild: Callable) -> Iterator:
    if connection.in_atomic_block:
        yield queryset.count()
        yield from rebuild(queryset.iterator(chunk_size=CHUNK_SIZE))
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The first statement of the transaction, as PostgreSQL requires.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield queryset.count()
        yield from rebuild(queryset.iterator(chunk_size=CHUNK_SIZE))


def download_columns(pledges):
    """The pledges as plain rows (`values()`) of only the columns a download's row reads
    (row_data): a whole row is twice as long, each column is converted as it is read,
    and a model instance a row cost 25 µs of the 86 a row took to write out. Their
    platforms and initiatives are not joined (`with_names_and_sources` names them): a
    join kept in the count (3.6 s at a million pledges, against 0.04)."""
    return pledges.select_related(None).values(
        "id", "slug", "platform_id", "initiative_id", *PLEDGE_COLUMNS
    )


def with_names_and_sources(pledges: Iterable[dict]) -> Iterator[PledgeRow]:
    """Each pledge's row (of `download_columns`) as a PledgeRow given `platform_name`,
    `initiative_name` and `source_urls` (the addresses of the sources it cites, in the
    order cited), CHUNK_SIZE pledges at a time: one query a chunk for the addresses, and
    each platform's and initiative's name read once (there are few: 2,000 platforms at a
    million pledges)."""
    names = {Platform: {None: None}, Initiative: {None: None}}
    pledges = iter(pledges)
    while chunk := [PledgeRow(**columns) for columns in islice(pledges, CHUNK_SIZE)]:
        for model, attname in [(Platform, "platform_id"), (Initiative, "initiative_id")]:
            known = names[model]
            if missing := {getattr(p, attname) for p in chunk} - known.keys():
                known.update(model.objects.filter(pk__in=missing).values_list("pk", "name"))
        urls = defaultdict(list)
        cited = Citation.objects.filter(commitment_id__in=[pledge.id for pledge in chunk])
        for pledge_id, url in cited.order_by("id").values_list("commitment_id", "source__url"):
            urls[pledge_id].append(url)
        for pledge in chunk:
            pledge.platform_name = names[Platform][pledge.platform_id]
            pledge.initiative_name = names[Initiative][pledge.initiative_id]
            pledge.source_urls = urls[pledge.id]
        yield from chunk


def rebuilt_for_download(pledges: Iterable[Commitment]) -> Iterator[Commitment]:
    """What `with_names_and_sources` gives today's rows, for pledges
    rebuilt as they stood: from the platform, initiative and citations they were
    rebuilt with."""
    for pledge in pledges:
        pledge.platform_name = pledge.platform.name
        pledge.initiative_name = pledge.initiative.name if pledge.initiative else None
        pledge.source_urls = [citation.source.url for citation in pledge.citations.all()]
        yield pledge


def blocks(lines: Iterable[str]) -> Iterator[str]:
    """The lines joined into blocks of about BLOCK_SIZE characters, the last one as
    short as it comes."""
    block, size = [], 0
    for line in lines:
        block.append(line)
        size += len(line)
        if size >= BLOCK_SIZE:
            yield "".join(block)
            block, size = [], 0
    if block:
        yield "".join(block)


def closing_rows(body: Iterator[str], rows: Iterator) -> Iterator[str]:
    """The body, then the rows' iterator closed (ending its transaction) however the
    body ends: read to the end, failed, or closed by the server."""
    try:
        yield from body
    finally:
        rows.close()


def detail_url_maker(request) -> Callable[[str], str]:
    """Absolute URL of a pledge's page by slug, resolved once rather than once a row."""
    marker = "slug-placeholder"
    template = request.build_absolute_uri(reverse("commitments:detail", args=[marker]))
    return lambda slug: template.replace(marker, slug)


def row_data(commitment: Commitment | PledgeRow, detail_url: Callable[[str], str]) -> dict:
    return {
        "url": detail_url(commitment.slug),
        "platform": commitment.platform_name,
        "initiative": commitment.initiative_name,
        **pledge_values(commitment),
        "source_urls": commitment.source_urls,
    }


class Echo:
    """A file-like object whose write() hands back what it is given, so that csv.writer
    formats one line at a time for streaming instead of into a buffer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(records: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(Echo())
    yield writer.writerow(COLUMNS)
    for record in records:
        yield writer.writerow([csv_cell(record[column]) for column in COLUMNS])


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = " ".join(value)
    if value.lstrip(" \n").startswith(FORMULA_STARTS):
        # Spreadsheets run such a cell as a formula, even behind blanks or a line break:
        # a title is text, never code.
        return "'" + value
    return value


def json_chunks(records: Iterable[dict]) -> Iterator[str]:
    """A JSON array written one object at a time: "[", objects joined by ",", "]"."""
    yield "["
    separator = "\n"
    for record in records:
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"
