"""Pages as they stood: `?as_of=YYYY-MM-DD` on a pledge's page, a platform's page, the
list, the downloads and the API rebuilds the records from their history at the end of
that day; only what was public then and is public now is shown."""

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils.timezone import localdate

from commitments.curation.evidence import follow_up_record
from commitments.curation.publishing import commitments_publish, commitments_unpublish
from commitments.curation.restore import commitment_restore, deleted_commitments
from commitments.models import Commitment, FollowUp, Platform, Status
from commitments.public.as_of import standing
from tests.factories import add_follow_up, content_of, make_commitment, queries_for
from tests.page_helpers import listed_titles, page_text, sections

NOON = datetime.time(12)
MADE = datetime.date(2024, 1, 10)
DAY = datetime.date(2024, 1, 15)  # the day shown
CHANGED = datetime.date(2024, 1, 20)
LATER = datetime.date(2024, 2, 1)
OLD_TITLE = "Teen accounts private by default"
NEW_TITLE = "Teen accounts private by default, worldwide"


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, NOON, tzinfo=datetime.UTC))


def as_of(url: str, day: datetime.date = DAY, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {**params, "as_of": day.isoformat()}.items())
    return f"{url}?{query}"


def detail(commitment) -> str:
    return reverse("commitments:detail", args=[commitment.slug])


LIST = reverse("commitments:list")
CSV = reverse("commitments:export_csv")
JSON = reverse("commitments:export_json")
API = "/api/commitments/"


def api_detail(commitment) -> str:
    return f"{API}{commitment.slug}/"


@pytest.fixture
def platform(db):
    """Made before the day shown, so that a row of it stands then."""
    with at(MADE):
        return Platform.objects.create(name="TikTok", operator="TikTok (ByteDance)")


@pytest.fixture
def changed(platform):
    """Made on MADE; its title changed and a delivery rated on CHANGED."""
    with at(MADE):
        pledge = make_commitment(platform, OLD_TITLE)
    with at(CHANGED):
        pledge.title = NEW_TITLE
        pledge.save()
        add_follow_up(pledge, happened_on=CHANGED, status_after=Status.DELIVERED)
    pledge.refresh_from_db()
    assert pledge.status == Status.DELIVERED
    return pledge


def csv_titles(response) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(content_of(response).decode())))
    assert response["X-Row-Count"] == str(len(rows))
    return [row["title"] for row in rows]


# Across a change ----------------------------------------------------------------------------


def test_the_page_as_of_a_day_shows_that_days_title_and_status(client, changed):
    then = page_text(client.get(as_of(detail(changed))))
    assert f"<h1>{OLD_TITLE}</h1>" in then
    assert "Announced, not yet rated" in sections(client.get(as_of(detail(changed))))["Status"]
    assert "Delivered" not in sections(client.get(as_of(detail(changed))))["Status"]
    assert "No follow-up evidence recorded yet" in then
    now = page_text(client.get(detail(changed)))
    assert f"<h1>{NEW_TITLE}</h1>" in now
    assert "Delivered" in sections(client.get(detail(changed)))["Status"]


def test_the_list_api_and_downloads_as_of_a_day_hold_that_days_values(client, changed):
    assert listed_titles(client.get(as_of(LIST))) == [OLD_TITLE]
    assert listed_titles(client.get(LIST)) == [NEW_TITLE]
    # Filters read the day's values: its status then was "announced".
    assert listed_titles(client.get(as_of(LIST, status="announced"))) == [OLD_TITLE]
    assert listed_titles(client.get(as_of(LIST, status="delivered"))) == []
    assert csv_titles(client.get(as_of(CSV))) == [OLD_TITLE]
    assert csv_titles(client.get(CSV)) == [NEW_TITLE]
    [record] = json.loads(content_of(client.get(as_of(JSON))))
    assert (record["title"], record["status"]) == (OLD_TITLE, "announced")
    assert record["latest_follow_up_on"] is None
    [item] = client.get(as_of(API)).json()["results"]
    assert (item["title"], item["status"], item["follow_ups"]) == (OLD_TITLE, "announced", [])
    one = client.get(as_of(api_detail(changed))).json()
    assert (one["title"], one["status"]) == (OLD_TITLE, "announced")
    assert len(one["sources"]) == 1
    assert client.get(api_detail(changed)).json()["status"] == "delivered"


