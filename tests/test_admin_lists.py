"""The admin's lists: a constant number of queries however many rows, dates shown as
precisely as they are known, and text escaped on the way out."""

import datetime
import html
import itertools
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from commitments.admin.lists import CappedCountPaginator
from commitments.admin.pledges import CommitmentAdmin
from commitments.curation.evidence import follow_up_record
from commitments.dates import DatePrecision
from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Initiative,
    Person,
    Platform,
    Source,
    Status,
)
from commitments.refresh import commitments_refresh
from tests.staff_login import log_in

ANNOUNCED = datetime.date(2020, 3, 1)
serial = itertools.count()


def make_platforms(count, user):
    parent = Platform.objects.create(name=f"Group {next(serial)}")
    for _ in range(count):
        Platform.objects.create(name=f"Platform {next(serial)}", parent=parent)


def make_initiatives(count, user):
    for _ in range(count):
        Initiative.objects.create(name=f"Initiative {next(serial)}", kind="alliance")


def make_sources(count, user):
    for _ in range(count):
        n = next(serial)
        Source.objects.create(url=f"https://example.org/{n}", title=f"Doc {n}")


def make_people(count, user):
    for _ in range(count):
        Person.objects.create(name=f"Person {next(serial)}", role="Head of Safety")


def make_commitments(count, user):
    """`count` pledges, each on its own platform and initiative, with a citation and an
    approved follow-up with its own: a few bulk inserts (through the services, a hundred
    took seconds)."""
    numbers = [next(serial) for _ in range(count)]
    platforms = Platform.objects.bulk_create(
        Platform(name=f"Platform {n}", slug=f"platform-{n}") for n in numbers
    )
    initiatives = Initiative.objects.bulk_create(
        Initiative(name=f"Initiative {n}", slug=f"initiative-{n}", kind="alliance") for n in numbers
    )
    pledges = Commitment.objects.bulk_create(
        Commitment(
            platform=platform,
            initiative=initiative,
            kind=Commitment.Kind.POLICY,
            title=f"Pledge {n}",
            slug=f"pledge-{n}",
            announced_on=ANNOUNCED,
            owner=user,
        )
        for n, platform, initiative in zip(numbers, platforms, initiatives, strict=True)
    )
    sources = Source.objects.bulk_create(
        Source(url=f"https://example.org/{n}", title=f"Doc {n}") for n in numbers
    )
    follow_ups = FollowUp.objects.bulk_create(
        FollowUp(
            commitment=pledge,
            happened_on=ANNOUNCED,
            kind=FollowUp.Kind.PROGRESS_REPORT,
            summary="Rolled out",
            status_after=Status.IN_PROGRESS,
            approved_at=timezone.now(),
        )
        for pledge in pledges
    )
    Citation.objects.bulk_create(
        Citation(commitment=pledge, source=source)
        for pledge, source in zip(pledges, sources, strict=True)
    )
    Citation.objects.bulk_create(
        Citation(follow_up=follow_up, source=source)
        for follow_up, source in zip(follow_ups, sources, strict=True)
    )
    commitments_refresh(commitments=[p.pk for p in pledges], record_history=False)


def make_follow_ups(count, user):
    # make_commitments makes one follow-up per commitment.
    make_commitments(count, user)


