"""{% slug_url %} and {% page_url %} (commitments/templatetags/links.py) give exactly what
{% url %} gives, reversed once per URL configuration and script prefix."""

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from commitments.templatetags.links import page_url, slug_url

SLUG_PAGES = ["commitments:detail", "commitments:platform", "commitments:initiative"]


@pytest.mark.parametrize("view_name", SLUG_PAGES)
@pytest.mark.parametrize("slug", ["tiktok", "a-b_c-9", "X"])
def test_a_slug_page_has_the_address_reverse_gives(view_name, slug):
    assert slug_url(view_name, slug) == reverse(view_name, args=[slug])


def test_each_page_has_its_own_address():
    addresses = {slug_url(view_name, "tiktok") for view_name in SLUG_PAGES}
    assert len(addresses) == len(SLUG_PAGES)
    assert page_url("commitments:methodology") == reverse("commitments:methodology")


def test_the_script_prefix_is_honoured_once_it_changes():
    before = slug_url("commitments:detail", "tiktok")
    set_script_prefix("/tracker/")
    try:
        assert slug_url("commitments:detail", "tiktok") == f"/tracker{before}"
        assert page_url("commitments:methodology").startswith("/tracker/")
    finally:
        clear_script_prefix()
    assert slug_url("commitments:detail", "tiktok") == before


@override_settings(ROOT_URLCONF="tests.page_links_urls")
def test_another_url_configuration_is_read_afresh():
    assert slug_url("commitments:detail", "tiktok") == "/elsewhere/tiktok.html"


@pytest.mark.parametrize("slug", ["", "a/b", "naïve", "a b"])
def test_what_no_slug_page_takes_is_refused_as_url_refuses_it(slug):
    with pytest.raises(NoReverseMatch):
        reverse("commitments:detail", args=[slug])
    with pytest.raises(NoReverseMatch):
        slug_url("commitments:detail", slug)


def test_the_tags_write_escaped_addresses_in_a_template():
    template = engines["django"].from_string(
        "{% load links %}<a href=\"{% slug_url 'commitments:platform' slug %}\">"
        "<a href=\"{% page_url 'commitments:methodology' %}#x\">"
    )
    html = template.render({"slug": "tiktok"})
    assert html == (
        f'<a href="{reverse("commitments:platform", args=["tiktok"])}">'
        f'<a href="{reverse("commitments:methodology")}#x">'
    )
