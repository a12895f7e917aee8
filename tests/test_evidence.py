"""Recording, changing and deleting follow-ups (commitments/curation/evidence.py), and
what that does to the commitment they follow up: its status, the date of its newest
evidence, and its history."""

import datetime

import time_machine

from commitments.curation.evidence import follow_up_change, follow_up_record, follow_ups_delete
from commitments.models import Commitment, FollowUp, Status
from commitments.refresh import commitments_refresh
from tests.clock import NOW

FIRST_REPORT_ON = datetime.date(2021, 1, 15)
SECOND_REPORT_ON = datetime.date(2021, 6, 1)
EARLY_REPORT_ON = datetime.date(2020, 12, 1)


def add_follow_up(commitment, happened_on, status_after="") -> FollowUp:
    return follow_up_record(
        approve=True,
        follow_up=FollowUp(
            commitment=commitment,
            happened_on=happened_on,
            kind=FollowUp.Kind.PROGRESS_REPORT,
            summary="The platform reported on its progress.",
            status_after=status_after,
        ),
    )


def status_of(commitment) -> str:
    return Commitment.objects.get(pk=commitment.pk).status


def test_a_new_commitment_is_announced(commitment):
    assert status_of(commitment) == Status.ANNOUNCED


def test_a_follow_up_naming_a_status_moves_the_commitment_to_it(commitment):
    add_follow_up(commitment, FIRST_REPORT_ON, Status.DELIVERED)

    assert status_of(commitment) == Status.DELIVERED


def test_a_later_follow_up_without_a_status_leaves_the_status_alone(commitment):
    add_follow_up(commitment, FIRST_REPORT_ON, Status.DELIVERED)
    add_follow_up(commitment, SECOND_REPORT_ON)

    assert status_of(commitment) == Status.DELIVERED


def test_a_follow_up_dated_before_the_newest_does_not_override_it(commitment):
    add_follow_up(commitment, FIRST_REPORT_ON, Status.DELIVERED)
    add_follow_up(commitment, EARLY_REPORT_ON, Status.STALLED)

    assert status_of(commitment) == Status.DELIVERED


def test_a_newer_follow_up_can_move_the_status_backwards(commitment):
    add_follow_up(commitment, FIRST_REPORT_ON, Status.DELIVERED)
    add_follow_up(commitment, SECOND_REPORT_ON, Status.LAPSED)

    assert status_of(commitment) == Status.LAPSED


def test_deleting_the_only_follow_up_moves_the_status_back_to_announced(commitment):
    report = add_follow_up(commitment, FIRST_REPORT_ON, Status.DELIVERED)

    follow_ups_delete(follow_ups=[report])

    assert status_of(commitment) == Status.ANNOUNCED


def test_evidence_moved_to_another_pledge_leaves_the_first_without_it(commitment):
    other = Commitment.objects.create(
        platform=commitment.platform,
        kind=Commitment.Kind.POLICY,
        title="Teen accounts are private by default",
        announced_on=commitment.announced_on,
    )
    report = add_follow_up(commitment, FIRST_REPORT_ON, Status.DELIVERED)

    report.commitment = other
    follow_up_change(follow_up=report, approve=True)  # as a Reviewer moves it

    commitment.refresh_from_db()
    other.refresh_from_db()
    assert (commitment.status, commitment.latest_follow_up_on) == (Status.ANNOUNCED, None)
    assert (other.status, other.latest_follow_up_on) == (Status.DELIVERED, FIRST_REPORT_ON)


def test_deleting_the_newest_follow_up_moves_the_status_back_to_the_one_before(commitment):
    add_follow_up(commitment, FIRST_REPORT_ON, Status.IN_PROGRESS)
    newest = add_follow_up(commitment, SECOND_REPORT_ON, Status.DELIVERED)

    follow_ups_delete(follow_ups=FollowUp.objects.filter(pk=newest.pk))

    assert status_of(commitment) == Status.IN_PROGRESS


def test_every_status_change_is_kept_in_the_commitment_s_history(commitment):
    before = commitment.history.count()

    add_follow_up(commitment, FIRST_REPORT_ON, Status.DELIVERED)
    add_follow_up(commitment, SECOND_REPORT_ON, Status.VERIFIED)

    assert commitment.history.count() == before + 2
    newest, previous, oldest = commitment.history.all()[:3]
    assert [newest.history_type, previous.history_type] == ["~", "~"]
    assert [newest.status, previous.status, oldest.status] == [
        Status.VERIFIED,
        Status.DELIVERED,
        Status.ANNOUNCED,
    ]


def test_moving_the_status_back_on_deletion_is_kept_in_the_history(commitment):
    report = add_follow_up(commitment, FIRST_REPORT_ON, Status.DELIVERED)
    before = commitment.history.count()

    follow_ups_delete(follow_ups=[report])

    newest = commitment.history.first()
    assert commitment.history.count() == before + 1
    assert (newest.history_type, newest.status) == ("~", Status.ANNOUNCED)


def test_of_two_follow_ups_on_one_date_the_one_recorded_last_is_the_newest(commitment):
    add_follow_up(commitment, FIRST_REPORT_ON, Status.VERIFIED)
    add_follow_up(commitment, FIRST_REPORT_ON, Status.STALLED)

    assert status_of(commitment) == Status.STALLED


def test_a_refresh_keeps_history_only_for_the_pledges_it_changed(commitment):
    other = Commitment.objects.create(
        platform=commitment.platform, kind=Commitment.Kind.POLICY, title="Other",
        announced_on=commitment.announced_on,
    )  # fmt: skip
    before = other.history.count()
    # One instant for everything, as a frozen clock gives: the rows stamped with the
    # refresh's moment are not the ones it changed.
    with time_machine.travel(NOW, tick=False):
        Commitment.objects.filter(pk=other.pk).update(updated_at=NOW)
        FollowUp.objects.create(
            commitment=commitment, happened_on=FIRST_REPORT_ON, kind=FollowUp.Kind.STATEMENT,
            summary="Done.", status_after=Status.DELIVERED, approved_at=NOW,
        )  # fmt: skip
        commitments_refresh(commitments=[commitment.pk, other.pk])

    assert commitment.history.order_by("-history_id").first().status == Status.DELIVERED
    assert other.history.count() == before
