"""What every public page shares: an empty database gives pages that say what to do, a
missing page helps people on, and addresses stay put when names change."""

import pytest
from django.urls import reverse

from commitments.models import Initiative, Platform
from tests.page_helpers import page_text

ADMIN_LINK = 'href="/admin/"'


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/", "No commitment has been published yet. Staff add and publish them"),
        ("/commitments/", "No commitment has been published yet. Staff add and publish them"),
        ("/platforms/", "No platform is recorded yet. Staff add them"),
        ("/initiatives/", "No initiative is recorded yet. Staff add them"),
        ("/matrix/", "No platforms or initiatives are recorded yet. Staff add them"),
    ],
)
def test_with_an_empty_database_each_page_says_what_to_do(client, db, url, says):
    response = client.get(url)
    assert response.status_code == 200
    assert says in page_text(response)
    assert ADMIN_LINK in page_text(response)


def test_a_directory_search_that_finds_nothing_offers_the_whole_list(client, platform):
    text = page_text(client.get("/platforms/", {"q": "no such name"}))
    assert 'No platform matches. <a href="/platforms/">See all platforms</a>.' in text
    text = page_text(client.get("/initiatives/", {"q": "no such name"}))
    assert 'No initiative matches. <a href="/initiatives/">See all initiatives</a>.' in text


def test_the_not_found_page_helps_people_on(client, db, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    text = page_text(response)
    assert "<h1>Page not found</h1>" in text
    assert "<code>/no/such/page/</code>" in text
    for link in ("/commitments/", "/platforms/", "/initiatives/", "/"):
        assert f'<a href="{link}">' in text


def test_a_missing_record_gets_the_same_helpful_page(client, db, settings):
    settings.DEBUG = False
    for url in ("/commitments/gone/", "/platforms/gone/", "/initiatives/gone/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page not found" in page_text(response)
        assert '<a href="/commitments/">searching all commitments</a>' in page_text(response)


def test_the_not_found_page_escapes_the_address(client, db, settings):
    settings.DEBUG = False
    body = client.get("/commitments/%3Cscript%3E/").content.decode()
    assert "<script>" not in body


def test_platform_and_initiative_addresses_stay_when_renamed(client, platform, initiative):
    platform.name = "TikTok (renamed)"
    platform.save()
    initiative.name = "WeProtect (renamed)"
    initiative.save()
    assert Platform.objects.get().slug == "tiktok"
    assert Initiative.objects.get().slug == "weprotect-global-alliance"
    assert "TikTok (renamed)" in page_text(
        client.get(reverse("commitments:platform", args=["tiktok"]))
    )
    assert "WeProtect (renamed)" in page_text(
        client.get(reverse("commitments:initiative", args=["weprotect-global-alliance"]))
    )
