"""The second factor's pages, under /admin/second-factor/: the token step, adding an
authenticator app (its key, otpauth:// address and QR code, confirmed by a first code,
then recovery codes shown once), the status page and new recovery codes.

Every page needs a staff login (staff_member_required) and every form its CSRF token;
the token step and adding an app are open to a login that has still to pass its second
factor (commitments/staff_login/middleware.py), the rest are not. Wrong codes at the
token step are throttled per device (django-otp) and count as failed logins (django-axes).
"""

from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from commitments.staff import second_factor_required
from commitments.staff_login import devices
from commitments.staff_login.lockout import (
    lockout_response,
    login_failure_record,
    login_failures_forget,
    login_locked_out,
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
                "size": 12,
                "aria-describedby": "id_code_helptext",
            }
        ),
    )


WRONG_CODE = "That code is not right. Type the six digits your app shows now, or a recovery code."


def _next(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("admin:index")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _page(request, template: str, title: str, **context) -> TemplateResponse:
    context = {**admin.site.each_context(request), "title": title, **context}
    if not request.user.is_verified() and second_factor_required(request.user):
        # Nothing of the admin's navigation for a login that has still to pass its
        # second factor: only the page's own form and a way out.
        context.update(has_permission=False, is_nav_sidebar_enabled=False, available_apps=[])
    response = TemplateResponse(request, f"admin/second_factor/{template}", context)
    response["Cache-Control"] = "no-store"
    return response


def _retry_error(retry_at) -> str:
    when = f" after {timezone.localtime(retry_at):%H:%M:%S}" if retry_at else " in a moment"
    return f"Too many wrong codes: try again{when}."


def _passed(request, device) -> None:
    """The session passed its second factor with `device`: marked so, given a new key
    (the login has gained rights), and its earlier failed attempts forgotten."""
    otp_login(request, device)
    request.session.cycle_key()
    login_failures_forget(request, request.user)


@never_cache
@staff_member_required
def verify(request):
    user = request.user
    next_url = _next(request)
    if user.is_verified():
        return redirect(next_url)
    if not devices.has_second_factor(user):
        return redirect(_with_next("second_factor:enrol", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if login_locked_out(request, user):
            logout(request)
            return lockout_response(request, credentials={"username": user.get_username()})
        if form.is_valid():
            check = devices.second_factor_check(user=user, code=form.cleaned_data["code"])
            if check.passed:
                _passed(request, check.device)
                return redirect(next_url)
            if check.retry_at:
                form.add_error(None, _retry_error(check.retry_at))
            else:
                if login_failure_record(request, user):
                    name = user.get_username()
                    logout(request)
                    return lockout_response(request, credentials={"username": name})
                form.add_error("code", WRONG_CODE)
    return _page(
        request,
        "verify.html",
        "Second factor",
        form=form,
        next=next_url,
        has_app=devices.authenticator(user) is not None,
    )


@never_cache
@staff_member_required
def enrol(request):
    user = request.user
    next_url = _next(request)
    if devices.has_second_factor(user) and not user.is_verified():
        # Replacing a device takes the second factor it replaces.
        return redirect(_with_next("second_factor:verify", next_url))
    device = devices.authenticator_pending(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = devices.authenticator_confirm(user=user, code=form.cleaned_data["code"])
        if check.passed:
            _passed(request, check.device)
            return _page(
                request,
                "recovery_codes.html",
                "Your recovery codes",
                codes=check.recovery_codes,
                next=next_url,
                added=True,
            )
        if check.retry_at:
            form.add_error(None, _retry_error(check.retry_at))
        else:
            form.add_error("code", WRONG_CODE)
    uri = device.config_url
    qr = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title="QR code of the setup key"
    )
    return _page(
        request,
        "enrol.html",
        "Add an authenticator app",
        form=form,
        next=next_url,
        secret=devices.secret_of(device),
        uri=uri,
        # segno's own markup, made from our own key: no user input reaches it.
        qr=mark_safe(qr),  # nosec B308 B703
        required=second_factor_required(user),
        replacing=devices.authenticator(user) is not None,
    )


@never_cache
@staff_member_required
def status(request):
    user = request.user
    app = devices.authenticator(user)
    codes = devices.recovery_codes(user)
    return _page(
        request,
        "status.html",
        "Second factor",
        app=app,
        codes_left=codes.token_set.count() if codes else 0,
        required=second_factor_required(user),
        verified=user.is_verified(),
    )


@never_cache
@require_POST
@staff_member_required
def recovery_codes(request):
    if not request.user.is_verified():
        return redirect(reverse("second_factor:status"))
    codes = devices.recovery_codes_replace(user=request.user)
    return _page(
        request,
        "recovery_codes.html",
        "Your recovery codes",
        codes=codes,
        next=reverse("second_factor:status"),
        added=False,
    )
