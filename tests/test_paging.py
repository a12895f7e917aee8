"""The listing counts its matches only up to a cap (commitments/public/paging.py): past it
the page says "More than N commitments" and its pages go on without a page count."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.models import Commitment, Status
from commitments.public.paging import CappedPaginator
from tests.factories import make_commitments, make_platform
from tests.page_helpers import listed_titles, page_text

LIST_URL = reverse("commitments:list")
CAP = 30


@pytest.fixture
def capped(monkeypatch):
    """A cap low enough for a test's rows: 30 instead of 10,000."""
    monkeypatch.setattr(CappedPaginator, "cap", CAP)


@pytest.fixture
def many(db):
    """More published pledges than the cap: 60, so three pages of 25."""
    return make_commitments(make_platform("Meta"), 2 * CAP)


def test_past_the_cap_the_count_says_more_than_and_pages_have_no_total(client, capped, many):
    text = page_text(client.get(LIST_URL))
    assert f"More than {CAP} commitments." in text
    assert "Page 1</span>" in text and " of " not in text.split("Page 1")[1][:10]
    assert 'rel="next"' in text


def test_the_count_stops_reading_at_the_cap(client, capped, many):
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST_URL)
    [count] = [q["sql"] for q in queries.captured_queries if "SELECT COUNT(*)" in q["sql"]]
    assert f"LIMIT {CAP + 1}" in count


def test_pages_past_the_cap_go_on_to_the_end_and_stop(client, capped, many):
    seen = []
    for number in (1, 2, 3):
        response = client.get(LIST_URL, {"page": number})
        seen += listed_titles(response)
        assert ('rel="next"' in response.content.decode()) == (number < 3), number
        assert ('rel="prev"' in response.content.decode()) == (number > 1), number
    assert len(seen) == len(set(seen)) == 2 * CAP
    assert sorted(seen) == sorted(c.title for c in many)


@pytest.mark.parametrize("number", ["4", "99", str(10**20)])
def test_a_page_past_the_end_says_the_list_ends_before_it(client, capped, many, number):
    response = client.get(LIST_URL, {"page": number})
    assert response.status_code == 200
    assert listed_titles(response) == []
    assert "The list ends before page" in page_text(response)
    assert 'page=1">Go to the first page' in page_text(response)


@pytest.mark.parametrize("number", ["first", "0", "-3", "2.5"])
def test_a_page_that_is_not_a_page_number_is_the_first(client, capped, many, number):
    response = client.get(LIST_URL, {"page": number})
    assert listed_titles(response) == listed_titles(client.get(LIST_URL))


def test_below_the_cap_the_count_is_exact_with_a_page_total(client, many):
    text = page_text(client.get(LIST_URL))
    assert f"{2 * CAP} commitments." in text
    assert "Page 1 of 3" in text


def test_the_cap_is_written_with_a_thousands_separator(client, db, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 1_000)
    monkeypatch.setattr(CappedPaginator, "count", 1_001)
    assert "More than 1,000 commitments." in page_text(client.get(LIST_URL))


# The pages' own links: read on from the row they name (keyset pagination) -------------

PAGE_LINK = re.compile(r'<a href="\?([^"]*)" rel="(prev|next)"')


def page_link(response, rel: str) -> str | None:
    """The query string of the page's Previous or Next link, or None."""
    found = {way: query for query, way in PAGE_LINK.findall(response.content.decode())}
    return html.unescape(found[rel]) if rel in found else None


@pytest.fixture
def tied(db):
    """75 published pledges on three platforms, two in three announced on one day (ties
    that only the id breaks), a status each in turn, and five drafts."""
    pledges = []
    for name in ("Meta", "Snap", "TikTok"):
        pledges += make_commitments(make_platform(name), 25)
    for n, pledge in enumerate(pledges):
        day = datetime.date(2021, 5, 1) if n % 3 else pledge.announced_on
        status = Status.values[n % len(Status.values)]
        Commitment.objects.filter(pk=pledge.pk).update(announced_on=day, status=status)
    drafts = make_commitments(make_platform("Discord"), 5, published=False)
    return {"published": pledges, "drafts": drafts}


def walk(client, first_query: str, rel: str) -> list[list[str]]:
    """The titles of each page met by following `rel` links from `first_query`."""
    pages, query = [], first_query
    while query is not None:
        response = client.get(f"{LIST_URL}?{query}")
        assert response.status_code == 200, query
        pages.append(listed_titles(response))
        query = page_link(response, rel)
        assert len(pages) < 10, "the links go round in circles"
    return pages


