"""What a locked-out login sees (settings.AXES_LOCKOUT_CALLABLE): a page in the admin's
own look that says why and until when, answered with 429.

django-axes counts failed logins per user and address in the database (AccessAttempt),
so every web process sees the same count. The rules are in tracker/settings.py (AXES_*)
and docs/operations.md ("Staff logins"). Wrong codes at the second factor's token step
count as failed logins too, and a completed login clears its earlier failures.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone

from commitments.staff import second_factor_required
from commitments.staff_login.addresses import client_address


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


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def login_locked_out(request, user) -> bool:
    """Whether logging in as `user` from this request's address is locked out now."""
    return not AxesProxyHandler.is_allowed(request, _credentials(user))


def login_failure_record(request, user) -> bool:
    """Count a wrong second-factor code as a failed login (django-axes hears Django's
    user_login_failed signal), so that wrong codes and wrong passwords lock a login out
    alike. Returns whether the login is now locked out."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def login_failures_forget(request, user) -> None:
    """A login completed (password and, where asked, second factor): its earlier failures
    from this address no longer count. Not on a password alone when a second factor is
    still to come, or a stolen password would reset the count of wrong codes."""
    AxesProxyHandler.reset_attempts(
        username=user.get_username(), ip_address=client_address(request)
    )


@receiver(user_logged_in, dispatch_uid="staff_login.forget_failures")
def _password_login_completed(sender, request, user, **kwargs):
    if request is not None and not second_factor_required(user):
        login_failures_forget(request, user)
