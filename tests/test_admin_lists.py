"""The admin's lists: a constant number of queries however many rows, dates shown as
precisely as they are known, and text escaped on the way out."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
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
    assert rows == 100

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
