"""The site needs no JavaScript: with it switched off, every page type renders and does
its job, and the listing filters through a plain form submission."""

import re

import pytest
from django.db.models import Q
from playwright.sync_api import expect

from commitments.models import Commitment, Initiative, Platform, Status, Submission
from tests.integration.browser.helpers import (
    DESKTOP,
    INITIATIVE_SLUG,
    PAGE_TYPES,
    PLATFORM_SLUG,
    expected_h1,
    new_context,
    open_page,
    richest_commitment,
)


@pytest.fixture
def page(browser, site):
    context = new_context(browser, site, viewport=DESKTOP, java_script_enabled=False)
    yield context.new_page()
    context.close()


def published():
    return Commitment.objects.published()


def works_overview(page):
    figures = page.locator("main .figures")
    expect(figures).to_contain_text(f"{published().count()} pledges")
    page.get_by_role("link", name="All pledges lacking follow-up").click()
    expect(page).to_have_url(re.compile(r"/commitments/\?follow_up=lacks&sort=announced$"))
    lacking = published().filter(latest_follow_up_on__isnull=True).count()
    expect(page.locator("main .count")).to_contain_text(f"{lacking} commitment")


def works_list(page):
    total = published().count()
    expect(page.locator("main .count")).to_contain_text(f"{total} commitments.")
    rows = page.locator("main .commitment-list .commitment")
    expect(rows).to_have_count(min(total, 25))
    if total > 25:
        page.get_by_role("link", name="Next").click()
        expect(page).to_have_url(re.compile(r"[?&]page=2&after=[0-9]+$"))
        expect(rows).to_have_count(min(total - 25, 25))


def works_detail(page):
    commitment = richest_commitment()
    sources = page.get_by_role("region", name="Where it was promised").locator("li.source")
    expect(sources).to_have_count(commitment.citations.count())
    follow_ups = page.get_by_role("region", name="What happened since").locator(".timeline > li")
    expect(follow_ups).to_have_count(commitment.follow_ups.count())
    page.locator(".breadcrumb").get_by_role("link", name=commitment.platform.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(commitment.platform.name)


def works_platforms(page):
    expect(page.locator("main table.data tbody tr")).to_have_count(Platform.objects.count())
    page.get_by_label("Name").fill("insta")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("main table.data tbody th")).to_have_text(["Instagram"])


def works_compare(page):
    # The headings sort without JavaScript: the most pledges first, then the fewest.
    table = page.locator("main table.compare")
    expect(table.locator("tbody tr")).to_have_count(Platform.objects.count())
    table.get_by_role("link", name="Pledges", exact=True).click()
    expect(page).to_have_url(re.compile(r"/platforms/compare/\?sort=-pledges$"))
    expect(table.locator("thead th[aria-sort=descending]")).to_contain_text("Pledges")
    most = min(Platform.objects.all(), key=lambda p: (-pledges_of(p).count(), p.name.casefold()))
    expect(table.locator("tbody th").first).to_contain_text(most.name)


def pledges_of(platform):
    return published().filter(Q(platform=platform) | Q(platform__parent=platform))


def works_platform(page):
    pledges = published().filter(
        Q(platform__slug=PLATFORM_SLUG) | Q(platform__parent__slug=PLATFORM_SLUG)
    )
    heading = page.get_by_role("heading", name=f"Pledges by status ({pledges.count()})")
    expect(heading).to_be_visible()
    children = Platform.objects.filter(parent__slug=PLATFORM_SLUG).order_by("name")
    assert children, "the chosen platform has no child platforms"
    main = page.locator("main")
    for child in children:
        expect(main.get_by_role("link", name=child.name, exact=True).first).to_be_visible()
    badge = page.get_by_role("img", name=re.compile("pledges on the commitment tracker"))
    expect(badge).to_be_visible()


def works_initiatives(page):
    expect(page.locator("main table.data tbody tr")).to_have_count(Initiative.objects.count())


def works_initiative(page):
    pledges = published().filter(initiative__slug=INITIATIVE_SLUG)
    expect(page.locator("main table.data tbody tr")).to_have_count(pledges.count())


