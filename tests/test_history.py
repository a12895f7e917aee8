"""commitment_restore: what comes back with a deleted commitment, and when it refuses."""

import datetime

import pytest

from commitments.curation.evidence import follow_up_record
from commitments.curation.restore import (
    AlreadyRestored,
    RestoreError,
    commitment_restore,
    deleted_commitments,
)
from commitments.models import Citation, Commitment, FollowUp, Person, Source, Status


def delete(commitment):
    """Delete as the admin does; returns the deletion's history record."""
    pk = commitment.pk  # delete() sets it to None
    commitment.delete()
    commitment.pk = pk
    return Commitment.history.filter(id=pk, history_type="-").latest("history_date")


@pytest.fixture
def followed_up(commitment):
    follow_up_record(
        approve=True,
        follow_up=FollowUp(
            commitment=commitment,
            happened_on=datetime.date(2022, 1, 1),
            kind=FollowUp.Kind.INDEPENDENT_TEST,
            summary="Tested with a 13-year-old account",
            status_after=Status.VERIFIED,
        ),
    )
    return commitment


def test_it_restores_the_commitment_its_citations_and_follow_ups(reviewer, followed_up):
    citation_ids = list(followed_up.citations.values_list("id", flat=True))
    deletion = delete(followed_up)

    restored = commitment_restore(history_id=deletion.history_id, user=reviewer)

    assert restored.pk == followed_up.pk
    assert restored.status == Status.VERIFIED
    assert list(restored.citations.values_list("id", flat=True)) == citation_ids
    assert restored.follow_ups.count() == 1
    assert restored.history.first().history_change_reason == "Restored after deletion"


def test_it_keeps_when_the_commitment_was_first_recorded(reviewer, commitment):
    created_at = commitment.created_at
    deletion = delete(commitment)

    restored = commitment_restore(history_id=deletion.history_id, user=reviewer)

    restored.refresh_from_db()
    assert restored.created_at == created_at


def test_it_leaves_out_a_citation_deleted_earlier_on_its_own(reviewer, commitment, source):
    earlier = Citation.objects.create(commitment=commitment, source=source, quote="Wrong")
    Citation.objects.filter(pk=earlier.pk).delete()
    Citation.history.filter(id=earlier.pk, history_type="-").update(
        history_date=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)
    )
    deletion = delete(commitment)

    restored = commitment_restore(history_id=deletion.history_id, user=reviewer)

    assert list(restored.citations.values_list("quote", flat=True)) == [""]


def test_it_refuses_a_second_time(reviewer, commitment):
    deletion = delete(commitment)
    commitment_restore(history_id=deletion.history_id, user=reviewer)

    with pytest.raises(AlreadyRestored, match="already exists"):
        commitment_restore(history_id=deletion.history_id, user=reviewer)
    assert Citation.objects.count() == 1


def test_it_refuses_when_the_same_pledge_was_recorded_again_since(reviewer, commitment):
    deletion = delete(commitment)
    Commitment.objects.create(
        platform=commitment.platform,
        initiative=commitment.initiative,
        kind=commitment.kind,
        title=commitment.title,
        announced_on=commitment.announced_on,
    )

    with pytest.raises(RestoreError, match="already has a commitment"):
        commitment_restore(history_id=deletion.history_id, user=reviewer)
    assert Commitment.objects.count() == 1


def test_it_refuses_when_a_source_was_deleted_since(reviewer, commitment, source):
    deletion = delete(commitment)
    source.delete()

    with pytest.raises(RestoreError, match="TikTok joins WeProtect Global Alliance"):
        commitment_restore(history_id=deletion.history_id, user=reviewer)
    assert not Commitment.objects.exists()


def test_it_drops_a_quoted_person_deleted_since(reviewer, commitment, source):
    person = Person.objects.create(name="Jane Doe")
    Citation.objects.filter(commitment=commitment).update(person=person)
    commitment.refresh_from_db()
    deletion = delete(commitment)
    person.delete()

    restored = commitment_restore(history_id=deletion.history_id, user=reviewer)

    assert restored.citations.get().person is None


def test_deleted_commitments_lists_only_those_still_deleted(reviewer, commitment, platform):
    other = Commitment.objects.create(
        platform=platform, kind="policy", title="Other", announced_on=commitment.announced_on
    )
    first = delete(commitment)
    delete(other)
    commitment_restore(history_id=first.history_id, user=reviewer)

    assert [record.title for record in deleted_commitments()] == ["Other"]


def test_a_deletion_restored_and_deleted_again_is_listed_once(reviewer, commitment):
    first = delete(commitment)
    restored = commitment_restore(history_id=first.history_id, user=reviewer)
    second = delete(restored)

    assert [record.history_id for record in deleted_commitments()] == [second.history_id]
    assert Source.objects.count() == 1
