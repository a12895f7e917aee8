"""Platform scorecards: the figures (published pledges and public evidence only, a
parent's including its children's), the scorecard on a platform's page, the comparison
and its sorting, the downloads, the reserved slug and the queries they take."""

import csv
import datetime
import html
import io
import json
import re

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from commitments.curation.evidence import follow_up_record
from commitments.dates import DatePrecision
from commitments.models import Commitment, FollowUp, Platform, ReplyRequest
from commitments.public.scorecards import COLUMNS
from commitments.public.selectors import public_commitments
from commitments.public.statistics import platform_scorecards
from tests.clock import NOW, TODAY
from tests.factories import (
    add_follow_up,
    make_commitment,
    make_commitments,
    make_platform,
    queries_for,
)
from tests.page_helpers import page_text, sections, shown_text

ROW_NAME = re.compile(r'<th scope="row"><a href="[^"]*">(.*?)</a>')
MAY_2019 = datetime.date(2019, 5, 1)
JULY_2021 = datetime.date(2021, 7, 27)
VERIFIED_ON = datetime.date(2023, 3, 1)
FELL_SHORT_ON = datetime.date(2024, 2, 14)
DRAFT_RATED_ON = datetime.date(2025, 6, 1)
ASKED_ON = datetime.date(2026, 10, 1)
ANSWERED_ASKED_ON = datetime.date(2026, 1, 5)
DRAFT_TITLE = "Draft Meta pledge that must not count"


def independent_test(commitment, status, on):
    return add_follow_up(
        commitment, happened_on=on, status_after=status, kind=FollowUp.Kind.INDEPENDENT_TEST
    )


@pytest.fixture
def meta(db):
    """Meta and its child Instagram, with pledges of every kind the figures tell apart,
    a draft pledge and a draft rating that must not count, and a platform with none."""
    meta = make_platform("Meta")
    instagram = make_platform("Instagram", parent=meta)
    make_platform("Quiet Platform")
    make_commitment(
        meta, "Meta's oldest unrated", announced_on=MAY_2019, announced_precision="month"
    )
    independent_test(make_commitment(meta, "Meta verified"), "verified", VERIFIED_ON)
    independent_test(make_commitment(instagram, "IG falls short"), "falls_short", FELL_SHORT_ON)
    waiting = make_commitment(instagram, "IG waiting", announced_on=JULY_2021)
    # A rating drafted and not approved: it neither rates nor counts as evidence.
    follow_up_record(
        follow_up=FollowUp(
            commitment=waiting,
            happened_on=DRAFT_RATED_ON,
            kind=FollowUp.Kind.STATEMENT,
            summary="Drafted, not approved.",
            status_after="delivered",
        )
    )
    ReplyRequest.objects.create(commitment=waiting, asked_on=ASKED_ON, how="by email")
    answered = make_commitment(instagram, "IG answered", announced_on=JULY_2021)
    answer = add_follow_up(answered, happened_on=datetime.date(2026, 2, 1), kind="reply")
    ReplyRequest.objects.create(
        commitment=answered, asked_on=ANSWERED_ASKED_ON, how="by email", answer=answer
    )
    draft = make_commitment(
        meta, DRAFT_TITLE, published=False, announced_on=datetime.date(2010, 1, 1)
    )
    independent_test(draft, "verified", datetime.date(2026, 3, 1))
    ReplyRequest.objects.create(commitment=draft, asked_on=datetime.date(2020, 1, 1), how="x")
    return meta


def cards_by_slug():
    platforms = list(Platform.objects.select_related("parent").order_by("name"))
    cards = platform_scorecards(platforms, public_commitments(), today=TODAY)
    return {card.platform.slug: card for card in cards}


def test_a_parents_figures_include_its_childrens_and_no_drafts(meta):
    card = cards_by_slug()["meta"]
    assert card.pledges == 5
    assert (card.verified, card.falls_short, card.not_yet_rated, card.rated) == (1, 1, 3, 2)
    # Verified, falls short and the answered pledge have evidence; the draft rating is none.
    assert (card.with_evidence, card.evidence_share) == (3, 60)
    assert card.oldest_unrated == (MAY_2019, DatePrecision.MONTH)
    assert card.oldest_unrated_display == "May 2019"
    assert card.last_evidence_on == datetime.date(2026, 2, 1)
    assert (card.open_requests, card.oldest_request_on) == (1, ASKED_ON)


