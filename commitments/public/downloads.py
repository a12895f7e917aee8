"""Downloads of the public listing: `/commitments.csv` and `/commitments.json`.

They take exactly the parameters of `/commitments/` (the one CommitmentFilterSet), so a
filtered listing's URL becomes its download by adding `.csv` or `.json`, and they hold
exactly what the listing shows, in its order, on all its pages at once. Only published
pledges appear. Rows are streamed from a server-side cursor in chunks, with one query
per chunk for their sources, so memory stays flat however large the export.

Each row, in both formats:

    url                  the pledge's page on this site (absolute)
    platform             the platform's name
    initiative           the initiative's name, or empty (null in JSON)
    kind                 membership, endorsement, signatory, product_change,
                         age_restriction, policy, reporting, funding or other
    title, summary       as on the page
    status               announced, in_progress, delivered, verified, stalled, lapsed
                         or withdrawn
    announced_on         a partial date, as precise as it is known: 2020, 2020-03 or
                         2020-03-05
    effective_on         likewise, or empty (null)
    deadline             YYYY-MM-DD if the pledge names one, or empty (null)
    latest_follow_up_on  the date of the newest follow-up evidence (a partial date), or
                         empty (null) while there is none
    lacks_follow_up      true or false (a boolean in JSON)
    follow_up_due_on     YYYY-MM-DD by which new evidence is due, or empty (null) for a
                         verified or withdrawn pledge
    follow_up_overdue    true or false: past its due date and grace period, no evidence
    source_urls          where it was promised: space-separated URLs in CSV, a list in JSON

Kinds and statuses are the codes the filters take (`?status=in_progress`), not labels.
CSV cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a
carriage return) are prefixed with a ' so that they open as text.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator

from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.timezone import localdate

from commitments.dates import iso_partial_date
from commitments.models import Commitment
from commitments.public.filters import CommitmentFilterSet

COLUMNS = [
    "url",
    "platform",
    "initiative",
    "kind",
    "title",
    "summary",
    "status",
    "announced_on",
    "effective_on",
    "deadline",
    "latest_follow_up_on",
    "lacks_follow_up",
    "follow_up_due_on",
    "follow_up_overdue",
    "source_urls",
]
# Rows per fetch from the database cursor, and per query for their sources.
CHUNK_SIZE = 500
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
    filterset = CommitmentFilterSet(
        request.GET, queryset=Commitment.objects.published().for_listing()
    )
    if not filterset.is_valid():
        return invalid_parameters(filterset)
    rows = filterset.qs.with_source_urls().iterator(chunk_size=CHUNK_SIZE)
    detail_url = detail_url_maker(request)
    records = (row_data(commitment, detail_url) for commitment in rows)
    response = StreamingHttpResponse(render(records), content_type=content_type)
    filename = f"commitments-{localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def detail_url_maker(request) -> Callable[[str], str]:
    """Absolute URL of a pledge's page by slug, resolved once rather than once a row."""
    marker = "slug-placeholder"
    template = request.build_absolute_uri(reverse("commitments:detail", args=[marker]))
    return lambda slug: template.replace(marker, slug)


def row_data(commitment: Commitment, detail_url: Callable[[str], str]) -> dict:
    latest = commitment.latest_follow_up_on
    return {
        "url": detail_url(commitment.slug),
        "platform": commitment.platform.name,
        "initiative": commitment.initiative.name if commitment.initiative else None,
        "kind": commitment.kind,
        "title": commitment.title,
        "summary": commitment.summary,
        "status": commitment.status,
        "announced_on": iso_partial_date(commitment.announced_on, commitment.announced_precision),
        "effective_on": iso_partial_date(commitment.effective_on, commitment.effective_precision),
        "deadline": commitment.deadline.isoformat() if commitment.deadline else None,
        "latest_follow_up_on": iso_partial_date(latest, commitment.latest_follow_up_precision),
        "lacks_follow_up": latest is None,
        "follow_up_due_on": due.isoformat() if (due := commitment.follow_up_due_on) else None,
        "follow_up_overdue": commitment.follow_up_overdue,
        "source_urls": [citation.source.url for citation in commitment.citations.all()],
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
    if value.startswith(FORMULA_STARTS):
        # Spreadsheets run such a cell as a formula: a title is text, never code.
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
