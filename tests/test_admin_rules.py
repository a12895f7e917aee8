"""The follow-up rules and the job runs in the admin (commitments/admin/flags.py), and the
follow-up part of the commitment page."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from commitments.models import Commitment, Flag, FollowUpRule, JobRun
from tests.admin_forms import message_texts, page_data
from tests.clock import NOW
from tests.factories import make_commitment
from tests.staff_login import log_in

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def on_today():
    with time_machine.travel(NOW, tick=False):
        yield


# Follow-up rules -------------------------------------------------------------------------


def rule_url(kind: str = "membership") -> str:
    rule = FollowUpRule.objects.get(kind=kind)
    return reverse("admin:commitments_followuprule_change", args=[rule.pk])


RULE_DATA = {"interval_days": "30", "grace_days": "7", "lapse_after_days": "200"}


def test_the_rule_list_explains_the_rules(client, editor):
    log_in(client, editor)

    response = client.get(reverse("admin:commitments_followuprule_changelist"))

    assertContains(response, "When a kind of pledge is due for follow-up evidence.")
    assert len(response.context["cl"].result_list) == len(Commitment.Kind.values)


def test_an_editor_sees_a_rule_but_may_not_change_it(client, editor, commitment):
    log_in(client, editor)

    page = client.get(rule_url())
    response = client.post(rule_url(), RULE_DATA)

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert response.status_code == 403
    assert FollowUpRule.objects.get(kind="membership").interval_days == 365


def test_a_reviewer_changes_a_rule_and_the_due_dates_of_its_kind_follow(
    client, reviewer, commitment, platform
):
    policy = make_commitment(platform, kind="policy")
    policy_due = Commitment.objects.get(pk=policy.pk).follow_up_due_on
    assert commitment.announced_on == datetime.date(2020, 6, 22)
    log_in(client, reviewer)

    response = client.post(rule_url("membership"), RULE_DATA)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.follow_up_due_on == datetime.date(2020, 7, 22)
    assert commitment.flag_from == datetime.date(2020, 7, 29)
    assert Commitment.objects.get(pk=policy.pk).follow_up_due_on == policy_due
    assert "Due dates recomputed for 1 pledge of this kind." in message_texts(response)


def test_the_kind_of_a_rule_cannot_be_changed(client, reviewer):
    log_in(client, reviewer)

    client.post(rule_url("membership"), {**RULE_DATA, "kind": "policy"})

    assert FollowUpRule.objects.get(kind="membership").interval_days == 30
    assert FollowUpRule.objects.get(kind="policy").interval_days == 180


def test_no_one_but_a_superuser_adds_or_deletes_a_rule(client, reviewer):
    log_in(client, reviewer)

    assert client.get(reverse("admin:commitments_followuprule_add")).status_code == 403
    rule = FollowUpRule.objects.get(kind="membership")
    delete = reverse("admin:commitments_followuprule_delete", args=[rule.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert FollowUpRule.objects.filter(pk=rule.pk).exists()


def test_a_superuser_deleting_rules_leaves_their_kinds_never_due(client, commitment):
    log_in(client, User.objects.create_superuser("root", "root@example.org", "pw"))
    assert Commitment.objects.get(pk=commitment.pk).follow_up_due_on is not None
    rule = FollowUpRule.objects.get(kind="membership")

    response = client.post(
        reverse("admin:commitments_followuprule_changelist"),
        {"action": "delete_selected", "_selected_action": [rule.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not FollowUpRule.objects.filter(kind="membership").exists()
    assert Commitment.objects.get(pk=commitment.pk).follow_up_due_on is None


# Job runs --------------------------------------------------------------------------------


def test_job_runs_are_shown_and_never_changed(client, reviewer):
    run = JobRun.objects.create(
        job="flag_commitments", last_started_at=NOW, last_summary="Opened 3 flags."
    )
    log_in(client, reviewer)
    url = reverse("admin:commitments_jobrun_change", args=[run.pk])

    listing = client.get(reverse("admin:commitments_jobrun_changelist"))
    response = client.post(url, {"job": "renamed", "last_summary": "Edited"})

    assertContains(listing, "Opened 3 flags.")
    assert response.status_code == 403
    assert JobRun.objects.get(pk=run.pk).job == "flag_commitments"


# The commitment page ---------------------------------------------------------------------


def test_the_commitment_page_shows_its_due_dates_and_open_flags(client, editor, commitment):
    open_flag = Flag.objects.create(
        commitment=commitment,
        reason=Flag.Reason.OVERDUE,
        opened_at=datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC),
    )
    closed = Flag.objects.create(
        commitment=commitment, reason=Flag.Reason.UNSOURCED, resolved_at=NOW - DAY
    )
    commitment.refresh_from_db()
    log_in(client, editor)

    response = client.get(commitment.get_admin_url())

    assert commitment.follow_up_due_on == datetime.date(2021, 6, 22)
    assertContains(response, "22 Jun 2021")  # due on, as the admin writes dates
    assertContains(response, "6 Jul 2021")  # flagged from, after 14 days' grace
    flag_url = reverse("admin:commitments_flag_change", args=[open_flag.pk])
    assertContains(response, f'<a href="{flag_url}">Follow-up overdue</a>')
    assertContains(response, "opened 1 October 2026")
    closed_url = reverse("admin:commitments_flag_change", args=[closed.pk])
    assertNotContains(response, closed_url)


def test_the_commitment_page_saves_its_own_follow_up_interval(client, editor, commitment):
    log_in(client, editor)
    page = client.get(commitment.get_admin_url())

    response = client.post(
        commitment.get_admin_url(), {**page_data(page), "follow_up_interval_days": "30"}
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.follow_up_interval_days == 30
    assert commitment.follow_up_due_on == datetime.date(2020, 7, 22)