def works_matrix(page):
    expect(page.locator("main table.matrix tbody tr")).to_have_count(Platform.objects.count())
    expect(page.locator("main table.matrix thead th")).to_have_count(Initiative.objects.count() + 1)


def works_methodology(page):
    expect(page.locator("main .status-definition")).to_have_count(len(Status))
    page.get_by_role("navigation", name="On this page").get_by_role("link", name="Statuses").click()
    expect(page).to_have_url(re.compile(r"/methodology/#statuses$"))


def works_correction(page):
    # A visitor's correction reaches the staff queue, and nowhere else.
    page.get_by_label("What is wrong, or what is new").fill("The DM limit was lifted in 2025.")
    page.get_by_label("A public source that shows it").fill("https://www.example.org/dm-limit")
    page.get_by_role("button", name="Send to the tracker's staff").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your submission is with")
    sent = Submission.objects.get(what_is_wrong="The DM limit was lifted in 2025.")
    assert (sent.commitment, sent.state) == (richest_commitment(), Submission.State.NEW)


def works_data(page):
    # The release the site fixture made (conftest.py): its JSON and CSV, each also
    # compressed, and its manifest, each with its checksum, and a link that downloads it.
    expect(page.locator("main table.data tbody tr")).to_have_count(5)
    expect(page.locator("main code.checksum")).to_have_count(5)
    with page.expect_download() as download:
        page.get_by_role("link", name="commitments.csv", exact=True).click()
    assert download.value.suggested_filename.startswith("commitments-")


def works_source_text(page):
    # The two versions the site fixture kept: the newest shown, the older one a link away.
    expect(page.locator(".kept-text")).to_contain_text("The page as it is now.")
    page.locator("ol.versions a").click()
    expect(page.locator(".kept-text")).to_contain_text("The first version of the page.")


def works_404(page):
    page.get_by_role("link", name="searching all commitments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commitments")


WORKS = {
    "overview": works_overview,
    "list": works_list,
    "detail": works_detail,
    "platforms": works_platforms,
    "platform": works_platform,
    "compare": works_compare,
    "initiatives": works_initiatives,
    "initiative": works_initiative,
    "matrix": works_matrix,
    "methodology": works_methodology,
    "correction": works_correction,
    "data": works_data,
    "source-text": works_source_text,
    "404": works_404,
}


def test_every_page_type_works_without_javascript(page, subtests):
    assert set(WORKS) == set(PAGE_TYPES)
    page.set_content("<title>before</title><script>document.title = 'ran'</script>")
    assert page.title() == "before", "JavaScript is not switched off"
    for name in PAGE_TYPES:
        with subtests.test(page=name):
            open_page(page, name)
            expect(page.locator("noscript")).to_have_count(0)
            expect(page.get_by_role("heading", level=1)).to_have_text(expected_h1(name))
            expect(page.get_by_role("navigation", name="Main")).to_be_visible()
            WORKS[name](page)


def test_the_listing_filters_without_javascript(page):
    page.goto("/commitments/")
    everything = page.locator("main .count").inner_text()
    form = page.get_by_role("search", name="Filter commitments")
    form.get_by_label("Platform", exact=True).fill("TikTok")
    form.get_by_label("Status", exact=True).select_option("delivered")
    form.get_by_role("button", name="Show commitments").click()

    expect(page).to_have_url(re.compile(r"[?&]platform=TikTok&.*status=delivered(&|$)"))
    expected = list(
        published()
        .filter(Q(platform__slug="tiktok") | Q(platform__parent__slug="tiktok"), status="delivered")
        .order_by("-announced_on", "-id")
        .values_list("title", flat=True)
    )
    assert expected
    expect(page.locator("main .commitment-list .commitment h3")).to_have_text(expected)
    assert page.locator("main .count").inner_text() != everything

    # The date box is the browser's date picker, so a bad date comes only from an address:
    # a filter it cannot read is named, with a 400, and nothing is listed.
    assert page.get_by_label("Announced from").get_attribute("type") == "date"
    response = page.goto("/commitments/?announced_after=last-tuesday")
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("announced_after")
    expect(page.locator("main .commitment-list")).to_have_count(0)
