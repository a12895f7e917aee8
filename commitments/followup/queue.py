"""What staff do with the flag queue: snooze a flag until a date, or resolve it with a
note. Flags keep no history table; the admin writes who did what to its log."""

import datetime

from django.utils import timezone

from commitments.models import Flag


def flags_snooze(*, flags, until: datetime.date, reason: str) -> list[Flag]:
    """Snooze the open ones of `flags` until `until`; returns those snoozed."""
    return open_flags_update(flags, snoozed_until=until, snooze_reason=reason)


def flags_resolve(*, flags, note: str, user) -> list[Flag]:
    """Resolve the open ones of `flags` with `note`, as `user`'s; returns those resolved.

    The note is kept as written: `resolved_by` tells it apart from the job's own
    resolutions, which all start "Resolved itself:".
    """
    return open_flags_update(flags, resolved_at=timezone.now(), resolution=note, resolved_by=user)


def open_flags_update(flags, **values) -> list[Flag]:
    changing = list(flags.open().select_related("commitment__platform"))
    Flag.objects.open().filter(pk__in=[flag.pk for flag in changing]).update(**values)
    return changing
