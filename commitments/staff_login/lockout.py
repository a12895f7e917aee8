"""What a locked-out login sees (settings.AXES_LOCKOUT_CALLABLE): a page in the admin's
own look that says why and until when, answered with 429.

django-axes counts failed logins per user and address in the database (AccessAttempt),
so every web process sees the same count. The rules are in tracker/settings.py (AXES_*)
and docs/operations.md ("Staff logins").
"""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils import timezone


def cool_off_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request, original_response=None, credentials=None):
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "username": username,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off_minutes": cool_off_minutes(),
        # The attempt that locked it out, or one made while locked out (which restarts
        # the wait), is the last: the lockout ends one cool-off from now.
        "until": timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME),
        "time_zone": settings.TIME_ZONE,
    }
    # Rendered now: axes swaps it in after the view's own response has been rendered.
    return render(request, "admin/locked_out.html", context, status=429)