def test_a_childs_figures_hold_only_its_own(meta):
    card = cards_by_slug()["instagram"]
    assert (card.pledges, card.verified, card.falls_short, card.not_yet_rated) == (3, 0, 1, 2)
    assert card.oldest_unrated == (JULY_2021, DatePrecision.DAY)
    assert card.open_requests == 1


def test_the_timeline_holds_every_year_in_its_range_and_no_draft(meta):
    timeline = cards_by_slug()["meta"].timeline
    assert [row["year"] for row in timeline] == list(range(2019, 2027))
    by_year = {row["year"]: (row["pledges"], row["follow_ups"]) for row in timeline}
    # Three pledges of 2021 (the factory's default date and July), none in 2022; the
    # draft rating of 2025 is not evidence, the draft pledge of 2010 not a pledge.
    assert by_year == {
        2019: (1, 0),
        2020: (0, 0),
        2021: (4, 0),
        2022: (0, 0),
        2023: (0, 1),
        2024: (0, 1),
        2025: (0, 0),
        2026: (0, 1),
    }


def test_a_platform_without_pledges_has_empty_figures(meta):
    card = cards_by_slug()["quiet-platform"]
    assert (card.pledges, card.evidence_share, card.last_evidence, card.timeline) == (
        0,
        None,
        None,
        [],
    )


def platform_page(client, slug):
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("commitments:platform", args=[slug]))
    assert response.status_code == 200
    return response


def test_a_platform_page_opens_with_its_scorecard(client, meta):
    found = sections(platform_page(client, "meta"))
    glance = shown_text(found["At a glance"])
    assert "The figures include the pledges of the platforms it includes." in glance
    assert "5 published pledges" in glance
    assert "1 verified" in glance and "1 falls short" in glance
    assert "3 not yet rated (not a verdict)" in glance
    assert "60% with follow-up evidence" in glance
    assert "1 open request for its reply" in glance
    assert "Last evidence 1 February 2026, 9 months, 3 weeks ago" in glance
    assert (
        "Oldest not yet rated Meta's oldest unrated, announced May 2019: waiting 7 years, "
        "6 months for the tracker to rate it. The wait is the tracker's, not a verdict on Meta."
    ) in glance
    assert "the oldest was asked on 1 October 2026, 1 month, 3 weeks ago" in glance
    statuses = shown_text(found["Pledges by rated status"])
    assert "Announced, not yet rated 3" in statuses and "Withdrawn 0" in statuses
    assert 'class="status status-verified"' in found["Pledges by rated status"]
    assert DRAFT_TITLE not in page_text(platform_page(client, "meta"))


def test_a_platform_pages_years_table_draws_bars_by_class(client, meta):
    years = sections(platform_page(client, "meta"))["Pledges and evidence by year"]
    assert "2019 to 2026" in years
    # 2021 is the busiest year (4 pledges): the full bar; 2019's one pledge a quarter.
    assert '<span class="bar bar-pledges bar-20"></span> 4' in years
    assert '<span class="bar bar-pledges bar-5"></span> 1' in years
    assert "<td>0</td>" in years and "bar-0" not in years
    assert "style=" not in years


def test_a_platform_without_pledges_says_it_has_no_scorecard(client, meta):
    text = page_text(platform_page(client, "quiet-platform"))
    assert "No published pledge by Quiet Platform is recorded yet. It has no scorecard" in text
    assert "At a glance" not in text


def compare(client, query=""):
    return client.get(reverse("commitments:compare") + query)


def compared_names(response) -> list[str]:
    return [html.unescape(name) for name in ROW_NAME.findall(response.content.decode())]


