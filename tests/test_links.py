"""Web addresses: only http(s) is accepted, and one address has one stored spelling."""

import pytest
from django.core.exceptions import ValidationError

from commitments.web_addresses import normalise_url, validate_http_url


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org",
        "https://example.org/path?q=1#top",
        "HTTPS://Example.ORG/",
        "https://example.org:8443/",
        "https://[2001:db8::1]/",
    ],
)
def test_it_accepts_an_http_or_https_address(url):
    validate_http_url(url)  # does not raise


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/file.pdf",
        "javascript:alert(1)",
        "mailto:press@example.org",
        "example",
        "example.org/page",
        "",
    ],
)
def test_it_refuses_any_other_scheme_or_none_and_asks_for_http(url):
    with pytest.raises(ValidationError) as raised:
        validate_http_url(url)
    assert raised.value.code == "scheme"
    assert "http:// or https://" in raised.value.messages[0]


@pytest.mark.parametrize("url", ["http://", "https://", "http://exa mple.org/"])
def test_it_refuses_an_http_address_without_a_valid_host(url):
    with pytest.raises(ValidationError):
        validate_http_url(url)


def test_it_lower_cases_the_scheme_and_host_but_not_the_path_or_query():
    assert (
        normalise_url("HTTPS://News.Example.ORG/Report/2020?Id=AbC")
        == "https://news.example.org/Report/2020?Id=AbC"
    )


def test_it_drops_the_fragment():
    assert normalise_url("https://example.org/report#section-2") == "https://example.org/report"


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("http://example.org:80/a", "http://example.org/a"),
        ("https://example.org:443/a", "https://example.org/a"),
    ],
)
def test_it_drops_the_default_port_of_the_scheme(url, normal):
    assert normalise_url(url) == normal


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("http://example.org:443/a", "http://example.org:443/a"),
        ("https://example.org:80/a", "https://example.org:80/a"),
    ],
)
def test_it_keeps_a_port_that_is_not_the_scheme_s_default(url, normal):
    assert normalise_url(url) == normal


def test_it_strips_surrounding_whitespace_and_gives_an_empty_path_a_slash():
    assert normalise_url("  https://Example.org  ") == "https://example.org/"


@pytest.mark.parametrize(
    "url",
    [
        "https://editor:secret@example.org/",
        "https://editor@example.org/",
        "https://:secret@example.org/",
        "https://@example.org/",
    ],
)
def test_it_refuses_a_user_name_or_password_in_the_address(url):
    with pytest.raises(ValidationError) as raised:
        validate_http_url(url)
    assert raised.value.code == "userinfo"
    assert raised.value.messages == ["Remove the user name and password from the address."]


def test_it_accepts_an_at_sign_in_the_path_or_query():
    validate_http_url("https://medium.com/@someone/a-post?by=a@example.org")  # does not raise


def test_it_drops_user_information_from_the_normal_form():
    # Validation refuses such an address; a row stored before it did is at least never
    # shown or sent with a password once it is saved again.
    assert normalise_url("https://user:pw@Example.org/") == "https://example.org/"


def test_it_is_idempotent():
    once = normalise_url("HTTPS://Example.ORG:443/A?b=C#d")
    assert normalise_url(once) == once


def test_it_keeps_the_brackets_round_an_ipv6_host():
    assert normalise_url("http://[2001:DB8::1]:8080/x") == "http://[2001:db8::1]:8080/x"


def test_it_refuses_a_malformed_ipv6_host_with_a_validation_error():
    with pytest.raises(ValidationError):
        validate_http_url("http://[::1")
