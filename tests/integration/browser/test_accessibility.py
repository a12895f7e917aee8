"""WCAG 2.1 AA: axe-core (the npm package, pinned in package-lock.json) finds no violation
on any page type, rendered by Chromium with the shipped dataset."""

import pytest

from tests.integration.browser.helpers import AXE_JS, PAGE_TYPES, add_axe, open_page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Every page type, and the listing answering 400 to a filter it cannot read.
PAGES = [*PAGE_TYPES, "list-invalid"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""

# axe only flags these as needing review: an ARIA reference to an id not on the page.
BROKEN_REFERENCES = """() => {
  const broken = [];
  for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls", "for"]) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) broken.push(`${el.tagName.toLowerCase()}[${attr}=${id}]`);
      }
    }
  }
  return broken;
}"""


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def assert_accessible(page, name: str) -> None:
    """axe-core finds no WCAG 2.1 AA violation on the page as it stands, and no ARIA or
    label reference points at an id that is not on it."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: `make test` installs axe-core with npm ci")
    add_axe(page)
    violations = page.evaluate(RUN_AXE, WCAG_21_AA)
    assert not violations, f"{name} ({page.url}):\n{describe(violations)}"
    broken = page.evaluate(BROKEN_REFERENCES)
    assert not broken, f"{name}: ARIA or label references to ids not on the page: {broken}"


@pytest.fixture(params=["laptop", "phone"])
def any_page(request):
    """A page at each width: the phone's layout differs (folded filters, the matrix's
    cards), so axe looks at both."""
    return request.getfixturevalue("page" if request.param == "laptop" else "narrow_page")


def test_axe_finds_no_wcag_21_aa_violation_on_any_page_type(any_page, subtests):
    page = any_page
    if not AXE_JS.exists():
        pytest.fail(
            f"{AXE_JS} is missing: `make test` installs axe-core with npm ci", pytrace=False
        )
    # The harness itself: on a page with known faults, axe must report them.
    page.set_content("<html><body><img src='data:,'><p style='color:#ccc'>faint</p></body></html>")
    page.add_script_tag(path=str(AXE_JS))
    found = {v["id"] for v in page.evaluate(RUN_AXE, WCAG_21_AA)}
    assert {"html-has-lang", "image-alt", "color-contrast"} <= found, found

    for name in PAGES:
        with subtests.test(page=name):
            open_page(page, name)
            assert_accessible(page, f"the {name} page")