def test_the_platform_page_as_of_a_day_counts_that_days_statuses(client, changed, platform):
    url = reverse("commitments:platform", args=[platform.slug])
    then = sections(client.get(as_of(url)))
    assert "Pledges by status (1)" in then
    assert OLD_TITLE in page_text(client.get(as_of(url)))
    assert NEW_TITLE not in page_text(client.get(as_of(url)))
    assert NEW_TITLE in page_text(client.get(url))
    api = client.get(as_of(f"/api/platforms/{platform.slug}/")).json()
    assert api["pledges"] == 1 and api["followed_up"] == 0
    assert client.get(f"/api/platforms/{platform.slug}/").json()["followed_up"] == 1


def test_a_platform_renamed_since_shows_its_name_of_that_day(client, changed, platform):
    with at(CHANGED):
        platform.name = "TikTok Global"
        platform.save()
    assert "TikTok Global" not in page_text(client.get(as_of(detail(changed))))
    assert "TikTok Global" in page_text(client.get(detail(changed)))
    assert client.get(as_of(API)).json()["results"][0]["platform"]["name"] == "TikTok"


# Deletion and restore -----------------------------------------------------------------------


def test_a_pledge_deleted_and_restored_shows_as_of_each_day_as_it_stood(client, platform, reviewer):
    with at(MADE):
        pledge = make_commitment(platform, OLD_TITLE, follow_up=True)
    with at(CHANGED):
        pledge.delete()
    with at(LATER):
        [record] = deleted_commitments()
        commitment_restore(history_id=record.history_id, user=reviewer)
    before, deleted = DAY, CHANGED + datetime.timedelta(days=3)
    assert client.get(as_of(detail(pledge), before)).status_code == 200
    assert listed_titles(client.get(as_of(LIST, before))) == [OLD_TITLE]
    # Its follow-up, restored with it, stood on the day before the deletion.
    body = sections(client.get(as_of(detail(pledge), before)))["What happened since"]
    assert "A progress report." in body
    # While it was deleted there was nothing at its address.
    assert client.get(as_of(detail(pledge), deleted)).status_code == 404
    assert listed_titles(client.get(as_of(LIST, deleted))) == []
    assert client.get(detail(pledge)).status_code == 200


def test_of_two_rows_written_at_the_same_instant_the_later_one_stands(client, platform):
    # Writes in bulk (commitments/bulk_history.py) can share one history_date: the row
    # written last (the higher history_id) is the one that stood.
    with at(MADE):
        pledge = make_commitment(platform, OLD_TITLE)
        pledge.title = NEW_TITLE
        pledge.save()
    dates = set(pledge.history.values_list("history_date", flat=True))
    pledge.history.update(history_date=min(dates))
    assert listed_titles(client.get(as_of(LIST))) == [NEW_TITLE]
    [row] = standing(Commitment, day=DAY, id=pledge.pk)
    assert row.history_id == max(pledge.history.values_list("history_id", flat=True))


def test_a_pledge_deleted_now_never_comes_back_through_an_old_day(client, platform):
    with at(MADE):
        pledge = make_commitment(platform, OLD_TITLE)
    with at(CHANGED):
        Commitment.objects.get(pk=pledge.pk).delete()
    assert client.get(as_of(detail(pledge))).status_code == 404
    assert listed_titles(client.get(as_of(LIST))) == []
    assert csv_titles(client.get(as_of(CSV))) == []
    assert client.get(as_of(API)).json()["count"] == 0


# Drafts -------------------------------------------------------------------------------------


