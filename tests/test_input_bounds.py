"""Input that cannot take the site down (issue 11): a search longer than any real one is
refused with a 400 that says why, on every address that takes `q`, before it reaches the
database (50,000 characters made SQLite's LIKE fail with a 500)."""

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
