"""The listing counts its matches only up to a cap (commitments/public/paging.py): past it
the page says "More than N commitments" and its pages go on without a page count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