def test_a_draft_on_the_day_is_not_shown_though_published_since(client, platform):
    with at(MADE):
        pledge = make_commitment(platform, OLD_TITLE, published=False)
    with at(CHANGED):
        commitments_publish(commitments=Commitment.objects.filter(pk=pledge.pk))
    assert client.get(detail(pledge)).status_code == 200
    assert client.get(as_of(detail(pledge))).status_code == 404
    assert listed_titles(client.get(as_of(LIST))) == []
    assert csv_titles(client.get(as_of(CSV))) == []
    assert client.get(as_of(API)).json()["count"] == 0
    assert client.get(as_of(api_detail(pledge))).status_code == 404


def test_published_on_the_day_but_unpublished_now_is_not_shown(client, platform):
    with at(MADE):
        pledge = make_commitment(platform, OLD_TITLE)
    with at(CHANGED):
        commitments_unpublish(commitments=Commitment.objects.filter(pk=pledge.pk))
    assert client.get(as_of(detail(pledge))).status_code == 404
    assert listed_titles(client.get(as_of(LIST))) == []
    assert csv_titles(client.get(as_of(CSV))) == []
    assert json.loads(content_of(client.get(as_of(JSON)))) == []
    assert client.get(as_of(API)).json()["count"] == 0
    url = reverse("commitments:platform", args=[platform.slug])
    assert OLD_TITLE not in page_text(client.get(as_of(url)))


def test_a_follow_up_added_after_the_day_is_absent(client, platform):
    with at(MADE):
        pledge = make_commitment(platform, OLD_TITLE)
        add_follow_up(pledge, happened_on=MADE, summary="Announced in a blog post.")
    with at(CHANGED):
        # Dated before the day, but recorded after it: the page of that day lacked it.
        add_follow_up(pledge, happened_on=MADE, summary="A report found later.")
    then = sections(client.get(as_of(detail(pledge))))["What happened since"]
    assert "Announced in a blog post." in then
    assert "A report found later." not in then
    assert "A report found later." in page_text(client.get(detail(pledge)))
    [item] = client.get(as_of(API)).json()["results"]
    assert [f["summary"] for f in item["follow_ups"]] == ["Announced in a blog post."]


def test_a_rating_that_was_a_draft_on_the_day_is_absent(client, platform, reviewer):
    with at(MADE):
        pledge = make_commitment(platform, OLD_TITLE)
        draft = follow_up_record(
            follow_up=FollowUp(
                commitment=pledge,
                happened_on=MADE,
                kind=FollowUp.Kind.PROGRESS_REPORT,
                summary="Rolled out to all teens.",
                status_after=Status.DELIVERED,
            )
        )
    assert draft.is_draft
    with at(CHANGED):
        follow_up_record(follow_up=FollowUp.objects.get(pk=draft.pk), user=reviewer, approve=True)
    assert "Rolled out to all teens." in page_text(client.get(detail(pledge)))
    then = page_text(client.get(as_of(detail(pledge))))
    assert "Rolled out to all teens." not in then
    assert "Delivered" not in sections(client.get(as_of(detail(pledge))))["Status"]


# Bad days -----------------------------------------------------------------------------------

BAD_DAYS = [
    ("yesterday", "is not a date"),
    ("2024-1-5", "is not a date"),
    ("2024-02-30", "is not a real date"),
    ("1989-12-31", "is before 1990-01-01"),
]


@pytest.mark.parametrize(("value", "reason"), BAD_DAYS)
def test_a_bad_day_is_a_400_with_the_reason_everywhere(client, changed, platform, value, reason):
    pages = [
        LIST,
        detail(changed),
        reverse("commitments:platform", args=[platform.slug]),
        CSV,
        JSON,
    ]
    for url in pages:
        response = client.get(url, {"as_of": value})
        assert response.status_code == 400, url
        assert reason in response.content.decode(), url
    for url in [API, api_detail(changed), "/api/platforms/", "/api/initiatives/"]:
        response = client.get(url, {"as_of": value})
        assert response.status_code == 400, url
        assert reason in response.json()["as_of"][0], url


