"""Platform scorecards: the comparison of platforms side by side (/platforms/compare/),
and the downloads of it and of one platform's scorecard, as CSV and JSON.

The figures come from `platform_scorecards` (commitments/public/statistics.py), the one
home they are computed in for the platform's page, this comparison and the downloads.
A download holds one row per platform with the columns of `SCORECARD_FIELDS`, in both
formats; JSON adds each platform's timeline. Like the listing's downloads
(downloads.py) they are throttled per client (urls.py), say how many rows they hold in
`X-Row-Count` and name the data's licence in a Link header. They are small (one row a
platform), so they are built whole rather than streamed.
"""

import csv
import io
import json
from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.timezone import localdate

from commitments import licence
from commitments.dates import iso_partial_date
from commitments.models import Platform, Status
from commitments.public.downloads import csv_cell, invalid_parameters
from commitments.public.fields import PublicField
from commitments.public.filters import (
    COMPARISON_SORTS,
    DEFAULT_COMPARISON_SORT,
    ComparisonSortForm,
)
from commitments.public.selectors import public_commitments
from commitments.public.statistics import Scorecard, platform_scorecards

# The first click on a column sorts names A to Z, and figures from the highest down.
ASCENDING_FIRST = {"name"}

SCORECARD_FIELDS = [
    PublicField("platform", "the platform's name"),
    PublicField("url", "the platform's page on this site (absolute)"),
    PublicField("parent", "the name of the platform it belongs to, or empty (null)"),
    PublicField("pledges", "its published pledges, its children's included"),
    PublicField(
        "not_yet_rated",
        "pledges whose outcome the tracker has not yet rated (status announced): not a verdict",
    ),
    PublicField("rated", "pledges rated on cited evidence (any other status)"),
    PublicField("verified", "pledges an independent test or a regulator's finding confirms"),
    PublicField("falls_short", "pledges such a test or finding shows do not work as promised"),
    PublicField("with_evidence", "pledges with public follow-up evidence"),
    PublicField("evidence_share", "with_evidence as a whole per cent of pledges, or empty (null)"),
    PublicField(
        "oldest_not_yet_rated_on",
        "when the oldest pledge not yet rated was announced (a partial date), or empty",
    ),
    PublicField(
        "last_evidence_on",
        "the date of the newest public follow-up evidence (a partial date), or empty",
    ),
    PublicField("open_requests", "requests for the platform's reply still unanswered"),
    PublicField("oldest_open_request_on", "YYYY-MM-DD the oldest of them was asked on, or empty"),
    *[
        PublicField(f"status_{value}", f"pledges with the status {value}")
        for value in Status.values
    ],
]
COLUMNS = [field.name for field in SCORECARD_FIELDS]


def comparison(request):
    form = ComparisonSortForm(request.GET)
    if not form.is_valid():
        context = {"filter": form, "cards": None, "headers": sort_headers(DEFAULT_COMPARISON_SORT)}
        return render(request, "commitments/platform_compare.html", context, status=400)
    sort = form.chosen()
    context = {
        "filter": form,
        "cards": sorted_cards(all_scorecards(), sort),
        "headers": sort_headers(sort),
        "sort": sort,
        "sorted_by": sort_description(sort),
    }
    return render(request, "commitments/platform_compare.html", context)


def all_scorecards() -> list[Scorecard]:
    """Every platform, those without a published pledge too: the gaps are the picture."""
    platforms = list(Platform.objects.select_related("parent").order_by("name"))
    return platform_scorecards(platforms, public_commitments())


def sorted_cards(cards: list[Scorecard], sort: str) -> list[Scorecard]:
    """By the sort key, ties by name; a platform with nothing to sort by (no pledge, no
    evidence) comes last either way."""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    by_name = sorted(cards, key=lambda card: card.platform.name.casefold())
    if key == "name":
        return by_name[::-1] if descending else by_name
    known = [card for card in by_name if sort_value(card, key) is not None]
    known.sort(key=lambda card: sort_value(card, key), reverse=descending)
    return known + [card for card in by_name if sort_value(card, key) is None]


def sort_value(card: Scorecard, key: str):
    if key == "last_evidence":
        return card.last_evidence_on
    return getattr(card, key)


