"""A staff member's choice of digest: read it (the defaults when they never chose), and
change it (from the page a digest links to, or by one-click unsubscribe)."""

from django.core.exceptions import ObjectDoesNotExist

from reminders.models import ReminderPreference


def preference_of(user) -> ReminderPreference:
    """The user's preference, or an unsaved one with the defaults (weekly, not paused)."""
    try:
        return user.reminder_preference
    except ObjectDoesNotExist:
        return ReminderPreference(user=user)


def preference_change(*, user, **fields) -> ReminderPreference:
    """Set the given fields (frequency, paused_until) of the user's preference; the
    others stay as they are."""
    preference = preference_of(user)
    for name, value in fields.items():
        setattr(preference, name, value)
    preference.save()
    return preference
