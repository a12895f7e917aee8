"""What a visitor does, in a real browser: filter the listing, follow a pledge to its
sources, download what they filtered."""

import csv
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Q
from playwright.sync_api import expect

from commitments.api.examples import PLEDGE_SLUG
from commitments.models import Commitment, Status
from tests.integration.browser.helpers import (
    ARTIFACTS,
    MAX_TABS,
    richest_commitment,
    save_screenshot,
)

# A CSV cell starting with one of these gets a leading ' so that spreadsheets keep it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def published_titles(platform: str, status: str) -> list[str]:
    """What the listing should show for a platform (with its children) and a status, in
    the listing's order."""
    return list(
        Commitment.objects.published()
        .filter(Q(platform__slug=platform) | Q(platform__parent__slug=platform), status=status)
        .order_by("-announced_on", "-id")
        .values_list("title", flat=True)
    )


def listed_titles(page):
    return page.locator("main .commitment-list .commitment h3")


def test_filtering_by_platform_and_status_changes_the_url_and_the_results(page):
    page.goto("/commitments/")
    everything = Commitment.objects.published().count()
    expect(page.locator("main .count")).to_contain_text(f"{everything} commitments.")
    unfiltered = listed_titles(page).all_inner_texts()

    expected = published_titles("meta", Status.DELIVERED)
    # Meta's delivered pledges include those of its platforms (Instagram, WhatsApp…).
    assert len(expected) >= 2, expected
    assert Commitment.objects.filter(title__in=expected, platform__parent__slug="meta").exists(), (
        "the chosen filter no longer exercises a parent platform"
    )

    form = page.get_by_role("search", name="Filter commitments")
    form.get_by_label("Platform", exact=True).fill("meta")
    form.get_by_label("Status", exact=True).select_option(Status.DELIVERED)
    form.get_by_role("button", name="Show commitments").click()

    expect(page).to_have_url(re.compile(r"[?&]platform=meta&.*status=delivered(&|$)"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["platform"] == ["meta"] and query["status"] == ["delivered"], page.url
    expect(listed_titles(page)).to_have_text(expected)
    assert expected != unfiltered[: len(expected)]
    expect(page.locator("main .count")).to_contain_text(f"{len(expected)} commitments.")
    expect(page.locator(".active-filters")).to_contain_text("platform")
    # The form shows what is in force, so the next change starts from it.
    expect(form.get_by_label("Platform", exact=True)).to_have_value("meta")
    expect(form.get_by_label("Status", exact=True)).to_have_value("delivered")


def test_a_commitment_leads_to_where_it_was_promised(page):
    commitment = richest_commitment()
    source_urls = [
        c.source.url for c in commitment.citations.select_related("source").order_by("id")
    ]
    assert source_urls, "the chosen pledge cites no source"

    page.goto("/commitments/")
    # Find it as a visitor would: search for its title, then open it from the results.
    page.get_by_label("Search", exact=True).fill(commitment.title)
    page.get_by_role("button", name="Show commitments").click()
    page.locator("main .commitment-list").get_by_role("link", name=commitment.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(commitment.title)
    expect(page).to_have_url(re.compile(re.escape(f"/commitments/{commitment.slug}/") + "$"))

    promised = page.get_by_role("region", name="Where it was promised")
    links = promised.locator("li.source > a:first-child")
    expect(links).to_have_count(len(source_urls))
    assert [link.get_attribute("href") for link in links.all()] == source_urls

    # The first source is a real link that the keyboard reaches: tab until it has focus.
    first = links.first
    assert first.evaluate("el => el.tagName") == "A"
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if first.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail(f"{MAX_TABS} presses of Tab never reached the first source link")

    # Following it leaves the site; the network is closed, so a stub stands in for it.
    page.route(
        source_urls[0],
        lambda route: route.fulfill(
            content_type="text/html",
            body="<!doctype html><title>Stub</title><h1>Stand-in for the source</h1>",
        ),
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(source_urls[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Stand-in for the source")


def test_the_csv_download_holds_the_filtered_list(page):
    page.goto("/commitments/?platform=tiktok&status=announced")
    shown = listed_titles(page)
    expect(shown).not_to_have_count(0)
    shown_titles = shown.all_inner_texts()
    assert shown_titles == published_titles("tiktok", Status.ANNOUNCED)

    link = page.get_by_role("main").get_by_role("link", name="CSV", exact=True)
    href = link.get_attribute("href")
    assert parse_qs(urlsplit(href).query) == {"platform": ["tiktok"], "status": ["announced"]}
    # Say plainly when the export is missing, rather than wait out expect_download.
    response = page.request.get(href)
    if response.status != 200 or not response.headers["content-type"].startswith("text/csv"):
        pytest.fail(
            f"GET {href} answered {response.status} {response.headers.get('content-type')}: "
            "the CSV export (/commitments.csv, commitments/public/downloads.py) is not serving yet",
            pytrace=False,
        )

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    saved = ARTIFACTS / "downloads" / download.suggested_filename
    download.save_as(saved)

    with saved.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    titles = [unprotect(row["title"]) for row in rows]
    assert titles == shown_titles
    assert {row["status"] for row in rows} == {"announced"}
    assert {row["platform"] for row in rows} <= {"TikTok"}


def unprotect(cell: str) -> str:
    """A CSV cell as written, without the ' that keeps a spreadsheet from running it."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


@pytest.mark.parametrize("width", [1366, 390])
def test_the_api_docs_run_under_the_content_security_policy(page, width):
    # Swagger UI starts from a script file of its own (no inline script or style), and the
    # page fixture fails the test on anything the policy blocks.
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("/api/commitments/", exact=True).first).to_be_visible()
    # The way back to the site and to how its data is made.
    site = page.get_by_role("navigation", name="Site")
    expect(site.get_by_role("link", name="Back to the site")).to_have_attribute("href", "/")
    methodology = site.get_by_role("link", name="Methodology")
    expect(methodology).to_have_attribute("href", "/methodology/")
    expect(methodology).to_be_visible()
    # An operation opened shows its example request and answer.
    page.locator("#operations-commitments-commitments_retrieve .opblock-summary").click()
    operation = page.locator("#operations-commitments-commitments_retrieve")
    expect(operation.get_by_text(PLEDGE_SLUG).first).to_be_visible()
    expect(operation.locator(".responses-wrapper")).to_contain_text('"age_restriction"')
    # The enums by their names, and no BlankEnum or NullEnum anywhere.
    expect(page.locator(".models")).to_contain_text("Cadence")
    text = page.locator("body").inner_text()
    assert "BlankEnum" not in text and "NullEnum" not in text
    save_screenshot(page, f"api-docs-{width}")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"/api/docs/ scrolls sideways at {width} px ({scroll_width})"
