"""Usable on a 360 px phone, readable on a desktop, clean on paper. Screenshots of every
page type at both widths, and PDFs of the printed pages, are saved in test-artifacts/."""

import pytest
from playwright.sync_api import expect

from tests.integration.browser.helpers import (
    ARTIFACTS,
    DESKTOP,
    NARROW,
    PAGE_TYPES,
    expected_h1,
    new_context,
    open_page,
    save_screenshot,
)

# What overflows the page's width: elements reaching past the right edge, outside any
# scrolling .table-wrap (tables may scroll sideways inside it), or positioned ones inside
# it, which escape its scrolling unless it is their containing block.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const positioned = ["absolute", "fixed"].includes(getComputedStyle(el).position);
    if (el.closest(".table-wrap") && !el.matches(".table-wrap") && !positioned) continue;
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) {
      const id = el.id ? "#" + el.id : "";
      const cls = el.classList.length ? "." + [...el.classList].join(".") : "";
      found.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge ${Math.round(box.right)})`);
    }
  }
  return found.slice(0, 10);
}"""


@pytest.fixture
def narrow_page(browser, site):
    context = new_context(
        browser, site, viewport=NARROW, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def test_every_page_type_fits_360_px(narrow_page, subtests):
    page = narrow_page
    for name in PAGE_TYPES:
        with subtests.test(page=name):
            open_page(page, name)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            save_screenshot(page, f"{name}-360")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= NARROW["width"], (
                f"{name}: the page scrolls sideways at 360 px (scrollWidth {scroll_width}); "
                f"too wide: {page.evaluate(OVERFLOWING)}"
            )
            # Tables that are wider than the screen scroll inside their wrapper instead.
            for wrap in page.locator(".table-wrap").all():
                assert wrap.evaluate("el => el.getBoundingClientRect().right") <= 360.5


def test_desktop_screenshots_of_every_page_type(page, subtests):
    assert page.viewport_size == DESKTOP
    for name in PAGE_TYPES:
        with subtests.test(page=name):
            open_page(page, name)
            expect(page.get_by_role("heading", level=1)).to_have_text(expected_h1(name))
            assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
            save_screenshot(page, f"{name}-1280")


PRINTED = ["overview", "list", "detail", "platform", "compare", "initiative", "matrix"]
# The printable width of A4 portrait at Chromium's default 1 cm margins, in CSS pixels.
A4_PRINTABLE = {"width": 718, "height": 1046}


def test_pages_print_without_navigation_or_filters(page, subtests):
    out = ARTIFACTS / "print"
    out.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media="print")
    page.set_viewport_size(A4_PRINTABLE)
    for name in PRINTED:
        with subtests.test(page=name):
            open_page(page, name)
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= A4_PRINTABLE["width"], (
                f"{name}: {scroll_width} px wide in print, more than A4's "
                f"{A4_PRINTABLE['width']}: the right of it would be cut off on paper"
            )
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
            expect(page.locator(".site-footer")).to_be_hidden()
            expect(page.locator("form.filters")).to_have_count(1 if name == "list" else 0)
            expect(page.locator("form.filters")).to_be_hidden()
            if name == "detail":
                # On paper a source's address is printed after its title.
                link = page.locator(".sources a").first
                after = link.evaluate("el => getComputedStyle(el, '::after').content")
                assert link.get_attribute("href") in after
            pdf = page.pdf(path=str(out / f"{name}.pdf"), format="A4", print_background=True)
            assert pdf.startswith(b"%PDF-") and len(pdf) > 5_000
