"""What the browser tests share: where things are, the pages of each type, and what each
should show. The fixtures are in conftest.py."""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.db.models import Count
from django.urls import reverse

from commitments.models import Commitment, Initiative, Platform, Source, SourceSnapshot

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DATASET = ROOT / "data" / "commitments.json"

# As root and on a closed network: no sandbox, no GPU, and none of Chromium's own calls
# home, which this network refuses (many at a time) and which would only slow it down.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A common laptop and a common phone.
DESKTOP = {"width": 1366, "height": 768}
NARROW = {"width": 390, "height": 844}
# Enough presses of Tab to cross the header and a page's links before its sources.
MAX_TABS = 200
# Generous for a loaded 2-core machine; expect() waits only as long as it must.
TIMEOUT_MS = 15_000

# Every kind of public page, by the name tests and artefacts use.
PAGE_TYPES = [
    "overview",
    "list",
    "detail",
    "platforms",
    "platform",
    "compare",
    "initiatives",
    "initiative",
    "matrix",
    "methodology",
    "correction",
    "data",
    "source-text",
    "404",
]
# The same meta-platform and initiative everywhere: Meta has child platforms
# (Instagram, Facebook, WhatsApp), and WeProtect has members and non-members.
PLATFORM_SLUG = "meta"
INITIATIVE_SLUG = "weprotect-global-alliance"


def new_context(browser, base_url: str, **options):
    """A fresh browser context on the site. Requests to any other host are refused at
    once, so that a page that reaches off-site fails fast instead of waiting on a closed
    network."""
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    origin = urlsplit(base_url).netloc
    context.route(lambda url: urlsplit(url).netloc != origin, lambda route: route.abort())
    return context


def richest_commitment() -> Commitment:
    """The published pledge with the most follow-ups and sources: the fullest detail page."""
    return (
        Commitment.objects.published()
        .annotate(
            n_follow_ups=Count("follow_ups", distinct=True),
            n_citations=Count("citations", distinct=True),
        )
        .order_by("-n_follow_ups", "-n_citations", "slug")
        .first()
    )


def kept_source() -> Source:
    """The richest pledge's first source that is not sensitive: the one whose text the
    `site` fixture keeps (conftest.py), so its line and its page show kept text."""
    return (
        Source.objects.filter(citations__commitment=richest_commitment(), sensitive=False)
        .order_by("citations__id")
        .first()
    )


def keep_text_of(source: Source) -> None:
    """Two versions of a page's text, as snapshot_sources would keep them (the tests
    reach no website)."""
    from django.utils import timezone

    first = timezone.now() - datetime.timedelta(days=40)
    for n, (seen, words) in enumerate(
        [(first, "The first version of the page."), (timezone.now(), "The page as it is now.")]
    ):
        text = f"{source.title}\n{words}\n" + "A paragraph of the page's readable text.\n" * 30
        SourceSnapshot.objects.create(
            source=source,
            text=text,
            sha256=f"{n:064x}",
            content_type="text/html",
            fetched_url=source.url,
            first_seen_at=seen,
            last_seen_at=seen,
        )


def page_path(name: str) -> str:
    """The path of one page of each type, from the imported data."""
    if name == "overview":
        return reverse("commitments:overview")
    if name == "list":
        return reverse("commitments:list")
    if name == "detail":
        return reverse("commitments:detail", args=[richest_commitment().slug])
    if name == "platforms":
        return reverse("commitments:platforms")
    if name == "platform":
        return reverse("commitments:platform", args=[PLATFORM_SLUG])
    if name == "compare":
        return reverse("commitments:compare")
    if name == "initiatives":
        return reverse("commitments:initiatives")
    if name == "initiative":
        return reverse("commitments:initiative", args=[INITIATIVE_SLUG])
    if name == "matrix":
        return reverse("commitments:matrix")
    if name == "methodology":
        return reverse("commitments:methodology")
    if name == "correction":
        return reverse("commitments:commitment_correction", args=[richest_commitment().slug])
    if name == "data":
        return reverse("commitments:data")
    if name == "source-text":
        return reverse("commitments:source_text", args=[kept_source().pk])
    if name == "404":
        return "/no-such-page/"
    if name == "list-invalid":
        # A filter that cannot be read: the listing answers 400 and says why.
        return reverse("commitments:list") + "?announced_after=last-tuesday"
    raise ValueError(name)


def expected_h1(name: str) -> str:
    return {
        "overview": "Child-safety commitments by online platforms",
        "list": "Commitments",
        "list-invalid": "Commitments",
        "detail": richest_commitment().title,
        "platforms": "Platforms",
        "platform": Platform.objects.get(slug=PLATFORM_SLUG).name,
        "compare": "Platforms compared",
        "initiatives": "Initiatives",
        "initiative": Initiative.objects.get(slug=INITIATIVE_SLUG).name,
        "matrix": "Who joined what",
        "methodology": "Methodology",
        "correction": "Suggest a correction or new evidence",
        "data": "Data releases",
        "source-text": "Kept text of a source",
        "404": "Page not found",
    }[name]


def expected_status(name: str) -> int:
    return {"404": 404, "list-invalid": 400}.get(name, 200)


def open_page(page, name: str):
    """Go to a page of the given type and check that it answered as it should."""
    response = page.goto(page_path(name))
    assert response is not None
    assert response.status == expected_status(name), f"{name}: HTTP {response.status}"
    return response


def save_screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def add_axe(page) -> None:
    """axe-core into the page open now. The site's Content-Security-Policy refuses an
    inline script, so axe comes from an address of the site itself, which the browser is
    answered from the file without the site seeing the request."""
    parts = urlsplit(page.url)
    url = f"{parts.scheme}://{parts.netloc}/__axe-core__.js"
    page.route(url, lambda route: route.fulfill(path=AXE_JS))
    page.add_script_tag(url=url)