def sort_headers(sort: str) -> list[dict]:
    """Each column's label, the sort its link asks for, and aria-sort where it is the one."""
    key_now, descending = sort.lstrip("-"), sort.startswith("-")
    headers = []
    for key, label in COMPARISON_SORTS.items():
        current = key == key_now
        if current:
            link = key if descending else f"-{key}"
        else:
            link = key if key in ASCENDING_FIRST else f"-{key}"
        way = "descending" if descending else "ascending"
        headers.append(
            {
                "key": key,
                "label": label,
                "link": link,
                "aria_sort": way if current else "",
                "number": key not in ("name", "last_evidence"),
            }
        )
    return headers


def sort_description(sort: str) -> str:
    """ "pledges, highest first", "platform, Z to A"…"""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key == "name":
        way = "Z to A" if descending else "A to Z"
    elif key == "last_evidence":
        way = "newest first" if descending else "oldest first"
    else:
        way = "highest first" if descending else "lowest first"
    return f"{COMPARISON_SORTS[key].lower()}, {way}"


# Bars of the timeline on a platform's page are drawn by CSS classes (.bar-1 to .bar-20,
# twentieths of the busiest year), since the site's CSP allows no style attribute.
BAR_STEPS = 20


def timeline_rows(card: Scorecard) -> list[dict]:
    """The card's years, each with the width step of its two bars; a year with any
    pledge or evidence gets at least the smallest bar."""
    rows = card.timeline
    busiest = max((max(row["pledges"], row["follow_ups"]) for row in rows), default=0)
    for row in rows:
        for name in ("pledges", "follow_ups"):
            row[f"{name}_bar"] = max(1, round(BAR_STEPS * row[name] / busiest)) if row[name] else 0
    return rows


# Downloads.


def comparison_csv(request):
    return comparison_download(request, "csv")


def comparison_json(request):
    return comparison_download(request, "json")


def scorecard_csv(request, slug):
    return scorecard_download(request, slug, "csv")


def scorecard_json(request, slug):
    return scorecard_download(request, slug, "json")


def comparison_download(request, extension: str) -> HttpResponse:
    form = ComparisonSortForm(request.GET)
    if not form.is_valid():
        return invalid_parameters(form)
    cards = sorted_cards(all_scorecards(), form.chosen())
    return download(request, cards, f"platforms-compared-{localdate().isoformat()}", extension)


def scorecard_download(request, slug: str, extension: str) -> HttpResponse:
    platform = get_object_or_404(Platform.objects.select_related("parent"), slug=slug)
    cards = platform_scorecards([platform], public_commitments())
    return download(
        request, cards, f"{platform.slug}-scorecard-{localdate().isoformat()}", extension
    )


def download(request, cards: list[Scorecard], name: str, extension: str) -> HttpResponse:
    page_url = page_url_maker(request)
    records = [scorecard_values(card, page_url) for card in cards]
    if extension == "csv":
        response = HttpResponse(csv_text(records), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(json_text(cards, records), content_type="application/json")
    response["X-Row-Count"] = str(len(records))
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response["Link"] = licence.link_header()
    return response


def page_url_maker(request) -> Callable[[str], str]:
    """Absolute URL of a platform's page by slug, resolved once rather than once a row."""
    marker = "slug-placeholder"
    template = request.build_absolute_uri(reverse("commitments:platform", args=[marker]))
    return lambda slug: template.replace(marker, slug)


def scorecard_values(card: Scorecard, page_url: Callable[[str], str]) -> dict:
    """The columns of SCORECARD_FIELDS, as JSON has them (None for empty)."""
    platform = card.platform
    request_on = card.oldest_request_on
    return {
        "platform": platform.name,
        "url": page_url(platform.slug),
        "parent": platform.parent.name if platform.parent else None,
        "pledges": card.pledges,
        "not_yet_rated": card.not_yet_rated,
        "rated": card.rated,
        "verified": card.verified,
        "falls_short": card.falls_short,
        "with_evidence": card.with_evidence,
        "evidence_share": card.evidence_share,
        "oldest_not_yet_rated_on": iso_partial_date(*card.oldest_unrated)
        if card.oldest_unrated
        else None,
        "last_evidence_on": iso_partial_date(*card.last_evidence) if card.last_evidence else None,
        "open_requests": card.open_requests,
        "oldest_open_request_on": request_on.isoformat() if request_on else None,
        **{f"status_{value}": card.by_status[value] for value in Status.values},
    }


def csv_text(records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([csv_cell(_text(record[column])) for column in COLUMNS])
    return out.getvalue()


def _text(value):
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def json_text(cards: list[Scorecard], records: list[dict]) -> str:
    """An array of the platforms' records, each with its timeline by year."""
    rows = [
        {**record, "timeline": card.timeline} for card, record in zip(cards, records, strict=True)
    ]
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
