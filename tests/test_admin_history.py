"""History in the admin: who changed what, and bringing back a mistaken delete."""

import datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from commitments.curation.evidence import follow_up_record
from commitments.curation.publishing import NEEDS_SOURCE
from commitments.curation.restore import deleted_commitments
from commitments.models import Citation, Commitment, FollowUp, Source, Status
from tests.admin_forms import add_inline_row, page_data
from tests.staff_login import log_in

DELETED = reverse("admin:commitments_commitment_deleted")


def change_url(commitment) -> str:
    return reverse("admin:commitments_commitment_change", args=[commitment.pk])


def restore_url(history_id: int) -> str:
    return reverse("admin:commitments_commitment_restore", args=[history_id])


@pytest.fixture
def evidenced(commitment):
    """The cast's commitment with a second source, a person, and a follow-up with proof."""
    second = Source.objects.create(url="https://www.weprotect.org/members", title="Members")
    Citation.objects.create(commitment=commitment, source=second, quote="TikTok")
    commitment.people.create(name="Jane Doe", role="Head of Safety")
    follow_up = follow_up_record(
        approve=True,
        follow_up=FollowUp(
            commitment=commitment,
            happened_on=datetime.date(2021, 6, 1),
            kind=FollowUp.Kind.PROGRESS_REPORT,
            summary="Reported progress",
            status_after=Status.IN_PROGRESS,
        ),
    )
    Citation.objects.create(follow_up=follow_up, source=second)
    commitment.refresh_from_db()
    return commitment


def snapshot(commitment) -> dict:
    """What a restore must bring back exactly."""
    return {
        "commitment": (commitment.pk, commitment.title, commitment.published, commitment.status),
        "citations": sorted(commitment.citations.values_list("id", "source_id", "quote")),
        "people": sorted(commitment.people.values_list("id", flat=True)),
        "follow_ups": sorted(commitment.follow_ups.values_list("id", "status_after")),
        "follow_up_citations": sorted(
            Citation.objects.filter(follow_up__commitment=commitment).values_list("id", "source_id")
        ),
    }


