import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from commitments.models import Commitment
from commitments.public.badges import badge_geometry
from tests.factories import make_commitment, make_commitments, make_platform, queries_for

SVG = "{http://www.w3.org/2000/svg}"


def badge(client, slug: str):
    return client.get(reverse("commitments:badge", args=[slug]))


def badge_text(response) -> str:
    """The badge's accessible name, which says what its two halves show."""
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert root.get("aria-labelledby") == title.get("id")
    drawn = " · ".join(t.text for t in root.iter(f"{SVG}text"))
    assert drawn == title.text
    return title.text


def test_it_counts_a_platforms_published_pledges(client, commitment, platform):
    make_commitment(platform, follow_up=True)
    make_commitment(platform, follow_up="delivered")
    make_commitment(platform, "A draft", published=False, follow_up=True)
    assert badge_text(badge(client, "tiktok")) == "TikTok · 3 pledges · 2 followed up"


def test_one_pledge_is_singular(client, commitment):
    assert badge_text(badge(client, "tiktok")) == "TikTok · 1 pledge · 0 followed up"


def test_a_parent_counts_its_childrens_pledges(client, db):
    meta = make_platform("Meta")
    instagram = make_platform("Instagram", parent=meta)
    make_commitment(meta)
    make_commitment(instagram, follow_up=True)
    assert badge_text(badge(client, "meta")) == "Meta · 2 pledges · 1 followed up"
    assert badge_text(badge(client, "instagram")) == "Instagram · 1 pledge · 1 followed up"


def test_it_is_a_cacheable_svg(client, commitment):
    response = badge(client, "tiktok")
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "max-age=3600" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_a_name_is_escaped(client, db):
    make_platform("Kids & <Teens>", slug="kids")
    response = badge(client, "kids")
    assert b"<Teens>" not in response.content
    assert badge_text(response) == "Kids & <Teens> · 0 pledges · 0 followed up"


def test_an_unknown_platform_is_a_404(client, db):
    assert badge(client, "nobody").status_code == 404


def test_the_query_count_does_not_grow_with_the_rows(client, platform):
    make_commitments(platform, 5)
    few = queries_for(client, reverse("commitments:badge", args=["tiktok"]))
    make_commitments(platform, 195)
    assert queries_for(client, reverse("commitments:badge", args=["tiktok"])) == few
    assert Commitment.objects.count() == 200


@pytest.mark.parametrize("value", ["0 pledges · 0 followed up", "12345 pledges · 99 followed up"])
def test_each_half_is_wider_than_its_text(value):
    geometry = badge_geometry("TikTok", value)
    assert geometry["width"] == geometry["label_width"] + geometry["value_width"]
    assert geometry["label_width"] > geometry["label_text_width"]
    assert geometry["value_width"] > geometry["value_text_width"]
