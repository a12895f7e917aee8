"""Who may do what in the admin: Editors record, Reviewers also publish and delete,
staff in no group see nothing, and anonymous visitors are sent to the login page."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from commitments.curation.evidence import follow_up_record
from commitments.models import Citation, Commitment, FollowUp
from tests.admin_forms import page_data
from tests.staff_login import log_in

MODELS = ["platform", "initiative", "source", "person", "commitment", "followup"]
CHANGELIST = reverse("admin:commitments_commitment_changelist")


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:commitments_{model}_{view}", args=args)


@pytest.fixture
def all_records(commitment, source):
    """One row of each model, keyed by model name."""
    follow_up = follow_up_record(
        approve=True,
        follow_up=FollowUp(
            commitment=commitment,
            happened_on=datetime.date(2021, 6, 1),
            kind=FollowUp.Kind.PROGRESS_REPORT,
            summary="Progress",
        ),
    )
    person = commitment.people.create(name="Jane Doe", role="Head of Safety")
    return {
        "platform": commitment.platform,
        "initiative": commitment.initiative,
        "source": source,
        "person": person,
        "commitment": commitment,
        "followup": follow_up,
    }


@pytest.fixture
def draft(commitment):
    """An unpublished commitment that has a source, ready to publish."""
    Commitment.objects.filter(pk=commitment.pk).update(published=False)
    commitment.refresh_from_db()
    return commitment


def run_action(client, action: str, *pledges):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(p.pk) for p in pledges]},
        follow=True,
    )


def offered_actions(client) -> list[str]:
    action_form = client.get(CHANGELIST).context["action_form"]
    if action_form is None:  # no action at all: the changelist shows no action bar
        return []
    return [name for name, _ in action_form.fields["action"].choices]


# Editors.


@pytest.mark.parametrize("model", MODELS)
def test_editor_can_open_list_add_and_change_pages(client, editor, all_records, model):
    log_in(client, editor)
    record = all_records[model]

    assert client.get(url(model, "changelist")).status_code == 200
    assert client.get(url(model, "add")).status_code == 200
    assert client.get(url(model, "change", record.pk)).status_code == 200
    assert client.get(url(model, "history", record.pk)).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_editor_cannot_delete(client, editor, all_records, model):
    log_in(client, editor)
    record = all_records[model]

    assert client.get(url(model, "delete", record.pk)).status_code == 403
    assert client.post(url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    assert type(record).objects.filter(pk=record.pk).exists()


def test_editor_adds_a_draft_commitment(client, editor, platform):
    log_in(client, editor)
    data = page_data(client.get(url("commitment", "add")))
    data.update(
        platform=platform.pk, kind="policy", title="Teen accounts", announced_on="2024-09-17"
    )
    data["published"] = "on"  # not on the form for an editor; ignored

    response = client.post(url("commitment", "add"), data)

    assert response.status_code == 302
    assert Commitment.objects.get(title="Teen accounts").published is False


def test_editor_changes_a_commitment(client, editor, commitment):
    log_in(client, editor)
    data = page_data(client.get(url("commitment", "change", commitment.pk)))
    data["summary"] = "Joined in June 2020."

    response = client.post(url("commitment", "change", commitment.pk), data)

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.summary == "Joined in June 2020."
    assert commitment.published  # kept, though the editor cannot change it


def test_editor_cannot_publish_through_the_form(client, editor, draft):
    log_in(client, editor)
    response = client.get(url("commitment", "change", draft.pk))
    assert "published" not in response.context["adminform"].form.fields
    data = page_data(response)
    data["published"] = "on"

    client.post(url("commitment", "change", draft.pk), data)

    draft.refresh_from_db()
    assert draft.published is False


def test_editor_is_not_offered_the_publish_actions(client, editor, draft):
    log_in(client, editor)

    actions = offered_actions(client)

    assert "publish_selected" not in actions
    assert "unpublish_selected" not in actions
    assert "delete_selected" not in actions


def test_editor_cannot_publish_by_posting_the_action(client, editor, draft):
    log_in(client, editor)

    response = run_action(client, "publish_selected", draft)

    assertNotContains(response, "Published 1 commitment")
    draft.refresh_from_db()
    assert draft.published is False


def test_editor_picks_an_owner_among_active_staff(client, editor, reviewer):
    User.objects.create_user("member", is_staff=False)
    User.objects.create_user("gone", is_staff=True, is_active=False)
    log_in(client, editor)
    params = {"app_label": "commitments", "model_name": "commitment", "field_name": "owner"}

    response = client.get(reverse("admin:commitments_commitment_owner_autocomplete"), params)

    assert response.status_code == 200
    names = {result["text"] for result in response.json()["results"]}
    assert names == {"editor", "reviewer"}


def test_the_owner_field_searches_staff_through_its_own_autocomplete(client, editor, commitment):
    log_in(client, editor)

    response = client.get(url("commitment", "change", commitment.pk))

    owner_search = reverse("admin:commitments_commitment_owner_autocomplete")
    assertContains(response, f'data-ajax--url="{owner_search}"')


def test_owner_autocomplete_serves_no_other_field(client, editor):
    log_in(client, editor)
    params = {"app_label": "commitments", "model_name": "historicalcommitment"}

    response = client.get(
        reverse("admin:commitments_commitment_owner_autocomplete"),
        {**params, "field_name": "history_user"},
    )

    assert response.status_code == 403


def test_editor_adds_a_follow_up_with_its_proof_on_its_own_page(client, editor, commitment, source):
    log_in(client, editor)
    data = page_data(client.get(url("followup", "add")))
    data.update(
        {
            "commitment": commitment.pk,
            "happened_on": "2023-01-01",
            "happened_precision": "year",
            "kind": FollowUp.Kind.REGULATOR_FINDING,
            "summary": "The regulator found it in place.",
            "status_after": "verified",
            "citations-TOTAL_FORMS": "1",
            "citations-0-source": source.pk,
        }
    )

    response = client.post(url("followup", "add"), data)

    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.citations.get().source == source
    # An Editor's rating is a draft: the status moves once a Reviewer approves it.
    assert follow_up.is_draft
    commitment.refresh_from_db()
    assert commitment.status == "announced"


# Reviewers.


@pytest.mark.parametrize("model", MODELS)
def test_reviewer_can_delete(client, reviewer, all_records, model):
    log_in(client, reviewer)
    record = all_records[model]
    if model in ("platform", "initiative", "source"):
        # Protected while a commitment or citation points at them.
        Commitment.objects.all().delete()
        Citation.objects.all().delete()

    assert client.get(url(model, "delete", record.pk)).status_code == 200
    response = client.post(url(model, "delete", record.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not type(record).objects.filter(pk=record.pk).exists()


def test_deleting_selected_follow_ups_sets_the_status_anew(client, reviewer, commitment):
    follow_up = follow_up_record(
        approve=True,
        follow_up=FollowUp(
            commitment=commitment,
            happened_on=datetime.date(2021, 1, 1),
            kind=FollowUp.Kind.REVERSAL,
            summary="Rolled back",
            status_after="withdrawn",
        ),
    )
    log_in(client, reviewer)

    client.post(
        url("followup", "changelist"),
        {"action": "delete_selected", "_selected_action": [follow_up.pk], "post": "yes"},
    )

    assert not FollowUp.objects.exists()
    commitment.refresh_from_db()
    assert commitment.status == "announced"


def test_reviewer_sees_published_as_editable(client, reviewer, commitment):
    log_in(client, reviewer)

    response = client.get(url("commitment", "change", commitment.pk))

    assert "published" in response.context["adminform"].form.fields


def test_reviewer_publishes_and_unpublishes_through_the_form(client, reviewer, draft):
    log_in(client, reviewer)
    data = page_data(client.get(url("commitment", "change", draft.pk)))
    data["published"] = "on"

    client.post(url("commitment", "change", draft.pk), data)

    draft.refresh_from_db()
    assert draft.published is True


def test_reviewer_publishes_selected_and_is_told_which_lack_a_source(client, reviewer, draft):
    unsourced = Commitment.objects.create(
        platform=draft.platform,
        kind="policy",
        title="No source yet",
        announced_on=draft.announced_on,
    )
    log_in(client, reviewer)

    response = run_action(client, "publish_selected", draft, unsourced)

    assertContains(response, "Not published, as they have no source: TikTok: No source yet.")
    assertContains(response, "Published 1 commitment.")
    draft.refresh_from_db()
    unsourced.refresh_from_db()
    assert (draft.published, unsourced.published) == (True, False)
    assert draft.history.first().history_user == reviewer


def test_reviewer_unpublishes_selected(client, reviewer, commitment):
    log_in(client, reviewer)

    response = run_action(client, "unpublish_selected", commitment)

    assertContains(response, "Unpublished 1 commitment.")
    commitment.refresh_from_db()
    assert commitment.published is False


def test_reviewer_is_offered_the_publish_actions(client, reviewer, commitment):
    log_in(client, reviewer)

    actions = offered_actions(client)

    assert {"publish_selected", "unpublish_selected", "delete_selected"} <= set(actions)


# Outsiders and anonymous visitors.


def test_staff_in_no_group_sees_no_models(client, outsider, commitment):
    log_in(client, outsider)

    response = client.get(reverse("admin:index"))

    assert response.context["app_list"] == []
    assertNotContains(response, "Commitments")


@pytest.mark.parametrize("model", MODELS)
def test_staff_in_no_group_is_refused_every_changelist(client, outsider, model):
    log_in(client, outsider)

    assert client.get(url(model, "changelist")).status_code == 403
    assert client.get(url(model, "add")).status_code == 403


def test_staff_in_no_group_cannot_search_owners(client, outsider):
    log_in(client, outsider)
    params = {"app_label": "commitments", "model_name": "commitment", "field_name": "owner"}

    response = client.get(reverse("admin:commitments_commitment_owner_autocomplete"), params)

    assert response.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        reverse("admin:index"),
        CHANGELIST,
        reverse("admin:commitments_commitment_add"),
        reverse("admin:commitments_commitment_change", args=[1]),
        reverse("admin:commitments_source_changelist"),
        reverse("admin:commitments_commitment_deleted"),
        reverse("admin:commitments_commitment_owner_autocomplete"),
    ],
)
def test_anonymous_users_are_sent_to_the_admin_login(client, db, path):
    response = client.get(path)

    assertRedirects(response, f"{reverse('admin:login')}?next={path}")


def test_anonymous_restore_post_is_sent_to_the_admin_login(client, db):
    path = reverse("admin:commitments_commitment_restore", args=[1])

    response = client.post(path)

    assertRedirects(response, f"{reverse('admin:login')}?next={path}")
