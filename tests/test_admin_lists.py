"""The admin's lists: a constant number of queries however many rows, dates shown as
precisely as they are known, and text escaped on the way out."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

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

ANNOUNCED = datetime.date(2020, 3, 1)
serial = itertools.count()


def a_pledge(owner=None, source=None) -> Commitment:
    """A commitment on its own platform and initiative, with a citation and a follow-up."""
    n = next(serial)
    pledge = Commitment.objects.create(
        platform=Platform.objects.create(name=f"Platform {n}"),
        initiative=Initiative.objects.create(name=f"Initiative {n}", kind="alliance"),
        kind=Commitment.Kind.POLICY,
        title=f"Pledge {n}",
        announced_on=ANNOUNCED,
        owner=owner,
    )
    source = source or Source.objects.create(url=f"https://example.org/{n}", title=f"Doc {n}")
    Citation.objects.create(commitment=pledge, source=source)
    follow_up_record(
        approve=True,
        follow_up=FollowUp(
            commitment=pledge,
            happened_on=ANNOUNCED,
            kind=FollowUp.Kind.PROGRESS_REPORT,
            summary="Rolled out",
            status_after=Status.IN_PROGRESS,
        ),
    )
    return pledge


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
    for _ in range(count):
        a_pledge(owner=user)


def make_follow_ups(count, user):
    # a_pledge makes one follow-up per commitment.
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
    client.force_login(reviewer)
    url = reverse(f"admin:commitments_{model}_changelist")
    client.get(url)  # The first request fills caches (content types, the session).

    make_rows(10, reviewer)
    queries_for_10, rows = count_queries(client, url)
    assert rows >= 10
    make_rows(90, reviewer)
    queries_for_100, rows = count_queries(client, url)
    assert rows == 100

    assert queries_for_100 == queries_for_10


def test_the_commitment_list_shows_dates_as_precisely_as_known(client, reviewer, commitment):
    commitment.announced_on = datetime.date(2020, 3, 1)
    commitment.announced_precision = DatePrecision.MONTH
    commitment.save()
    client.force_login(reviewer)

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
    client.force_login(reviewer)

    response = client.get(reverse("admin:commitments_followup_changelist"))

    assertContains(response, ">2021</a>")
    assertNotContains(response, "1 January 2021")


def test_a_title_is_stored_as_entered_and_escaped_in_the_list(client, reviewer, platform):
    title = "<script>alert(1)</script>"
    Commitment.objects.create(platform=platform, kind="policy", title=title, announced_on=ANNOUNCED)
    client.force_login(reviewer)

    response = client.get(reverse("admin:commitments_commitment_changelist"))

    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assertNotContains(response, title)
    assert Commitment.objects.get().title == title


def test_the_commitment_list_filters_by_lacking_a_source(client, reviewer, commitment):
    unsourced = Commitment.objects.create(
        platform=commitment.platform, kind="policy", title="Unsourced", announced_on=ANNOUNCED
    )
    client.force_login(reviewer)

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
    client.force_login(reviewer)

    url = reverse("admin:commitments_commitment_changelist")
    response = client.get(url, params(commitment))

    assert list(response.context["cl"].result_list) == [commitment]