def count_queries(client, url: str) -> tuple[int, int]:
    """(queries, rows shown) for one GET of a changelist."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize(
    "model, make_rows",
    [
        ("platform", make_platforms),
        ("initiative", make_initiatives),
        ("source", make_sources),
        ("person", make_people),
        ("commitment", make_commitments),
        ("followup", make_follow_ups),
    ],
)
def test_a_changelist_of_100_rows_runs_as_many_queries_as_one_of_10(
    client, reviewer, model, make_rows
):
    log_in(client, reviewer)
    url = reverse(f"admin:commitments_{model}_changelist")
    client.get(url)  # The first request fills caches (content types, the session).

    make_rows(10, reviewer)
    queries_for_10, rows = count_queries(client, url)
    assert rows >= 10
    make_rows(90, reviewer)
    queries_for_100, rows = count_queries(client, url)
    # A page of them (the commitment list's holds 50).
    admin_class = admin.site.get_model_admin(apps.get_model("commitments", model))
    assert rows == min(100, admin_class.list_per_page)

    assert queries_for_100 == queries_for_10


def test_the_commitment_list_shows_dates_as_precisely_as_known(client, reviewer, commitment):
    commitment.announced_on = datetime.date(2020, 3, 1)
    commitment.announced_precision = DatePrecision.MONTH
    commitment.save()
    log_in(client, reviewer)

    response = client.get(reverse("admin:commitments_commitment_changelist"))

    assertContains(response, "March 2020")
    assertNotContains(response, "1 March 2020")


def test_the_follow_up_list_shows_a_year_only_date_as_a_year(client, reviewer, commitment):
    follow_up_record(
        approve=True,
        follow_up=FollowUp(
            commitment=commitment,
            happened_on=datetime.date(2021, 1, 1),
            happened_precision=DatePrecision.YEAR,
            kind=FollowUp.Kind.STATEMENT,
            summary="Said so",
        ),
    )
    log_in(client, reviewer)

    response = client.get(reverse("admin:commitments_followup_changelist"))

    assertContains(response, ">2021</a>")
    assertNotContains(response, "1 January 2021")


def test_a_title_is_stored_as_entered_and_escaped_in_the_list(client, reviewer, platform):
    title = "<script>alert(1)</script>"
    Commitment.objects.create(platform=platform, kind="policy", title=title, announced_on=ANNOUNCED)
    log_in(client, reviewer)

    response = client.get(reverse("admin:commitments_commitment_changelist"))

    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assertNotContains(response, title)
    assert Commitment.objects.get().title == title


def test_the_commitment_list_filters_by_lacking_a_source(client, reviewer, commitment):
    unsourced = Commitment.objects.create(
        platform=commitment.platform, kind="policy", title="Unsourced", announced_on=ANNOUNCED
    )
    log_in(client, reviewer)

    response = client.get(reverse("admin:commitments_commitment_changelist"), {"sourced": "no"})

    assert list(response.context["cl"].result_list) == [unsourced]


@pytest.mark.parametrize(
    "params",
    [
        lambda pledge: {"platform__id__exact": pledge.platform.pk},
        lambda pledge: {"initiative__id__exact": pledge.initiative.pk},
        lambda pledge: {"kind__exact": "membership"},
        lambda pledge: {"status__exact": "announced"},
        lambda pledge: {"published__exact": "1"},
        lambda pledge: {"announced_on__year": "2020"},
        lambda pledge: {"q": "WeProtect"},
    ],
)
def test_the_commitment_list_filters_and_searches(client, reviewer, commitment, params):
    Commitment.objects.create(
        platform=Platform.objects.create(name="Roblox"),
        kind="policy",
        title="Other",
        announced_on=datetime.date(2019, 5, 1),
        status=Status.STALLED,
    )
    log_in(client, reviewer)

    url = reverse("admin:commitments_commitment_changelist")
    response = client.get(url, params(commitment))

    assert list(response.context["cl"].result_list) == [commitment]


# The commitment list's filters at scale (commitments/admin/lists.py).

CHANGELIST = "admin:commitments_commitment_changelist"


def listed(client, params: dict) -> tuple[list, list[str]]:
    """The pledges the commitment list shows for `params`, and its messages."""
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list), [str(m) for m in response.context["messages"]]


@pytest.fixture
def two_platforms(commitment):
    other = Platform.objects.create(name="Roblox")
    # A platform whose name is another's slug: the slug wins.
    Platform.objects.create(name="tiktok")
    roblox = Commitment.objects.create(
        platform=other, kind="policy", title="Roblox pledge", announced_on=datetime.date(2019, 5, 1)
    )
    return commitment, roblox


@pytest.mark.parametrize("typed", ["TikTok", "tiktok", " TIKTOK "])
def test_a_platform_is_typed_by_name_or_slug(client, reviewer, two_platforms, typed):
    tiktok_pledge, _ = two_platforms
    log_in(client, reviewer)
    assert listed(client, {"platform": typed}) == ([tiktok_pledge], [])


def test_an_unknown_platform_or_initiative_is_said_and_shows_nothing(client, reviewer, commitment):
    log_in(client, reviewer)
    assert listed(client, {"platform": "Myspace"}) == (
        [],
        ["No platform is called “Myspace”: give its name or its slug."],
    )
    rows, said = listed(client, {"initiative": "x" * 5000})
    assert rows == []
    assert said == [f"No initiative is called “{'x' * 40}”: give its name or its slug."]


def test_an_initiative_is_typed_by_name(client, reviewer, two_platforms):
    tiktok_pledge, _ = two_platforms
    log_in(client, reviewer)
    assert listed(client, {"initiative": "weprotect global alliance"}) == ([tiktok_pledge], [])


def test_the_typed_box_keeps_the_other_filters(client, reviewer, commitment):
    log_in(client, reviewer)
    response = client.get(reverse(CHANGELIST), {"platform": "TikTok", "status__exact": "announced"})
    page = response.content.decode()
    box = page[page.index('<details data-filter-title="platform"') :]
    box = box[: box.index("</details>")]
    assert '<input type="hidden" name="status__exact" value="announced">' in box
    assert 'name="platform" value="TikTok"' in box
    assert '<input type="hidden" name="platform"' not in box


def test_the_years_run_from_the_first_pledge_to_the_last(client, reviewer, two_platforms):
    log_in(client, reviewer)
    response = client.get(reverse(CHANGELIST))
    (years,) = [f for f in response.context["cl"].filter_specs if f.title == "year announced"]
    assert [value for value, _ in years.lookup_choices] == ["2020", "2019"]
    assert listed(client, {"announced_on__year": "2019"})[0] == [two_platforms[1]]


@pytest.mark.parametrize("year", ["abcd", "0000", "99999", "-1", "2019.5"])
def test_a_year_that_is_none_is_said_and_shows_nothing(client, reviewer, two_platforms, year):
    log_in(client, reviewer)
    rows, said = listed(client, {"announced_on__year": year})
    assert rows == [] and said == [f"“{year}” is not a year."]


def test_the_owners_offered_are_the_staff(client, reviewer, editor, commitment):
    get_user_model().objects.create_user("reader", "reader@example.org", "pw")
    log_in(client, reviewer)
    response = client.get(reverse(CHANGELIST))
    (owners,) = [f for f in response.context["cl"].filter_specs if f.title == "owner"]
    assert [label for _, label in owners.lookup_choices] == ["editor", "reviewer"]


def test_the_list_reads_no_pledge_but_those_it_shows(client, reviewer, commitment):
    # Drawing the filters reads no distinct platforms, initiatives, owners or years of
    # all the pledges, and nothing counts them all a second time.
    log_in(client, reviewer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    on_pledges = [q["sql"] for q in queries if 'FROM "commitments_commitment"' in q["sql"]]
    assert not [sql for sql in on_pledges if "DISTINCT" in sql or "date_trunc" in sql.lower()]
    assert len([sql for sql in on_pledges if "COUNT(" in sql]) == 1


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status__exact": "announced"},
        {"q": "Pledge & «more»", "kind__exact": "product", "o": "2.-1"},
        {"platform": "tiktok", "published__exact": "0"},
    ],
)
def test_the_row_links_are_the_ones_django_makes(client, reviewer, platform, params):
    make_commitments(3, reviewer)
    Commitment.objects.update(
        platform=platform, kind="product", status="announced", title="Pledge & «more»"
    )
    log_in(client, reviewer)
    response = client.get(reverse(CHANGELIST), params)
    cl = response.context["cl"]
    assert cl.result_list, "the list shows rows"
    django_made = [
        add_preserved_filters(
            {"preserved_filters": cl.row_filters, "opts": cl.opts},
            ChangeList.url_for_result(cl, pledge),
        )
        for pledge in cl.result_list
    ]
    links = re.findall(r'<th class="field-title"><a href="([^"]*)"', response.content.decode())
    assert links == [html.escape(link) for link in django_made]
    # A filtered list's links carry its filters, to return to them after "Save".
    assert all(("_changelist_filters=" in link) == bool(params) for link in django_made)


def test_the_row_checkbox_is_the_one_django_draws(commitment):
    commitment.title = '<b>"Bold"</b> & more'
    model_admin = admin.site.get_model_admin(Commitment)
    assert model_admin.action_checkbox(commitment) == admin.ModelAdmin.action_checkbox(
        model_admin, commitment
    )


# The list counts up to CappedCountPaginator.cap (10,000), here 4 so that five pledges pass
# it, with pages of 2.


@pytest.fixture
def capped_at_four(monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "cap", 4)
    monkeypatch.setattr(CommitmentAdmin, "list_per_page", 2)


def test_a_count_past_the_cap_says_more_than_it_everywhere(client, reviewer, capped_at_four):
    make_commitments(5, reviewer)
    log_in(client, reviewer)
    response = client.get(reverse(CHANGELIST), {"q": "Pledge"})
    cl = response.context["cl"]
    assert (cl.paginator.capped, cl.result_count, cl.paginator.num_pages) == (True, 4, 2)
    assertContains(response, "More than 4 commitments")
    assertContains(response, "more than 4 results")
    assertContains(response, "Select all the matching commitments (more than 4)")
    assertContains(response, "All the matching commitments (more than 4) selected")
    assertNotContains(response, "Select all 4")
    assertNotContains(response, "All 4 selected")


def test_a_count_within_the_cap_is_djangos_own(client, reviewer, capped_at_four):
    make_commitments(3, reviewer)
    log_in(client, reviewer)
    response = client.get(reverse(CHANGELIST), {"q": "Pledge"})
    assert not response.context["cl"].paginator.capped
    assertContains(response, "3 commitments")
    assertContains(response, "3 results")
    assertContains(response, "Select all 3 commitments")
    assertNotContains(response, "More than")
    assertNotContains(response, "more than")


def test_the_pages_end_at_the_cap_each_full(client, reviewer, capped_at_four):
    make_commitments(5, reviewer)
    log_in(client, reviewer)
    shown = [
        client.get(reverse(CHANGELIST), {"p": page}).context["cl"].result_list for page in (1, 2)
    ]
    assert [len(rows) for rows in shown] == [2, 2]
    assert not set(shown[0]) & set(shown[1])
    # The fifth pledge, past the cap, is on no page: a page past the last is refused as
    # Django's admin refuses one (back to the list, ?e=1).
    past = client.get(reverse(CHANGELIST), {"p": 3})
    assert past.status_code == 302 and past["Location"].endswith("?e=1")


def test_select_all_acts_on_every_matching_pledge_not_only_those_counted(
    client, reviewer, capped_at_four
):
    make_commitments(5, reviewer)
    log_in(client, reviewer)
    shown = client.get(reverse(CHANGELIST)).context["cl"].result_list
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "publish_selected",
            "select_across": "1",
            "index": "0",
            "_selected_action": [pledge.pk for pledge in shown],
        },
    )
    assert response.status_code == 302
    assert Commitment.objects.filter(published=True).count() == 5
