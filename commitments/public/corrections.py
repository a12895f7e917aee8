"""The public's "Suggest a correction or new evidence" form, on every pledge's page and in
general. No account; CSRF, size limits, a honeypot and a per-client throttle keep it
usable; what is sent goes into the staff queue only (commitments/curation/submissions.py).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from commitments.curation.submissions import submission_receive
from commitments.models import Submission
from commitments.public.selectors import public_commitments


class SubmissionForm(forms.ModelForm):
    # A field people do not see (hidden by CSS and from screen readers) and bots fill in.
    website = forms.CharField(required=False, label="Leave this empty")

    class Meta:
        model = Submission
        fields = ["what_is_wrong", "source_url", "email"]
        widgets = {"what_is_wrong": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "what_is_wrong": "What the page gets wrong, or what has happened since. "
            "At most 4,000 characters.",
            "source_url": "The address (http or https) of a public page that shows it: "
            "a report, an article, the platform's own page.",
            "email": "Optional: only if you want an answer. Never shown publicly.",
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            # Shown at the top: the field itself is out of sight.
            raise ValidationError("Not sent: the field “Leave this empty” was filled in.")
        return cleaned


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the header a trusted proxy sets
    (CORRECTIONS_CLIENT_HEADER, such as HTTP_X_REAL_IP)."""
    header = settings.CORRECTIONS_CLIENT_HEADER
    return request.META.get(header) or request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def suggest_correction(request, slug=None):
    commitment = get_object_or_404(public_commitments(), slug=slug) if slug else None
    form = SubmissionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            submission = form.save(commit=False)
            submission.commitment = commitment
            try:
                submission_receive(submission=submission, client_address=client_address(request))
            except ValidationError as error:
                form.add_error(None, error)
                status = 429
            else:
                return redirect("commitments:correction_sent")
        else:
            status = 400
    context = {"form": form, "commitment": commitment}
    return render(request, "commitments/correction_form.html", context, status=status)


def correction_sent(request):
    return render(request, "commitments/correction_sent.html")
