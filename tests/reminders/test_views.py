"""The preferences page a digest links to (reminders/views.py)."""

import datetime
from urllib.parse import urlsplit

import time_machine
from django.core import signing

from reminders import sending
from reminders.models import Reminder, ReminderPreference
from reminders.tokens import LINK_LIFETIME, preferences_token
from tests.reminders.helpers import TODAY, flagged


def url_for(user) -> str:
    return f"/reminders/preferences/{preferences_token(user)}/"


def test_the_link_in_a_digest_opens_the_recipients_preferences(platform, editor, smtp, client):
    flagged(platform, "Pledge", owner=editor)
    sending.reminders_create(today=TODAY)
    sending.reminder_deliver(reminder_id=Reminder.objects.get().pk)
    link = smtp.messages[0]["List-Unsubscribe"].strip().strip("<>")

    response = client.get(urlsplit(link).path)

    assert response.status_code == 200
    page = response.content.decode()
    assert "editor@example.org" in page
    # No preference saved yet: the default, weekly, is the one chosen.
    assert 'value="weekly" required id="id_frequency_1" checked' in page


def test_saving_the_form_changes_the_preference(editor, client):
    response = client.post(url_for(editor), {"frequency": "daily", "paused_until": "2026-12-24"})

    assert response.status_code == 302
    preference = ReminderPreference.objects.get(user=editor)
    assert preference.frequency == "daily"
    assert preference.paused_until == datetime.date(2026, 12, 24)
    assert "Saved." in client.get(response.url).content.decode()


def test_an_invalid_form_is_shown_again_with_its_error(editor, client):
    response = client.post(url_for(editor), {"frequency": "hourly"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ReminderPreference.objects.exists()


def test_one_click_unsubscribe_turns_digests_off(platform, editor, client):
    flagged(platform, "Pledge", owner=editor)

    response = client.post(url_for(editor), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert ReminderPreference.objects.get(user=editor).frequency == "off"
    assert sending.reminders_create(today=TODAY).recipients == 0


def test_a_tampered_or_foreign_token_is_refused_with_a_clear_page(editor, client):
    token = preferences_token(editor)
    other_salt = signing.Signer(salt="something.else").sign(str(editor.pk))
    another_user = f"{editor.pk + 1}{token[token.index(':') :]}"
    altered_signature = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (altered_signature, another_user, "nonsense", other_salt):
        response = client.get(f"/reminders/preferences/{bad}/")
        assert response.status_code == 400, bad
        assert "This link does not work" in response.content.decode()

        response = client.post(f"/reminders/preferences/{bad}/", {"frequency": "off"})
        assert response.status_code == 400
    assert not ReminderPreference.objects.exists()


def test_a_link_for_a_deleted_account_is_not_found(editor, client):
    url = url_for(editor)
    editor.delete()

    response = client.get(url)

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_link_expires_after_its_lifetime_and_says_so(editor, client):
    made = datetime.datetime(2026, 1, 5, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(made, tick=False):
        url = url_for(editor)
    with time_machine.travel(made + LINK_LIFETIME - datetime.timedelta(minutes=1), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(made + LINK_LIFETIME + datetime.timedelta(minutes=1), tick=False):
        response = client.get(url)
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 410
    assert not ReminderPreference.objects.exists()


def test_a_link_stops_working_when_the_account_is_deactivated(editor, client):
    url = url_for(editor)
    editor.is_active = False
    editor.save()

    response = client.post(url, {"frequency": "daily"})

    assert response.status_code == 404
    assert "no longer active" in response.content.decode()
    assert not ReminderPreference.objects.exists()


def test_a_link_of_the_old_kind_that_never_expired_no_longer_works(editor, client):
    never_expiring = signing.Signer(salt="reminders.preferences").sign(str(editor.pk))

    assert client.get(f"/reminders/preferences/{never_expiring}/").status_code == 400
