"""No admin page for a login that has still to pass its second factor.

After django-otp's OTPMiddleware (which says whether this session passed a second
factor): a request for any page under the admin from a member of staff whom
commitments.staff.second_factor_required asks for one, and who has not passed it in this
session, is sent to the token step if they have a device, else to add an authenticator
app, and comes back to the page it asked for afterwards. Only the login and logout pages
and those two steps stay open to them.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from commitments.staff import second_factor_required
from commitments.staff_login.devices import has_second_factor

OPEN = {"admin:login", "admin:logout", "second_factor:verify", "second_factor:enrol"}


def second_factor_step(request, next_url: str):
    """Where a login that still owes its second factor goes, then back to `next_url`."""
    step = "second_factor:verify" if has_second_factor(request.user) else "second_factor:enrol"
    return redirect(f"{reverse(step)}?{urlencode({'next': next_url})}")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith(reverse("admin:index")):
            return None
        if request.resolver_match.view_name in OPEN:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified() or not second_factor_required(user):
            return None
        return second_factor_step(request, request.get_full_path())
