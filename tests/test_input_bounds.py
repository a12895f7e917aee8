"""Input that cannot take the site down (issue 11): a search longer than any real one, a
date that is not one and a NUL character are refused with a 400 that says why, on every
address that takes them, before they reach the database (50,000 characters made SQLite's
LIKE fail with a 500, a "%" broke django-filter's error message, PostgreSQL refuses a
NUL)."""

import pytest
from django.urls import reverse

from commitments.public.filters import TEXT_FILTER_MAX

LONG = "a" * (TEXT_FILTER_MAX + 1)
REASON = f"Ensure this value has at most {TEXT_FILTER_MAX} characters"


@pytest.mark.parametrize(
    "url",
    [
        reverse("commitments:list"),
        reverse("commitments:export_csv"),
        reverse("commitments:export_json"),
        reverse("commitments:feed"),
        "/api/commitments/",
        "/api/platforms/",
        "/api/initiatives/",
    ],
)
def test_a_search_too_long_is_a_400_with_the_reason(client, commitment, url):
    response = client.get(url, {"q": LONG})
    assert response.status_code == 400, url
    assert REASON in response.content.decode()


@pytest.mark.parametrize("name", ["commitments:platforms", "commitments:initiatives"])
def test_the_directories_refuse_it_too(client, commitment, name):
    response = client.get(reverse(name), {"q": LONG})
    assert response.status_code == 400
    assert REASON in response.content.decode()


def test_a_search_of_the_longest_length_still_works(client, commitment):
    response = client.get(reverse("commitments:list"), {"q": "a" * TEXT_FILTER_MAX})
    assert response.status_code == 200


LISTINGS = [
    reverse("commitments:list"),
    reverse("commitments:export_csv"),
    reverse("commitments:export_json"),
    reverse("commitments:feed"),
    "/api/commitments/",
]


@pytest.mark.parametrize("url", LISTINGS)
@pytest.mark.parametrize("value", ["%", "2021-13", "x" * 300])
def test_a_date_that_is_not_one_is_a_400_with_the_reason(client, commitment, url, value):
    # "%" made django-filter's error translation fail with a 500 on the API.
    response = client.get(url, {"announced_after": value})
    assert response.status_code == 400, url
    assert "not a" in response.content.decode()


@pytest.mark.parametrize("url", [*LISTINGS, "/api/platforms/", "/api/initiatives/"])
def test_a_nul_in_a_search_is_a_400_with_the_reason(client, commitment, url):
    # PostgreSQL refuses a NUL in any string: it would be a 500.
    response = client.get(url, {"q": "tik\x00tok"})
    assert response.status_code == 400, url
    assert "NUL character" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/api/commitments/%00/",
        "/api/platforms/%00/",
        "/api/initiatives/%00/",
        "/api/commitments/tik%00tok/",
        "/commitments/tik%00tok/",
        "/platforms/%00/",
        "/feeds/platforms/%00.atom",
    ],
)
def test_a_nul_in_an_address_is_a_400_with_the_reason(client, commitment, url):
    response = client.get(url)
    assert response.status_code == 400, url
    assert "NUL character" in response.content.decode()


def test_the_api_looks_up_only_what_a_slug_can_hold(client, commitment):
    assert client.get(f"/api/commitments/{commitment.slug}/").status_code == 200
    assert client.get(f"/api/commitments/{commitment.slug}%20x/").status_code == 404
