"""The admin in a real browser: every change list, a commitment's page and the other
change pages fit a 1,366 px laptop and a 390 px phone without the page scrolling sideways
(at 1,366 px every column of a change list is in view, none scrolled off in its box), and
pass axe-core's WCAG 2.1 AA checks; and an Editor records a pledge with a new source and
a quote, and a follow-up with its own new source, on one page, in a counted number of
steps. Screenshots of each page type at both widths go to test-artifacts/screenshots/."""

import datetime
import importlib
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.test import Client
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from playwright.sync_api import expect

from commitments.dates import DatePrecision
from commitments.models import Commitment, Flag, FollowUp, Platform, Source, Status, Submission
from tests.integration.browser.helpers import DESKTOP, NARROW, new_context, save_screenshot
from tests.integration.browser.test_accessibility import assert_accessible
from tests.staff_login import log_in

LAPTOP, PHONE = DESKTOP, NARROW
EDITOR_PERMISSIONS = importlib.import_module(
    "commitments.migrations.0002_staff_groups"
).EDITOR_PERMISSIONS

# Every change list staff use, by the name its screenshot takes.
CHANGE_LISTS = {
    "commitments": "commitments/commitment",
    "follow-ups": "commitments/followup",
    "sources": "commitments/source",
    "flags": "commitments/flag",
    "platforms": "commitments/platform",
    "initiatives": "commitments/initiative",
    "submissions": "commitments/submission",
    "people": "commitments/person",
    "follow-up-rules": "commitments/followuprule",
    "job-runs": "commitments/jobrun",
    "periodic-tasks": "django_celery_beat/periodictask",
    "reminders": "reminders/reminder",
}

# How many steps (each fill, select and click) recording the pledge of the one-page test
# takes, measured: the issue counted 21 for the pledge with its source and quote, and 14
# more for a follow-up with its source, over two pages. A change to the page that adds or
# saves a step changes this figure, on purpose.
ONE_PAGE_STEPS = 21

PAGE_FITS = """() => document.documentElement.scrollWidth <= window.innerWidth"""
# A change list's table within its box: every column in view, none scrolled off.
COLUMNS_FIT = """() => {
  const box = document.querySelector("#changelist .results");
  return box ? box.scrollWidth <= box.clientWidth : true;
}"""
# Elements reaching past the right edge of the screen, to say what overflows.
TOO_WIDE = """() => [...document.body.querySelectorAll("*")]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
                && !el.closest("#changelist .results, .inline-group .tabular"))
  .slice(0, 8).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                   + (el.className && el.className.baseVal === undefined
                      ? "." + el.className.split(" ").join(".") : ""))"""


def signed_in(context, site: str, user: User) -> None:
    """The browser takes the session of a test client signed in with both factors (the
    login pages themselves are tested in test_staff_login.py)."""
    client = Client()
    log_in(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site}])


@pytest.fixture
def superuser(site):
    return User.objects.create_superuser("admin", "admin@example.org", "pw")


@pytest.fixture
def records(site):
    """What the pages list beyond the shipped dataset: flags, a submission, a job."""
    call_command("flag_commitments", stdout=StringIO())
    pledge = Commitment.objects.published().first()
    Submission.objects.create(
        commitment=pledge, what_is_wrong="The date is a month late.", client_key="test"
    )
    crontab = CrontabSchedule.objects.create(minute="0", hour="8", day_of_week="1")
    PeriodicTask.objects.create(name="Weekly digest", task="send_reminders", crontab=crontab)
    # After the first browser test the rules of migration 0006 are emptied too, and the
    # job flags nothing: then a flag is opened here.
    flag = Flag.objects.open().first() or Flag.objects.create(
        commitment=pledge, reason=Flag.Reason.OVERDUE
    )
    return {"pledge": pledge, "flag": flag}


def admin_pages(records) -> dict[str, str]:
    pledge, flag = records["pledge"], records["flag"]
    return {
        "admin-index": "/admin/",
        **{f"admin-{name}": f"/admin/{path}/" for name, path in CHANGE_LISTS.items()},
        "admin-commitment": f"/admin/commitments/commitment/{pledge.pk}/change/",
        "admin-commitment-add": "/admin/commitments/commitment/add/",
        "admin-follow-up": f"/admin/commitments/followup/{pledge.follow_ups.first().pk}/change/"
        if pledge.follow_ups.exists()
        else f"/admin/commitments/followup/{FollowUp.objects.first().pk}/change/",
        "admin-source": f"/admin/commitments/source/{pledge.citations.first().source_id}/change/",
        "admin-flag": f"/admin/commitments/flag/{flag.pk}/change/",
    }


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_every_admin_page_fits_the_screen(browser, site, superuser, records, viewport, subtests):
    context = new_context(browser, site, viewport=viewport)
    signed_in(context, site, superuser)
    page = context.new_page()
    # What the policy blocked on each page, axe-core's own doings left out (on pages
    # with select2 boxes axe applies a style while it checks, which the policy refuses).
    blocked, on = [], {"axe": False}
    page.on(
        "console",
        lambda m: (
            blocked.append((on["page"], m.text[:90]))
            if "Content Security Policy" in m.text and not on["axe"]
            else None
        ),
    )
    laptop = viewport == LAPTOP
    for name, path in admin_pages(records).items():
        on["page"] = name
        with subtests.test(page=name):
            response = page.goto(path)
            assert response.status == 200, f"{name}: HTTP {response.status}"
            save_screenshot(page, f"{name}-{viewport['width']}")
            assert page.evaluate(PAGE_FITS), (
                f"{name} scrolls sideways at {viewport['width']} px: {page.evaluate(TOO_WIDE)}"
            )
            if laptop:
                assert page.evaluate(COLUMNS_FIT), f"{name}: columns scrolled out of view"
                on["axe"] = True
                assert_accessible(page, name)
                page.wait_for_timeout(100)  # its console messages, before the next page
                on["axe"] = False
    context.close()
    assert not blocked, f"The Content-Security-Policy blocked: {blocked}"


