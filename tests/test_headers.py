"""Every response carries a Content-Security-Policy that allows this site's own files
only: no inline script or style, no foreign address, no framing (tracker/settings.py)."""

import pytest
from django.urls import reverse

PAGES = ["/", "/commitments/", "/methodology/", "/api/", "/api/docs/", "/admin/login/"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_strict_content_security_policy(client, commitment, url):
    response = client.get(url)
    assert response.status_code == 200, url
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]


def test_a_pledge_page_and_an_error_page_have_it_too(client, commitment):
    for url, status in [(f"/commitments/{commitment.slug}/", 200), ("/no-such-page/", 404)]:
        response = client.get(url)
        assert response.status_code == status
        assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_badge_keeps_its_own_narrower_policy(client, commitment):
    response = client.get(reverse("commitments:badge", args=[commitment.platform.slug]))
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