@pytest.mark.parametrize(
    ("sort", "capped_count"),
    [("", False)]
    + [
        (sort, True)
        for sort in ["", "announced", "-changed", "changed", "platform", "-platform", "status"]
        + ["-status"]
    ],
)
def test_next_and_previous_links_walk_the_same_pages_as_the_page_numbers(
    client, tied, monkeypatch, sort, capped_count
):
    if capped_count:
        monkeypatch.setattr(CappedPaginator, "cap", CAP)
    by_number = [
        listed_titles(client.get(LIST_URL, {"sort": sort, "page": number})) for number in (1, 2, 3)
    ]
    assert sorted(sum(by_number, [])) == sorted(c.title for c in tied["published"])

    forwards = walk(client, f"sort={sort}", "next")
    assert forwards == by_number
    last = client.get(
        f"{LIST_URL}?{page_link(client.get(f'{LIST_URL}?sort={sort}&page=2'), 'next')}"
    )
    backwards = walk(client, page_link(last, "prev"), "prev")
    assert backwards == by_number[:2][::-1]


def test_the_next_page_is_read_on_from_the_last_row_shown_not_counted_to(client, tied):
    first = client.get(LIST_URL)
    link = page_link(first, "next")
    shown_last = Commitment.objects.get(title=listed_titles(first)[-1])
    assert link == f"page=2&after={shown_last.pk}"
    with CaptureQueriesContext(connection) as queries:
        client.get(f"{LIST_URL}?{link}")
    assert not [q["sql"] for q in queries.captured_queries if "OFFSET" in q["sql"]]
    # By its number alone, the same page skips the rows before it.
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST_URL, {"page": 2})
    assert [q["sql"] for q in queries.captured_queries if "OFFSET 25" in q["sql"]]


def test_a_link_keeps_the_filters_and_names_one_row(client, tied):
    response = client.get(LIST_URL, {"kind": "policy", "sort": "platform"})
    second = page_link(response, "next")
    assert re.fullmatch(r"kind=policy&sort=platform&page=2&after=\d+", second), second
    third = page_link(client.get(f"{LIST_URL}?{second}"), "next")
    assert re.fullmatch(r"kind=policy&sort=platform&page=3&after=\d+", third), third
    back = page_link(client.get(f"{LIST_URL}?{second}"), "prev")
    # Back to the first page: plainly page 1, the address the list starts at.
    assert back == "kind=policy&sort=platform&page=1"


def test_the_previous_link_of_a_deeper_page_names_its_first_row(client, tied):
    third = client.get(LIST_URL, {"page": 3})
    link = page_link(third, "prev")
    first_shown = Commitment.objects.get(title=listed_titles(third)[0])
    assert link == f"page=2&before={first_shown.pk}"
    assert listed_titles(client.get(f"{LIST_URL}?{link}")) == listed_titles(
        client.get(LIST_URL, {"page": 2})
    )


@pytest.mark.parametrize("named", ["draft", "filtered out", "missing", "0", "-4", "x", "9" * 30])
@pytest.mark.parametrize("way", ["after", "before"])
def test_a_row_that_is_not_in_the_list_leaves_the_page_to_its_number(client, tied, named, way):
    # An old link whose row was since unpublished, or a made-up one: never a draft's
    # place in the list (which would tell its date), never an error.
    meta_pledge = Commitment.objects.filter(platform__slug="meta").first()
    row = {
        "draft": str(tied["drafts"][0].pk),
        "filtered out": str(meta_pledge.pk),
        "missing": str(Commitment.objects.order_by("-pk")[0].pk + 1000),
    }.get(named, named)
    params = {"platform": "snap", "page": 2}
    expected = listed_titles(client.get(LIST_URL, params))
    response = client.get(LIST_URL, {**params, way: row})
    assert response.status_code == 200
    assert listed_titles(response) == expected


def test_a_row_past_the_end_leaves_an_empty_page_that_says_so(client, tied):
    last = client.get(LIST_URL, {"page": 3})
    final = Commitment.objects.get(title=listed_titles(last)[-1])
    response = client.get(LIST_URL, {"page": 4, "after": final.pk})
    assert listed_titles(response) == []
    assert "The list ends before page 4" in page_text(response)


def test_a_searchs_pages_go_by_number(client, tied):
    # Each page read on from a row would match the words again, three times.
    first = client.get(LIST_URL, {"q": "bulk"})
    assert page_link(first, "next") == "q=bulk&page=2"
    second = listed_titles(client.get(LIST_URL, {"q": "bulk", "page": 2}))
    last_shown = Commitment.objects.get(title=listed_titles(first)[-1])
    beside = {"q": "bulk", "page": 2, "before": last_shown.pk}
    assert listed_titles(client.get(LIST_URL, beside)) == second