def test_the_comparison_lists_every_platform_with_its_figures(client, meta):
    response = compare(client)
    assert response.status_code == 200
    assert compared_names(response) == ["Instagram", "Meta", "Quiet Platform"]
    text = response.content.decode()
    row = shown_text(text.split('<th scope="row">')[2].split("</tr>")[0])
    assert row == "Meta 5 1 1 3 May 2019 60% 1 February 2026 1 oldest asked 1 Oct 2026"
    quiet = shown_text(text.split('<th scope="row">')[3].split("</tr>")[0])
    assert quiet == "Quiet Platform 0 0 0 0 — none — no pledges none yet 0"
    assert DRAFT_TITLE not in text
    assert "it is not a verdict on the platform" in page_text(response)


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("name", ["Instagram", "Meta", "Quiet Platform"]),
        ("-name", ["Quiet Platform", "Meta", "Instagram"]),
        ("-pledges", ["Meta", "Instagram", "Quiet Platform"]),
        ("pledges", ["Quiet Platform", "Instagram", "Meta"]),
        ("-verified", ["Meta", "Instagram", "Quiet Platform"]),
        ("-falls_short", ["Instagram", "Meta", "Quiet Platform"]),
        ("not_yet_rated", ["Quiet Platform", "Instagram", "Meta"]),
        # No share and no evidence: last, whichever way round.
        ("-evidence_share", ["Instagram", "Meta", "Quiet Platform"]),
        ("evidence_share", ["Meta", "Instagram", "Quiet Platform"]),
        ("-last_evidence", ["Instagram", "Meta", "Quiet Platform"]),
        ("-open_requests", ["Instagram", "Meta", "Quiet Platform"]),
    ],
)
def test_the_comparison_sorts_by_each_column(client, meta, sort, names):
    response = compare(client, f"?sort={sort}")
    assert response.status_code == 200
    assert compared_names(response) == names


def test_the_comparisons_headings_link_to_their_sorts_and_mark_the_current_one(client, meta):
    text = compare(client, "?sort=-pledges").content.decode()
    assert (
        '<th scope="col" class="number" aria-sort="descending"><a href="?sort=pledges">Pledges'
        in text
    )
    assert '<a href="?sort=name">Platform</a>' in text
    assert '<a href="?sort=-verified">Verified</a>' in text
    assert text.count("aria-sort=") == 1
    assert "sorted by pledges, highest first" in text
    assert 'href="/platforms/compare.csv?sort=-pledges"' in text


@pytest.mark.parametrize("sort", ["bogus", "--pledges", "name,pledges", "Pledges"])
def test_a_bad_sort_gets_a_400_page_that_says_why(client, meta, sort):
    response = compare(client, f"?sort={sort}")
    assert response.status_code == 400
    text = page_text(response)
    assert "Sort by one of name, pledges, verified, falls_short" in text
    assert f"not “{sort}”" in text
    assert "<tbody>" not in text


def test_a_bad_sort_of_a_download_gets_a_plain_400(client, meta):
    response = client.get(reverse("commitments:compare_csv") + "?sort=bogus")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("sort: Sort by one of name, pledges")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_comparison_downloads_as_csv_with_its_headers(client, meta):
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("commitments:compare_csv") + "?sort=-pledges")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Row-Count"] == "3"
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    assert 'filename="platforms-compared-2026-11-25.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert list(rows[0]) == COLUMNS
    assert [row["platform"] for row in rows] == ["Meta", "Instagram", "Quiet Platform"]
    assert rows[0] | {"url": ""} == {
        "platform": "Meta",
        "url": "",
        "parent": "",
        "pledges": "5",
        "not_yet_rated": "3",
        "rated": "2",
        "verified": "1",
        "falls_short": "1",
        "with_evidence": "3",
        "evidence_share": "60",
        "oldest_not_yet_rated_on": "2019-05",
        "last_evidence_on": "2026-02-01",
        "open_requests": "1",
        "oldest_open_request_on": "2026-10-01",
        "status_announced": "3",
        "status_in_progress": "0",
        "status_delivered": "0",
        "status_verified": "1",
        "status_falls_short": "1",
        "status_stalled": "0",
        "status_lapsed": "0",
        "status_withdrawn": "0",
    }
    assert rows[0]["url"] == "http://testserver/platforms/meta/"
    assert rows[1]["parent"] == "Meta"
    assert rows[2]["evidence_share"] == rows[2]["last_evidence_on"] == ""


def test_the_comparison_downloads_as_json_with_each_timeline(client, meta):
    response = client.get(reverse("commitments:compare_json"))
    assert response["Content-Type"] == "application/json"
    assert response["X-Row-Count"] == "3"
    rows = json.loads(response.content)
    assert [row["platform"] for row in rows] == ["Instagram", "Meta", "Quiet Platform"]
    meta_row = rows[1]
    assert set(meta_row) == {*COLUMNS, "timeline"}
    assert (meta_row["pledges"], meta_row["evidence_share"]) == (5, 60)
    assert meta_row["timeline"][0] == {"year": 2019, "pledges": 1, "follow_ups": 0}
    assert len(meta_row["timeline"]) == 8
    assert rows[2]["timeline"] == [] and rows[2]["evidence_share"] is None