def test_a_day_in_the_future_is_a_400(client, changed):
    tomorrow = (localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.get(detail(changed), {"as_of": tomorrow})
    assert response.status_code == 400
    assert "is in the future" in page_text(response)
    assert "is in the future" in client.get(API, {"as_of": tomorrow}).json()["as_of"][0]
    # Today is a day like any other: its end is what the page will read when it is over.
    assert client.get(detail(changed), {"as_of": localdate().isoformat()}).status_code == 200


def test_overdue_cannot_be_asked_as_of_a_day(client, changed):
    response = client.get(as_of(LIST, follow_up="overdue"))
    assert response.status_code == 400
    assert "keeps no history of review dates" in page_text(response)
    assert client.get(as_of(API, follow_up="overdue")).status_code == 400
    assert client.get(as_of(LIST, follow_up="lacks")).status_code == 200


# The banner, its link and the permalink -----------------------------------------------------


def test_a_page_as_of_a_day_says_so_and_links_to_todays(client, changed):
    response = client.get(as_of(LIST, status="announced"))
    text = page_text(response)
    assert "As it stood at the end of 15 January 2024." in text
    assert f'<a href="{LIST}?status=announced">See today\'s page</a>' in text
    # The pledge it lists links to its page as of the same day; the filters keep the day.
    assert f'href="{detail(changed)}?as_of=2024-01-15"' in text
    assert '<input type="hidden" name="as_of" value="2024-01-15">' in text
    page = page_text(client.get(as_of(detail(changed))))
    assert f'<a href="{detail(changed)}">See today\'s page</a>' in page
    assert "As it stood" not in page_text(client.get(detail(changed)))
    assert "As it stood" not in page_text(client.get(LIST))


def test_the_citation_line_gives_a_permalink_as_of_today(client, changed):
    cite = page_text(client.get(detail(changed)))
    today = localdate().isoformat()
    assert f"http://testserver{detail(changed)}?as_of={today} (accessed" in cite
    then = page_text(client.get(as_of(detail(changed))))
    assert f"http://testserver{detail(changed)}?as_of=2024-01-15 (accessed" in then
    assert f"“{OLD_TITLE}”" in then


def test_downloads_as_of_a_day_are_named_for_it(client, changed):
    response = client.get(as_of(CSV))
    assert 'filename="commitments-as-of-2024-01-15.csv"' in response["Content-Disposition"]


# Queries ------------------------------------------------------------------------------------


def make_world(platform, count: int) -> list[Commitment]:
    with at(MADE):
        pledges = [make_commitment(platform, follow_up=True) for _ in range(count)]
        for pledge in pledges:
            pledge.people.create(name=f"Person {pledge.pk}")
            pledge.save()
    return pledges


def as_of_urls(pledge, platform) -> list[str]:
    return [
        as_of(LIST),
        as_of(detail(pledge)),
        as_of(reverse("commitments:platform", args=[platform.slug])),
        as_of(CSV),
        as_of(JSON),
        as_of(API),
        as_of(api_detail(pledge)),
        as_of("/api/platforms/"),
        as_of("/api/initiatives/"),
    ]


def test_pages_as_of_a_day_run_as_many_queries_for_many_pledges_as_for_few(client, platform):
    first = make_world(platform, 2)
    urls = as_of_urls(first[0], platform)
    for url in urls:
        queries_for(client, url)  # warm the caches first
    few = {url: queries_for(client, url) for url in urls}
    make_world(platform, 12)
    many = {url: queries_for(client, url) for url in urls}
    assert many == few


def test_the_methodology_states_what_a_past_day_may_show(client, db):
    body = sections(client.get(reverse("commitments:methodology")))[
        "Pages as they stood on a past day"
    ]
    assert "only if it was public on that day and is still public now" in body