def delete_through_admin(client, commitment):
    url = reverse("admin:commitments_commitment_delete", args=[commitment.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Commitment.objects.filter(pk=commitment.pk).exists()
    return commitment.history.model.objects.get(id=commitment.pk, history_type="-")


def test_a_change_through_the_admin_records_who_made_it(client, reviewer, commitment):
    log_in(client, reviewer)
    data = page_data(client.get(change_url(commitment)))
    data["title"] = "TikTok joins WeProtect"

    client.post(change_url(commitment), data)

    latest = commitment.history.first()
    assert (latest.history_type, latest.title, latest.history_user) == (
        "~",
        "TikTok joins WeProtect",
        reviewer,
    )
    history_page = reverse("admin:commitments_commitment_history", args=[commitment.pk])
    assertContains(client.get(history_page), "reviewer")


def test_adding_a_follow_up_in_the_admin_records_the_status_change(
    client, reviewer, commitment, source
):
    log_in(client, reviewer)
    add_page = reverse("admin:commitments_followup_add")
    data = page_data(client.get(add_page))
    data.update(
        commitment=str(commitment.pk),
        happened_on="2021-03-01",
        happened_precision="month",
        kind=FollowUp.Kind.TRANSPARENCY_REPORT,
        status_after=Status.DELIVERED,
        summary="Reported in its transparency report.",
    )
    add_inline_row(data, "citations", source=str(source.pk))

    response = client.post(add_page, data)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == Status.DELIVERED
    latest = commitment.history.first()
    assert (latest.status, latest.history_user) == (Status.DELIVERED, reviewer)
    assert FollowUp.history.get().history_user == reviewer


def test_a_deletion_through_the_admin_is_recorded_with_its_cascade(client, reviewer, evidenced):
    log_in(client, reviewer)

    deletion = delete_through_admin(client, evidenced)

    assert deletion.history_user == reviewer
    assert Citation.history.filter(history_type="-", history_user=reviewer).count() == 3
    assert FollowUp.history.filter(history_type="-", history_user=reviewer).count() == 1


def test_reviewer_restores_a_deleted_commitment_with_its_sources_and_follow_ups(
    client, reviewer, evidenced
):
    before = snapshot(evidenced)
    log_in(client, reviewer)
    deletion = delete_through_admin(client, evidenced)
    assertContains(client.get(DELETED), evidenced.title)

    response = client.post(restore_url(deletion.history_id), follow=True)

    assertRedirects(response, change_url(evidenced))
    assertContains(response, "with 2 citations and 1 follow-up")
    restored = Commitment.objects.get(pk=evidenced.pk)
    assert snapshot(restored) == before
    assert restored.history.first().history_user == reviewer
    assertNotContains(client.get(DELETED), evidenced.title)


def test_commitments_deleted_together_are_each_restorable(client, reviewer, evidenced):
    other = Commitment.objects.create(
        platform=evidenced.platform,
        kind="policy",
        title="Other",
        announced_on=evidenced.announced_on,
    )
    log_in(client, reviewer)
    client.post(
        reverse("admin:commitments_commitment_changelist"),
        {"action": "delete_selected", "_selected_action": [evidenced.pk, other.pk], "post": "yes"},
    )
    assert not Commitment.objects.exists()

    for record in deleted_commitments():
        client.post(restore_url(record.history_id))

    assert set(Commitment.objects.values_list("pk", flat=True)) == {evidenced.pk, other.pk}
    assert Commitment.objects.get(pk=evidenced.pk).citations.count() == 2


def test_restoring_twice_does_not_duplicate(client, reviewer, evidenced):
    log_in(client, reviewer)
    deletion = delete_through_admin(client, evidenced)
    client.post(restore_url(deletion.history_id))
    before = snapshot(evidenced)

    response = client.post(restore_url(deletion.history_id), follow=True)

    assertContains(response, "already exists")
    assert snapshot(evidenced) == before
    assert Commitment.objects.count() == 1


def test_restore_takes_a_post(client, reviewer, evidenced):
    log_in(client, reviewer)
    deletion = delete_through_admin(client, evidenced)

    assert client.get(restore_url(deletion.history_id)).status_code == 405
    assert not Commitment.objects.exists()


def test_restore_of_something_else_than_a_deletion_is_refused(client, reviewer, commitment):
    log_in(client, reviewer)
    creation = commitment.history.get(history_type="+")

    response = client.post(restore_url(creation.history_id), follow=True)

    assertContains(response, "Not restored: There is no deletion with this history id.")


def test_the_commitment_list_links_reviewers_to_deleted_commitments(client, reviewer, db):
    log_in(client, reviewer)

    response = client.get(reverse("admin:commitments_commitment_changelist"))

    assertContains(response, f'href="{DELETED}"')


def test_editor_has_no_access_to_deleted_commitments(client, editor, reviewer, commitment):
    log_in(client, reviewer)
    deletion = delete_through_admin(client, commitment)
    log_in(client, editor)

    assertNotContains(client.get(reverse("admin:commitments_commitment_changelist")), DELETED)
    assert client.get(DELETED).status_code == 403
    assert client.post(restore_url(deletion.history_id)).status_code == 403
    assert not Commitment.objects.exists()


def test_staff_in_no_group_has_no_access_to_deleted_commitments(client, outsider, db):
    log_in(client, outsider)

    assert client.get(DELETED).status_code == 403
    assert client.post(restore_url(1)).status_code == 403


def test_the_plain_revert_form_sends_a_deleted_commitment_to_the_restore_page(
    client, reviewer, evidenced
):
    log_in(client, reviewer)
    deletion = delete_through_admin(client, evidenced)
    revert = reverse(
        "admin:commitments_commitment_simple_history",
        args=[evidenced.pk, deletion.prev_record.history_id],
    )

    response = client.post(revert, {"title": "Recreated without its sources"}, follow=True)

    assertContains(response, "A reviewer can restore it")
    assert not Commitment.objects.exists()
    assert deleted_commitments().count() == 1


def test_reverting_keeps_the_status_set_by_follow_ups(client, reviewer, evidenced):
    log_in(client, reviewer)
    announced_version = evidenced.history.filter(status=Status.ANNOUNCED).first()
    revert = reverse(
        "admin:commitments_commitment_simple_history",
        args=[evidenced.pk, announced_version.history_id],
    )

    latest_follow_up_on = evidenced.latest_follow_up_on

    client.post(revert, page_data(client.get(revert)))

    evidenced.refresh_from_db()
    assert evidenced.status == Status.IN_PROGRESS
    assert latest_follow_up_on is not None
    assert evidenced.latest_follow_up_on == latest_follow_up_on


def test_reverting_to_a_published_version_needs_a_source(client, reviewer, commitment):
    published_version = commitment.history.first()
    Commitment.objects.filter(pk=commitment.pk).update(published=False)
    commitment.citations.all().delete()
    log_in(client, reviewer)
    revert = reverse(
        "admin:commitments_commitment_simple_history",
        args=[commitment.pk, published_version.history_id],
    )

    response = client.post(revert, page_data(client.get(revert)))

    assertContains(response, NEEDS_SOURCE)
    commitment.refresh_from_db()
    assert commitment.published is False


def test_an_editor_reverting_to_a_published_version_does_not_publish(client, editor, commitment):
    published_version = commitment.history.first()
    Commitment.objects.filter(pk=commitment.pk).update(published=False)
    log_in(client, editor)
    revert = reverse(
        "admin:commitments_commitment_simple_history",
        args=[commitment.pk, published_version.history_id],
    )

    response = client.post(revert, page_data(client.get(revert)))

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.published is False
