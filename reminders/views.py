"""The page a digest links to: a recipient changes how often they get it, or stops it.

No login: the signed token in the address is the credential (reminders/tokens.py), for an
active account and until it expires. For the same reason the view needs no CSRF token: a
forged request would need the secret address itself, and mail providers' one-click
unsubscribe (RFC 8058) POSTs without one.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from reminders.models import ReminderPreference
from reminders.preferences import preference_change, preference_of
from reminders.tokens import LINK_LIFETIME, user_id_from_token


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["frequency", "paused_until"]
        labels = {"frequency": "How often", "paused_until": "Pause until"}
        widgets = {
            "frequency": forms.RadioSelect,
            "paused_until": forms.DateInput(attrs={"type": "date"}),
        }


@csrf_exempt
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    try:
        user_id = user_id_from_token(token)
    except signing.SignatureExpired:
        context = {"lifetime_days": LINK_LIFETIME.days}
        return render(request, "reminders/expired_link.html", context, status=410)
    if user_id is None:
        return render(request, "reminders/bad_link.html", status=400)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return render(request, "reminders/bad_link.html", status=404)
    if request.POST.get("List-Unsubscribe") == "One-Click":
        preference_change(user=user, frequency=ReminderPreference.Frequency.OFF)
        return render(request, "reminders/unsubscribed.html")
    form = PreferenceForm(request.POST or None, instance=preference_of(user))
    if request.method == "POST" and form.is_valid():
        preference_change(user=user, **form.cleaned_data)
        return redirect(f"{request.path}?saved=1")
    context = {"form": form, "recipient": user, "saved": "saved" in request.GET}
    return render(request, "reminders/preferences.html", context)
