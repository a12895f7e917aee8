"""The follow-up rules, the stored due dates and the flag job (commitments/followup/flagging.py)."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.followup import flagging
from commitments.followup.flagging import commitments_flag
from commitments.followup.rules import follow_up_rule_change
from commitments.models import Citation, Commitment, Flag, FollowUp, FollowUpRule, JobRun, Status
from tests.admin_forms import page_data
from tests.clock import NOW, TODAY
from tests.concurrency import run_at_once
from tests.factories import SHIPPED, add_follow_up, make_commitment, make_source
from tests.staff_login import log_in

DAY = datetime.timedelta(days=1)
# For the command and the task, which take today's date from the clock.
ON_TODAY = time_machine.travel(NOW)


def refreshed(commitment: Commitment) -> Commitment:
    commitment.refresh_from_db()
    return commitment


def open_flags(reason=None) -> set[tuple]:
    flags = Flag.objects.open()
    if reason:
        flags = flags.filter(reason=reason)
    return set(flags.values_list("commitment__title", "reason"))


# Rules and due dates -------------------------------------------------------------------


def test_the_default_rules(db):
    rules = dict(FollowUpRule.objects.values_list("kind", "interval_days"))
    assert rules["membership"] == rules["endorsement"] == 365
    assert rules["product_change"] == rules["age_restriction"] == 90
    assert set(rules) == set(Commitment.Kind.values)


def test_due_a_year_after_a_membership_is_announced(platform):
    pledge = make_commitment(platform, kind="membership", announced_on=datetime.date(2024, 1, 10))
    rule = FollowUpRule.objects.get(kind="membership")
    pledge = refreshed(pledge)
    assert pledge.follow_up_due_on == datetime.date(2024, 1, 10) + 365 * DAY
    assert pledge.flag_from == pledge.follow_up_due_on + rule.grace_days * DAY


def test_due_90_days_after_a_product_change_takes_effect(platform):
    pledge = make_commitment(
        platform,
        kind="product_change",
        announced_on=datetime.date(2024, 1, 10),
        effective_on=datetime.date(2024, 3, 1),
    )
    assert refreshed(pledge).follow_up_due_on == datetime.date(2024, 3, 1) + 90 * DAY


def test_a_recurring_pledge_is_due_one_cadence_later(platform):
    pledge = make_commitment(
        platform, kind="reporting", cadence="quarterly", announced_on=datetime.date(2024, 1, 1)
    )
    assert refreshed(pledge).follow_up_due_on == datetime.date(2024, 1, 1) + 92 * DAY


def test_the_pledges_own_interval_wins(platform):
    pledge = make_commitment(
        platform,
        kind="membership",
        cadence="annual",
        follow_up_interval_days=30,
        announced_on=datetime.date(2024, 1, 1),
    )
    assert refreshed(pledge).follow_up_due_on == datetime.date(2024, 1, 31)


def test_new_evidence_moves_the_due_date(platform):
    pledge = make_commitment(platform, kind="membership", announced_on=datetime.date(2024, 1, 1))
    add_follow_up(pledge, happened_on=datetime.date(2025, 6, 1))
    assert refreshed(pledge).follow_up_due_on == datetime.date(2025, 6, 1) + 365 * DAY


def test_a_closed_pledge_is_never_due(platform):
    pledge = make_commitment(platform, kind="membership", announced_on=datetime.date(2024, 1, 1))
    add_follow_up(pledge, happened_on=datetime.date(2024, 6, 1), status_after=Status.VERIFIED)
    pledge = refreshed(pledge)
    assert (pledge.follow_up_due_on, pledge.flag_from) == (None, None)


def test_changing_a_rule_recomputes_its_pledges(platform):
    membership = make_commitment(
        platform, kind="membership", announced_on=datetime.date(2024, 1, 1)
    )
    policy = make_commitment(platform, kind="policy", announced_on=datetime.date(2024, 1, 1))
    policy_due = refreshed(policy).follow_up_due_on
    rule = FollowUpRule.objects.get(kind="membership")
    rule.interval_days = 10
    follow_up_rule_change(rule=rule)
    assert refreshed(membership).follow_up_due_on == datetime.date(2024, 1, 11)
    assert refreshed(policy).follow_up_due_on == policy_due


def test_editing_a_date_in_the_admin_recomputes_the_due_date(client, reviewer, platform):
    pledge = make_commitment(platform, kind="membership", announced_on=datetime.date(2024, 1, 1))
    url = reverse("admin:commitments_commitment_change", args=[pledge.pk])
    log_in(client, reviewer)
    data = page_data(client.get(url))
    data["announced_on"] = "2025-01-01"
    assert client.post(url, data).status_code == 302
    assert refreshed(pledge).follow_up_due_on == datetime.date(2026, 1, 1)


# Flags -----------------------------------------------------------------------------------


@pytest.fixture
def overdue_pledge(platform):
    """Announced long enough ago to be flagged on TODAY, not long enough to lapse."""
    rule = FollowUpRule.objects.get(kind="membership")
    announced = TODAY - (rule.interval_days + rule.grace_days + 10) * DAY
    return make_commitment(platform, "Overdue pledge", kind="membership", announced_on=announced)


def test_a_pledge_past_its_flag_date_is_flagged_once(overdue_pledge, platform):
    rule = FollowUpRule.objects.get(kind="membership")
    in_grace = TODAY - (rule.interval_days + 1) * DAY
    make_commitment(platform, "In its grace period", kind="membership", announced_on=in_grace)
    make_commitment(
        platform,
        "Overdue draft",
        kind="membership",
        published=False,
        announced_on=overdue_pledge.announced_on,
    )

    report = commitments_flag(today=TODAY)
    assert open_flags() == {("Overdue pledge", "overdue")}
    assert report.opened == {"overdue": 1}

    again = commitments_flag(today=TODAY)
    assert not again.changed
    assert again.summary() == "Nothing changed: 1 open flags are still current."
    assert Flag.objects.count() == 1


def test_evidence_resolves_the_flag_and_says_so(overdue_pledge):
    commitments_flag(today=TODAY)
    add_follow_up(overdue_pledge, happened_on=TODAY - 3 * DAY)
    report = commitments_flag(today=TODAY)
    flag = Flag.objects.get()
    assert flag.resolved_at is not None and flag.resolved_by is None
    assert flag.resolution == flagging.EVIDENCE_ADDED
    assert report.resolved == {flagging.EVIDENCE_ADDED: 1}


def test_closing_or_unpublishing_resolves_the_flag(overdue_pledge, platform):
    withdrawn = make_commitment(
        platform, "Withdrawn", kind="membership", announced_on=overdue_pledge.announced_on
    )
    commitments_flag(today=TODAY)
    add_follow_up(withdrawn, happened_on=TODAY - 400 * DAY, status_after=Status.WITHDRAWN)
    Commitment.objects.filter(pk=overdue_pledge.pk).update(published=False)
    commitments_flag(today=TODAY)
    resolutions = dict(Flag.objects.values_list("commitment__title", "resolution"))
    assert resolutions == {
        "Withdrawn": flagging.CLOSED,
        "Overdue pledge": flagging.UNPUBLISHED,
    }


def test_a_longer_rule_resolves_the_flag(overdue_pledge):
    commitments_flag(today=TODAY)
    rule = FollowUpRule.objects.get(kind="membership")
    rule.interval_days = 3000
    follow_up_rule_change(rule=rule)
    commitments_flag(today=TODAY)
    assert Flag.objects.get().resolution == flagging.NOT_DUE


def test_a_snoozed_flag_stays_open_and_is_not_reopened(overdue_pledge):
    commitments_flag(today=TODAY)
    Flag.objects.update(snoozed_until=TODAY + 30 * DAY, snooze_reason="Asked the platform")
    assert not commitments_flag(today=TODAY).changed
    assert Flag.objects.awake(TODAY).count() == 0
    assert Flag.objects.awake(TODAY + 31 * DAY).count() == 1


def test_a_published_pledge_without_a_source_is_flagged_until_cited(platform):
    pledge = make_commitment(platform, "Unsourced", with_source=False, published=True)
    commitments_flag(today=TODAY)
    assert ("Unsourced", "unsourced") in open_flags()
    Citation.objects.create(commitment=pledge, source=make_source())
    commitments_flag(today=TODAY)
    assert ("Unsourced", "unsourced") not in open_flags()
    assert Flag.objects.get(reason="unsourced").resolution == flagging.SOURCE_CITED


def test_an_unreachable_source_flags_the_pledges_citing_it(platform):
    cites = make_commitment(platform, "Cites it", announced_on=TODAY - 10 * DAY)
    follow_up_cites = make_commitment(platform, "Its evidence cites it", announced_on=TODAY)
    make_commitment(platform, "Cites another", announced_on=TODAY)
    dead = make_source(title="Dead link")
    Citation.objects.create(commitment=cites, source=dead)
    evidence = add_follow_up(follow_up_cites, happened_on=TODAY, with_source=False)
    Citation.objects.create(follow_up=evidence, source=dead)

    dead.failures_in_row = 2
    dead.save(update_fields=["failures_in_row"])
    commitments_flag(today=TODAY)
    assert open_flags("source_unreachable") == set()

    dead.failures_in_row = 3
    dead.save(update_fields=["failures_in_row"])
    commitments_flag(today=TODAY)
    assert open_flags("source_unreachable") == {
        ("Cites it", "source_unreachable"),
        ("Its evidence cites it", "source_unreachable"),
    }
    assert set(Flag.objects.values_list("source__title", flat=True)) == {"Dead link"}

    dead.failures_in_row = 0
    dead.save(update_fields=["failures_in_row"])
    commitments_flag(today=TODAY)
    assert open_flags("source_unreachable") == set()
    assert set(Flag.objects.values_list("resolution", flat=True)) == {flagging.SOURCE_BACK}


# No job changes a status; lapses are proposed ---------------------------------------------


@pytest.fixture
def long_overdue(platform):
    """Flagged years ago and never followed up: once, the job lapsed such pledges."""
    return make_commitment(
        platform, "Long overdue", kind="membership", announced_on=TODAY - 3000 * DAY
    )


@pytest.fixture
def past_deadline(platform):
    """A pledge whose own deadline has passed, with no delivery rated."""
    return make_commitment(
        platform,
        "Past its deadline",
        kind="product_change",
        announced_on=TODAY - 100 * DAY,  # followed up 10 days ago: not overdue
        deadline=TODAY - 10 * DAY,
        follow_up=Status.IN_PROGRESS,
    )


def test_a_long_overdue_pledge_is_flagged_and_keeps_its_status(long_overdue):
    before = long_overdue.history.count()
    report = commitments_flag(today=TODAY)
    pledge = refreshed(long_overdue)
    assert report.opened == {"overdue": 1}
    assert pledge.status == Status.ANNOUNCED
    assert not pledge.follow_ups.exists()
    assert pledge.history.count() == before
    assert "lapsed" not in report.summary()


def test_a_pledge_past_its_own_deadline_gets_a_lapse_proposal_not_a_lapse(past_deadline):
    report = commitments_flag(today=TODAY)
    assert report.opened == {"lapse_proposed": 1}
    assert "1 deadline passed: lapse proposed" in report.summary()
    assert refreshed(past_deadline).status == Status.IN_PROGRESS
    assert past_deadline.follow_ups.count() == 1
    assert not commitments_flag(today=TODAY).changed


def test_no_proposal_before_the_deadline_or_once_delivered(platform, past_deadline):
    make_commitment(platform, "Not yet", deadline=TODAY + DAY)
    make_commitment(platform, "Delivered", deadline=TODAY - DAY, follow_up=Status.DELIVERED)
    make_commitment(platform, "Draft", deadline=TODAY - DAY, published=False)
    commitments_flag(today=TODAY)
    assert open_flags("lapse_proposed") == {("Past its deadline", "lapse_proposed")}


def test_a_reviewer_accepts_a_proposal_by_rating_the_pledge_lapsed(past_deadline):
    commitments_flag(today=TODAY)
    add_follow_up(
        past_deadline,
        happened_on=TODAY,
        kind=FollowUp.Kind.OTHER,
        summary="The settings page shows no such control.",
        status_after=Status.LAPSED,
    )
    commitments_flag(today=TODAY)
    assert refreshed(past_deadline).status == Status.LAPSED
    assert open_flags("lapse_proposed") == set()
    flag = Flag.objects.get(reason="lapse_proposed")
    assert flag.resolution == flagging.RATED


def test_a_dismissed_proposal_stays_dismissed_until_the_deadline_moves(past_deadline, reviewer):
    commitments_flag(today=TODAY)
    Flag.objects.filter(reason="lapse_proposed").update(
        resolved_at=NOW, resolved_by=reviewer, resolution="The feature shipped late; see notes."
    )
    assert not commitments_flag(today=TODAY).changed
    # A new deadline, and it passes too: proposed again.
    Commitment.objects.filter(pk=past_deadline.pk).update(deadline=TODAY + 5 * DAY)
    assert commitments_flag(today=TODAY + 10 * DAY).opened["lapse_proposed"] == 1
    assert refreshed(past_deadline).status == Status.IN_PROGRESS


@pytest.mark.parametrize(
    "change, resolution",
    [
        ({"deadline": TODAY + 30 * DAY}, flagging.DEADLINE_MOVED),
        ({"deadline": None}, flagging.DEADLINE_MOVED),
        ({"published": False}, flagging.UNPUBLISHED),
    ],
)
def test_a_proposal_resolves_itself_when_its_cause_goes(past_deadline, change, resolution):
    commitments_flag(today=TODAY)
    Commitment.objects.filter(pk=past_deadline.pk).update(**change)
    commitments_flag(today=TODAY)
    assert Flag.objects.get(reason="lapse_proposed").resolution == resolution


def test_the_job_leaves_every_status_of_the_shipped_dataset_as_it_was(db):
    call_command("import_commitments", str(SHIPPED), stdout=io.StringIO())
    before = dict(Commitment.objects.values_list("pk", "status"))
    rated = FollowUp.objects.count()
    # Ten years on, every pledge is long overdue.
    report = commitments_flag(today=TODAY + 3650 * DAY)
    assert report.opened["overdue"] > 0
    assert dict(Commitment.objects.values_list("pk", "status")) == before
    assert FollowUp.objects.count() == rated
    assert not Commitment.objects.filter(status=Status.LAPSED).exists()


# Scale, concurrency and the ways to run it -------------------------------------------------


def test_the_job_runs_a_fixed_number_of_queries(platform):
    def queries_with(count: int) -> int:
        Flag.objects.all().delete()
        for n in range(count):
            make_commitment(
                platform,
                f"Batch {count} pledge {n}",
                kind="membership",
                announced_on=TODAY - 500 * DAY,
                with_source=n % 2 == 0,
            )
        with CaptureQueriesContext(connection) as captured:
            commitments_flag(today=TODAY)
        return len(captured)

    assert queries_with(3) == queries_with(30)


def test_one_open_flag_per_cause_is_a_database_rule(overdue_pledge):
    Flag.objects.create(commitment=overdue_pledge, reason="overdue")
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(commitment=overdue_pledge, reason="overdue")
    # A resolved flag does not stand in the way of a new one.
    Flag.objects.update(resolved_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    Flag.objects.create(commitment=overdue_pledge, reason="overdue")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_make_the_flags_of_one(platform):
    # Transactional tests empty every table, the migrations' rules too.
    FollowUpRule.objects.get_or_create(kind="membership", defaults={"interval_days": 365})
    for n in range(20):
        make_commitment(platform, f"Pledge {n}", kind="membership", announced_on=TODAY - 1000 * DAY)
    run_at_once(lambda: commitments_flag(today=TODAY))  # raises what either run raised

    assert Flag.objects.filter(reason="overdue").count() == 20
    assert not FollowUp.objects.exists()


@ON_TODAY
def test_the_command_says_what_it_did(overdue_pledge, capsys):
    call_command("flag_commitments")
    first = capsys.readouterr().out
    assert "Opened 1 flags (1 follow-up overdue)" in first
    call_command("flag_commitments")
    assert "Nothing changed" in capsys.readouterr().out
    run = JobRun.objects.get(job="flag_commitments")
    assert run.last_succeeded_at is not None
    assert run.last_summary.startswith("Nothing changed")


@ON_TODAY
def test_the_task_records_its_run(overdue_pledge):
    from commitments.tasks import flag_commitments as task

    summary = task.apply().get()
    assert "Opened 1 flags" in summary
    assert JobRun.objects.get(job="flag_commitments").last_summary == summary


# What the public sees ----------------------------------------------------------------------


@ON_TODAY
def test_the_public_pages_say_a_pledge_is_overdue_and_since_when(client, overdue_pledge, platform):
    fresh = make_commitment(platform, "Fresh pledge", kind="membership", announced_on=TODAY)
    due = refreshed(overdue_pledge).follow_up_due_on
    since = f"Review</a> overdue since {due.day} {due:%B %Y}"

    listing = client.get("/commitments/").content.decode()
    assert listing.count("Review</a> overdue since") == 1
    assert since in listing
    detail = client.get(reverse("commitments:detail", args=[overdue_pledge.slug]))
    assert since in detail.content.decode()
    fresh_page = client.get(reverse("commitments:detail", args=[fresh.slug])).content.decode()
    assert "Next review due by 25 November 2027" in fresh_page

    overdue_only = client.get("/commitments/", {"follow_up": "overdue"}).content.decode()
    assert "Overdue pledge" in overdue_only and "Fresh pledge" not in overdue_only
    api = client.get("/api/commitments/", {"follow_up": "overdue"}).json()
    assert [row["title"] for row in api["results"]] == ["Overdue pledge"]
    assert api["results"][0]["follow_up_overdue"] is True
    assert api["results"][0]["follow_up_due_on"] == due.isoformat()


def test_an_overdue_flag_resolved_by_staff_stays_resolved_until_the_next_due_date(
    overdue_pledge, reviewer
):
    commitments_flag(today=TODAY)
    Flag.objects.update(
        resolved_at=NOW + datetime.timedelta(hours=1),
        resolved_by=reviewer,
        resolution="Asked the platform; it has nothing to add yet.",
    )
    assert not commitments_flag(today=TODAY).changed
    # Evidence, then a year of silence: the next due date passes and it is flagged again.
    add_follow_up(overdue_pledge, happened_on=TODAY - 2 * DAY)
    later = refreshed(overdue_pledge).flag_from + DAY
    assert commitments_flag(today=later).opened == {"overdue": 1}
    assert Flag.objects.open().get().commitment == overdue_pledge


def test_an_unsourced_flag_resolved_by_staff_comes_back_while_still_unsourced(platform, reviewer):
    make_commitment(platform, "Unsourced", with_source=False)
    commitments_flag(today=TODAY)
    Flag.objects.update(resolved_at=NOW, resolved_by=reviewer)
    assert commitments_flag(today=TODAY).opened == {"unsourced": 1}