def test_one_platforms_scorecard_downloads_as_csv_and_json(client, meta):
    as_csv = client.get(reverse("commitments:scorecard_csv", args=["instagram"]))
    as_json = client.get(reverse("commitments:scorecard_json", args=["instagram"]))
    assert as_csv["X-Row-Count"] == as_json["X-Row-Count"] == "1"
    assert "instagram-scorecard-" in as_csv["Content-Disposition"]
    assert "Link" in as_json
    [row] = csv_rows(as_csv)
    [record] = json.loads(as_json.content)
    assert row["platform"] == record["platform"] == "Instagram"
    assert (row["pledges"], record["pledges"]) == ("3", 3)
    assert client.get("/platforms/nobody/scorecard.csv").status_code == 404


def test_a_platform_name_that_looks_like_a_formula_opens_as_text(client, db):
    make_platform("=HYPERLINK(1)")
    rows = csv_rows(client.get(reverse("commitments:compare_csv")))
    assert rows[0]["platform"] == "'=HYPERLINK(1)"


def test_the_downloads_share_the_listings_download_throttle(client, meta):
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["downloads"].split("/")[0])
    for _ in range(limit):
        assert client.get(reverse("commitments:export_csv")).status_code == 200
    for name, args in [("compare_csv", []), ("compare_json", []), ("scorecard_json", ["meta"])]:
        refused = client.get(reverse(f"commitments:{name}", args=args))
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    # The page itself is not a download.
    assert compare(client).status_code == 200


def test_no_platform_is_given_the_comparisons_slug(client, db):
    made = make_platform("Compare")
    assert made.slug == "compare-2"
    typed = Platform(name="Another", slug="compare")
    with pytest.raises(ValidationError) as refused:
        typed.full_clean()
    assert "taken by a page of the site" in str(refused.value.message_dict["slug"])
    assert compare(client).status_code == 200
    assert client.get(reverse("commitments:platform", args=["compare-2"])).status_code == 200


def test_the_comparison_is_linked_from_the_navigation_and_the_platform_list(client, meta):
    address = f'href="{reverse("commitments:compare")}"'
    assert address in client.get(reverse("commitments:platforms")).content.decode()
    nav = client.get(reverse("commitments:methodology")).content.decode().split("</nav>")[0]
    assert address in nav


def add_platforms_and_pledges(platforms: range, pledges_each: int) -> None:
    for n in platforms:
        parent = make_platform(f"Parent {n}")
        child = make_platform(f"Child {n}", parent=parent)
        made = make_commitments(child, pledges_each) + make_commitments(parent, pledges_each)
        ReplyRequest.objects.create(commitment=made[0], asked_on=ASKED_ON, how="email")


def analyze() -> None:
    """Planner statistics for the rows just added. A test database's tables are never
    analysed, so PostgreSQL may take them for empty and join 400 pledges by nested loops
    in minutes (seen once in a full run); this test counts queries, not their plans."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Platform, Commitment, FollowUp, ReplyRequest):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def scorecard_urls() -> list[str]:
    return [
        reverse("commitments:compare"),
        reverse("commitments:compare") + "?sort=-last_evidence",
        reverse("commitments:compare_csv"),
        reverse("commitments:compare_json"),
        reverse("commitments:platform", args=["parent-0"]),
        reverse("commitments:scorecard_csv", args=["parent-0"]),
        reverse("commitments:scorecard_json", args=["parent-0"]),
    ]


def test_the_scorecards_take_as_many_queries_for_many_platforms_and_pledges_as_for_few(client, db):
    add_platforms_and_pledges(range(1), pledges_each=2)
    urls = scorecard_urls()
    for url in urls:
        queries_for(client, url)  # Warm the caches (content types, sessions) first.
    few = {url: queries_for(client, url) for url in urls}

    add_platforms_and_pledges(range(1, 21), pledges_each=10)
    analyze()
    assert Commitment.objects.published().count() == 2 * 2 + 40 * 10
    many = {url: queries_for(client, url) for url in urls}
    assert many == few
    # The comparison: the platforms, then one grouped query each for pledges, follow-ups
    # and open requests.
    assert few[reverse("commitments:compare")] == 4
