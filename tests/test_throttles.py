"""The downloads and the feeds are throttled per client address, as the API is: a client
past its rate gets a 429 that says when to come back, and the next client is unaffected."""

import pytest
from django.conf import settings
from django.urls import reverse


def rate(scope: str) -> int:
    return int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope].split("/")[0])


@pytest.mark.parametrize(
    "scope, url",
    [
        ("downloads", reverse("commitments:export_csv")),
        ("downloads", reverse("commitments:export_json")),
        ("feeds", reverse("commitments:feed")),
    ],
)
def test_a_client_past_its_rate_gets_a_429_with_retry_after(client, commitment, scope, url):
    for _ in range(rate(scope)):
        assert client.get(url).status_code == 200

    response = client.get(url)

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests from your address" in response.content.decode()
    # Another address still gets through.
    assert client.get(url, REMOTE_ADDR="127.0.0.2").status_code == 200


def test_the_csv_and_json_downloads_share_one_count(client, commitment):
    for n in range(rate("downloads")):
        name = "commitments:export_csv" if n % 2 else "commitments:export_json"
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("commitments:export_csv")).status_code == 429
    # The pages and the feeds are counted apart.
    assert client.get(reverse("commitments:list")).status_code == 200
    assert client.get(reverse("commitments:feed")).status_code == 200


def test_a_platforms_feed_counts_as_a_feed(client, commitment):
    url = reverse("commitments:platform_feed", args=[commitment.platform.slug])
    for _ in range(rate("feeds")):
        assert client.get(url).status_code == 200
    assert client.get(reverse("commitments:feed")).status_code == 429
