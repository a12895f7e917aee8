"""Usable on a 390 px phone, readable on a 1366 px laptop, clean on paper. Screenshots of
every page type at both widths, and PDFs of the printed pages, are saved in
test-artifacts/."""

from playwright.sync_api import expect

from tests.integration.browser.helpers import (
    ARTIFACTS,
    DESKTOP,
    NARROW,
    PAGE_TYPES,
    expected_h1,
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


def test_every_page_type_fits_a_phone(narrow_page, subtests):
    page, width = narrow_page, NARROW["width"]
    for name in PAGE_TYPES:
        with subtests.test(page=name):
            open_page(page, name)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            save_screenshot(page, f"{name}-{width}")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, (
                f"{name}: the page scrolls sideways at {width} px (scrollWidth {scroll_width}); "
                f"too wide: {page.evaluate(OVERFLOWING)}"
            )
            # Tables that are wider than the screen scroll inside their wrapper instead.
            for wrap in page.locator(".table-wrap:visible").all():
                assert wrap.evaluate("el => el.getBoundingClientRect().right") <= width + 0.5


def test_every_page_type_fits_a_laptop(page, subtests):
    assert page.viewport_size == DESKTOP
    width = DESKTOP["width"]
    for name in PAGE_TYPES:
        with subtests.test(page=name):
            open_page(page, name)
            expect(page.get_by_role("heading", level=1)).to_have_text(expected_h1(name))
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, (
                f"{name}: the page scrolls sideways at {width} px (scrollWidth {scroll_width}); "
                f"too wide: {page.evaluate(OVERFLOWING)}"
            )
            save_screenshot(page, f"{name}-{width}")


# The size, in CSS pixels, of the chart's smallest text: the year labels and the ticks.
CHART_TEXT_SIZES = """() => [...document.querySelectorAll(".bar-chart text")]
  .map(el => parseFloat(getComputedStyle(el).fontSize) * el.getScreenCTM().a)"""


def test_the_chart_reads_on_a_phone_and_on_a_laptop(page, narrow_page):
    for each in (page, narrow_page):
        open_page(each, "overview")
        chart = each.locator(".bar-chart")
        sizes = chart.evaluate(f"el => ({CHART_TEXT_SIZES})()")
        assert sizes and min(sizes) >= 13, f"chart text as small as {min(sizes):.1f} px"
        # Every year drawn, and its bars and totals inside the screen.
        texts = chart.evaluate("el => [...el.querySelectorAll('text')].map(t => t.textContent)")
        years = [int(t) for t in texts if t.isdigit() and len(t) == 4]
        assert years == list(range(years[0], years[-1] + 1))
        right = each.evaluate(
            """() => Math.max(...[...document.querySelectorAll(".bar-chart rect, .bar-chart text")]
              .map(el => el.getBoundingClientRect().right))"""
        )
        assert right <= each.viewport_size["width"] - 8


def test_the_matrix_holds_its_first_column_and_header_in_view(page, narrow_page):
    open_page(page, "matrix")
    wrap = page.locator(".matrix-wrap")
    first_header = page.locator("table.matrix thead th").nth(1)
    wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; el.scrollTop = el.scrollHeight; }")
    assert wrap.evaluate("el => el.scrollLeft") > 500, "the matrix did not scroll sideways"
    box = wrap.bounding_box()
    # Scrolled to the far right and the bottom: the first column and the header stay put,
    # while the cells beside them have moved out of the box.
    last_platform = page.locator("table.matrix tbody th[scope=row]").last
    assert abs(last_platform.bounding_box()["x"] - box["x"]) <= 2
    assert abs(first_header.bounding_box()["y"] - box["y"]) <= 2
    first_cell = page.locator("table.matrix tbody tr").last.locator("td").first
    assert first_cell.bounding_box()["x"] < box["x"]
    expect(page.locator(".matrix-cards")).to_be_hidden()
    save_screenshot(page, "matrix-scrolled-1366")

    # On a phone: a card per platform instead of the table.
    open_page(narrow_page, "matrix")
    expect(narrow_page.locator(".matrix-wrap")).to_be_hidden()
    cards = narrow_page.locator(".matrix-card")
    expect(cards.first).to_be_visible()
    assert cards.count() == narrow_page.evaluate(
        "document.querySelectorAll('table.matrix tbody tr').length"
    )


def test_the_list_filters_fold_on_a_phone_and_stay_open_on_a_laptop(page, narrow_page):
    search = narrow_page.get_by_label("Search")
    open_page(narrow_page, "list")
    expect(search).to_be_hidden()
    # The first result is on the first screen.
    first_row = narrow_page.locator(".commitment").first
    assert first_row.bounding_box()["y"] < NARROW["height"]
    narrow_page.get_by_text("Filters and sorting").click()
    expect(search).to_be_visible()

    open_page(page, "list")
    expect(page.get_by_label("Search")).to_be_visible()
    expect(page.locator(".filter-fold > summary")).to_be_hidden()


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