class Steps:
    """Each fill, select and click counts one step, as a person would count them."""

    def __init__(self):
        self.count = 0

    def click(self, locator) -> None:
        locator.click()
        self.count += 1

    def fill(self, locator, text: str) -> None:
        locator.fill(text)
        self.count += 1

    def select(self, locator, value: str) -> None:
        locator.select_option(value)
        self.count += 1

    def pick(self, page, widget: str, text: str) -> None:
        """An autocomplete box (select2): open it, type, choose: three steps."""
        self.click(page.locator(f"{widget} + .select2"))
        self.fill(page.locator(".select2-container--open .select2-search__field"), text)
        self.click(page.locator(".select2-results__option", has_text=text).first)


@pytest.fixture
def editor(site):
    user = User.objects.create_user("editor", "editor@example.org", "pw", is_staff=True)
    # The groups come from data migrations, which an emptied database (after the first
    # browser test) lacks.
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="commitments", codename__in=EDITOR_PERMISSIONS
        )
    )
    user.groups.add(group)
    return user


def test_an_editor_records_a_pledge_and_its_evidence_on_one_page(page, site, editor):
    signed_in(page.context, site, editor)
    steps = Steps()
    page.goto("/admin/")

    steps.click(page.locator("#commitments-commitment ~ td a.addlink"))
    steps.pick(page, "#id_platform", "Roblox")
    steps.select(page.locator("#id_kind"), Commitment.Kind.AGE_RESTRICTION)
    steps.fill(page.locator("#id_title"), "Roblox limits chat for under-13s")
    steps.fill(page.locator("#id_summary"), "Chat outside games is off for under-13s.")
    steps.fill(page.locator("#id_announced_on"), "2024-11")
    # Where it was promised: a new source, typed into the row, with the quote.
    steps.fill(page.locator("#id_citations-0-new_source_url"), "https://example.org/roblox-chat")
    steps.fill(page.locator("#id_citations-0-new_source_title"), "Roblox's new chat limits")
    steps.fill(page.locator("#id_citations-0-new_source_published_on"), "2024-11-18")
    steps.fill(page.locator("#id_citations-0-quote"), "Under-13s can no longer message")
    # The follow-up, and inside it the source that proves it.
    steps.click(page.locator("a.djn-add-handler.djn-model-commitments-followup"))
    steps.fill(page.locator("#id_follow_ups-0-happened_on"), "2025-03")
    steps.select(page.locator("#id_follow_ups-0-kind"), FollowUp.Kind.PROGRESS_REPORT)
    steps.fill(page.locator("#id_follow_ups-0-summary"), "Roblox reports the limits are live.")
    steps.select(page.locator("#id_follow_ups-0-status_after"), Status.DELIVERED)
    steps.click(page.locator("#follow_ups-0 a.djn-add-handler.djn-model-commitments-citation"))
    steps.fill(
        page.locator("#id_follow_ups-0-citations-0-new_source_url"),
        "https://example.org/roblox-report",
    )
    steps.fill(page.locator("#id_follow_ups-0-citations-0-new_source_title"), "Safety report")
    save_screenshot(page, "admin-one-page-filled-1366")
    steps.click(page.locator("input[name=_save]"))

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    pledge = Commitment.objects.get(title="Roblox limits chat for under-13s")
    assert pledge.platform == Platform.objects.get(name="Roblox")
    assert (pledge.announced_on, pledge.announced_precision) == (
        datetime.date(2024, 11, 1),
        DatePrecision.MONTH,
    )
    assert not pledge.published  # an Editor drafts; a Reviewer publishes
    citation = pledge.citations.get()
    assert citation.quote == "Under-13s can no longer message"
    assert (citation.source.title, citation.source.published_on) == (
        "Roblox's new chat limits",
        datetime.date(2024, 11, 18),
    )
    follow_up = pledge.follow_ups.get()
    assert (follow_up.kind, follow_up.status_after, follow_up.is_draft) == (
        FollowUp.Kind.PROGRESS_REPORT,
        Status.DELIVERED,
        True,
    )
    assert follow_up.happened_precision == DatePrecision.MONTH
    assert follow_up.citations.get().source == Source.objects.get(
        url="https://example.org/roblox-report"
    )
    # The Editor's rating is a draft: the pledge's status waits for a Reviewer.
    assert pledge.status == Status.ANNOUNCED
    assert steps.count == ONE_PAGE_STEPS, f"{steps.count} steps, not {ONE_PAGE_STEPS}"
