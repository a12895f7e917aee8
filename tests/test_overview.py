"""The front page: headline figures over published pledges only, the pledges longest
without follow-up, what changed recently, and the chart with its table."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.public.overview import LIST_LENGTH
from tests.factories import add_follow_up, make_commitment, make_platform
from tests.page_helpers import page_text, sections

OVERVIEW_URL = reverse("commitments:overview")

OLDEST_ON = datetime.date(2019, 4, 1)
OLDER_ON = datetime.date(2020, 9, 1)
NEWER_ON = datetime.date(2021, 2, 1)
DRAFT_ON = datetime.date(2018, 1, 1)
FOLLOWED_UP_ON = datetime.date(2022, 3, 3)

OLDEST = "Oldest pledge without follow-up"
OLDER = "Older pledge without follow-up"
FOLLOWED = "Pledge followed up"
DRAFT = "Draft pledge followed up"
DRAFT_EVIDENCE = "Draft evidence summary"
PUBLISHED_EVIDENCE = "Published evidence summary"


@pytest.fixture
def three_published(db):
    """3 published pledges on 2 platforms, 1 followed up; a draft on a third, followed up."""
    roblox, snap = make_platform("Roblox"), make_platform("Snap")
    make_commitment(roblox, OLDER, announced_on=OLDER_ON)
    make_commitment(snap, OLDEST, announced_on=OLDEST_ON)
    followed = make_commitment(roblox, FOLLOWED, announced_on=NEWER_ON)
    add_follow_up(
        followed,
        happened_on=FOLLOWED_UP_ON,
        status_after="delivered",
        summary=PUBLISHED_EVIDENCE,
    )
    draft = make_commitment(
        make_platform("Draftland"), DRAFT, published=False, announced_on=DRAFT_ON
    )
    add_follow_up(draft, summary=DRAFT_EVIDENCE)


def figures(response) -> dict[str, str]:
    """{what: figure} from the headline list."""
    found = re.findall(
        r'<li><span class="figure">(?:<a [^>]*>)?([^<]*)(?:</a>)?</span>\s*([^<]*)</li>',
        response.content.decode(),
    )
    return {what.strip(): figure for figure, what in found}


def test_the_headline_figures_count_published_pledges_only(client, three_published):
    assert figures(client.get(OVERVIEW_URL)) == {
        "platforms tracked": "3",
        "pledges": "3",
        "rated on evidence": "1",
        "verified": "0",
        "fall short": "0",
        "not yet rated": "2",
        # None has been reviewed or followed up since 2022: all three are past due.
        "reviews overdue (the tracker's, not the platforms')": "3",
        "have follow-up evidence": "33%",
        "lack it": "2",
    }


def test_the_number_lacking_follow_up_links_to_those_pledges(client, three_published):
    body = client.get(OVERVIEW_URL).content.decode()
    assert '<a href="/commitments/?follow_up=lacks">2</a>' in body


def test_it_lists_the_pledges_longest_without_follow_up_oldest_first(client, three_published):
    quiet = sections(client.get(OVERVIEW_URL))["Longest without follow-up"]
    titles = re.findall(r'<li><a href="/commitments/[^"]+/">(.*?)</a>', quiet)
    assert titles == [OLDEST, OLDER]
    assert 'href="/commitments/?follow_up=lacks&amp;sort=announced"' in quiet


def test_the_quiet_list_is_short(client, db):
    platform = make_platform("Busy")
    for n in range(LIST_LENGTH + 2):
        make_commitment(platform, f"Quiet {n}", announced_on=OLDEST_ON + datetime.timedelta(n))
    quiet = sections(client.get(OVERVIEW_URL))["Longest without follow-up"]
    titles = re.findall(r'<li><a href="/commitments/[^"]+/">(.*?)</a>', quiet)
    assert titles == [f"Quiet {n}" for n in range(LIST_LENGTH)]


def test_recent_changes_show_published_evidence_only(client, three_published):
    response = client.get(OVERVIEW_URL)
    recent = sections(response)["New evidence"]
    assert FOLLOWED in recent
    assert "Progress report, 3 March 2022: now delivered" in recent
    assert DRAFT not in page_text(response)
    assert DRAFT_EVIDENCE not in page_text(response)


def test_recently_updated_pledges_are_listed_newest_change_first(client, three_published):
    updated = sections(client.get(OVERVIEW_URL))["Updated pledges"]
    titles = re.findall(r'<li><a href="/commitments/[^"]+/">(.*?)</a>', updated)
    # The follow-up saved the followed-up pledge last.
    assert titles == [FOLLOWED, OLDEST, OLDER]


def test_every_pledge_followed_up_leaves_nothing_quiet(client, db):
    make_commitment(make_platform("Diligent"), FOLLOWED, follow_up=True)
    text = page_text(client.get(OVERVIEW_URL))
    assert "Every published pledge has follow-up evidence." in text
    assert '<span class="figure">100%</span>' in text


def test_the_chart_is_drawn_with_its_table_beside_it(client, three_published):
    chart = sections(client.get(OVERVIEW_URL))["Pledges by year announced and current status"]
    # One bar per year and status present: 2019, 2020, 2021 (delivered); no draft's 2018.
    bars = re.findall(r'<rect class="fill-(\w+)" x="[\d.]+%"[^>]*><title>(.*?)</title>', chart)
    assert bars == [
        ("announced", "2019: 1 announced, not yet rated"),
        ("announced", "2020: 1 announced, not yet rated"),
        ("delivered", "2021: 1 delivered, per the platform"),
    ]
    years = re.findall(r"<text [^>]*>(\d{4})</text>", chart)
    assert years == ["2019", "2020", "2021"]
    # Each year's total is written at the end of its bar, on an axis from 0 to 1.
    assert re.findall(r'<text class="value"[^>]*>(\d+)</text>', chart) == ["1", "1", "1"]
    assert re.findall(r'<text x="[\d.]+%" y="\d+" text-anchor="middle">(\d+)</text>', chart) == [
        "0",
        "1",
    ]
    # The legend names only the statuses drawn.
    legend = re.search(r'<ul class="legend">(.*?)</ul>', chart, re.S).group(1)
    assert re.findall(r"</svg>([^<]+)</li>", legend) == [
        "Announced, not yet rated",
        "Delivered, per the platform",
    ]
    rows = re.findall(r'<tr><th scope="row">(\d{4})</th>(.*?)</tr>', chart)
    assert [year for year, _ in rows] == ["2019", "2020", "2021"]
    for _, cells in rows:
        assert re.findall(r"<td>(\d+)</td>", cells)[-1] == "1"  # the total


def test_with_nothing_published_it_says_what_to_do(client, db):
    make_commitment(make_platform("Hidden"), DRAFT, published=False)
    response = client.get(OVERVIEW_URL)
    assert response.status_code == 200
    text = page_text(response)
    assert "No commitment has been published yet." in text
    assert 'href="/admin/"' in text
    assert "<svg" not in text


# Counting that costs more than the page is kept a while, and says so ----------------------


def test_quick_counting_is_done_afresh_and_says_nothing(client, three_published):
    assert figures(client.get(OVERVIEW_URL))["pledges"] == "3"
    make_commitment(make_platform("Twitch"), "A fourth pledge")

    response = client.get(OVERVIEW_URL)

    assert figures(response)["pledges"] == "4"
    assert "Counted at" not in page_text(response)


def test_slow_counting_is_kept_for_a_while_and_the_page_says_when_it_was_counted(
    client, three_published, monkeypatch
):
    from django.core.cache import cache

    from commitments.public import kept

    # As at a million pledges, where counting took longer than a page should.
    monkeypatch.setattr(kept, "SLOW", -1)
    counted_at = timezone.localtime()
    first = client.get(OVERVIEW_URL)
    make_commitment(make_platform("Twitch"), "A fourth pledge")

    again = client.get(OVERVIEW_URL)

    assert figures(again) == figures(first) and figures(again)["pledges"] == "3"
    text = page_text(again)
    when = re.search(r"Counted at (\d\d:\d\d) \((\w+)\), and counted again every 5 minutes", text)
    assert when, text
    assert abs(
        datetime.datetime.strptime(when[1], "%H:%M").replace(
            year=counted_at.year, month=counted_at.month, day=counted_at.day
        )
        - counted_at.replace(tzinfo=None, second=0, microsecond=0)
    ) <= datetime.timedelta(minutes=1)
    # Once its time is up (the cache forgets it), counted again.
    assert kept.KEPT_FOR == 300
    cache.clear()
    assert figures(client.get(OVERVIEW_URL))["pledges"] == "4"


def test_the_chart_adds_up_each_years_days(db):
    from commitments.public.selectors import public_commitments
    from commitments.public.statistics import count_by_year_and_status

    platform = make_platform("Roblox")
    for n, day in enumerate(["2021-02-01", "2021-09-30", "2021-09-30", "2023-01-01"]):
        make_commitment(platform, f"Pledge {n}", announced_on=datetime.date.fromisoformat(day))
    assert count_by_year_and_status(public_commitments()) == [
        {"year": 2021, "status": "announced", "count": 3},
        {"year": 2023, "status": "announced", "count": 1},
    ]
