"""Reminders in the admin: failed ones are visible, and no row is edited by hand."""

import pytest
from django.contrib.auth.models import User

from reminders import sending
from reminders.models import Reminder, ReminderPreference
from tests.reminders.helpers import TODAY, flagged
from tests.staff_login import log_in

CHANGELIST = "/admin/reminders/reminder/"


@pytest.fixture
def failed(platform, editor, smtp):
    flagged(platform, "Pledge", owner=editor)
    sending.reminders_create(today=TODAY)
    reminder = Reminder.objects.get()
    smtp.replies = ["550 5.7.1 Message rejected"]
    assert sending.reminder_deliver(reminder_id=reminder.pk).outcome == sending.FAILED
    return reminder


def test_a_failed_reminder_shows_in_the_admin_changelist(failed, client):
    log_in(client, User.objects.create_superuser("boss", "boss@example.org", "pw"))

    page = client.get(CHANGELIST, {"status__exact": "failed"}).content.decode()

    assert '<td class="field-status">Failed</td>' in page
    assert "550 5.7.1 Message rejected" in page
    assert "editor" in page
    assert (
        client.get(CHANGELIST, {"status__exact": "sent"})
        .content.decode()
        .count('class="field-status"')
        == 0
    )


def test_staff_see_reminders_but_cannot_edit_add_or_delete_them(failed, editor, client):
    log_in(client, editor)
    change = f"{CHANGELIST}{failed.pk}/change/"

    assert client.get(CHANGELIST).status_code == 200
    page = client.get(change).content.decode()
    assert "550 5.7.1 Message rejected" in page
    assert 'name="_save"' not in page
    assert client.post(change, {"status": "sent"}).status_code == 403
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.get(f"{CHANGELIST}{failed.pk}/delete/").status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_reviewers_can_send_failed_reminders_again_but_never_sent_ones(
    failed, reviewer, queued, client, django_capture_on_commit_callbacks
):
    other = Reminder.objects.create(recipient=reviewer, period="2026-W48", status="sent")
    log_in(client, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {"action": "send_again", "_selected_action": [failed.pk, other.pk]},
            follow=True,
        )

    assert "1 queued to send again." in response.content.decode()
    assert queued == [failed.pk]
    failed.refresh_from_db()
    other.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert other.status == "sent"


def test_preferences_can_be_set_for_a_colleague_in_the_admin(editor, reviewer, client):
    log_in(client, reviewer)

    response = client.post(
        "/admin/reminders/reminderpreference/add/",
        {"user": editor.pk, "frequency": "daily", "paused_until": ""},
    )

    assert response.status_code == 302
    assert ReminderPreference.objects.get(user=editor).frequency == "daily"


def test_a_reviewer_can_choose_a_colleague_for_a_preference(client, reviewer, editor):
    log_in(client, reviewer)
    page = client.get("/admin/reminders/reminderpreference/add/").content.decode()
    assert f'<option value="{editor.pk}">editor</option>' in page
