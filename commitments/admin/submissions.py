"""The queue of what the public sent (commitments/models/submissions.py): staff read a
submission, record what holds as a follow-up (citing the source, rated as the rules
allow), then mark it accepted into that follow-up, or reject it with a reason. Nobody adds
a submission here, and only Reviewers delete one.

Safeguarding: the source address a visitor typed is shown as text, never as a link, so
that nobody opens it by accident.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from commitments.admin.widgets import SafeAutocompleteAdmin
from commitments.curation.submissions import decision_check, submission_decide
from commitments.models import Submission


class DecisionForm(forms.ModelForm):
    class Meta:
        model = Submission
        fields = ["state", "follow_up", "rejection_reason"]

    def clean(self):
        cleaned = super().clean()
        decision_check(
            submission=self.instance,
            state=cleaned.get("state", ""),
            follow_up=cleaned.get("follow_up"),
            reason=cleaned.get("rejection_reason", ""),
        )
        return cleaned


@admin.register(Submission)
class SubmissionAdmin(SafeAutocompleteAdmin, admin.ModelAdmin):
    form = DecisionForm
    list_display = ["created_at", "about", "state", "sender"]
    list_filter = ["state"]
    list_select_related = ["commitment"]
    search_fields = ["what_is_wrong", "commitment__title", "source_url"]
    autocomplete_fields = ["follow_up"]
    fieldsets = [
        (
            "What was sent",
            {"fields": ["about", "what_is_wrong", "source_as_text", "email", "created_at"]},
        ),
        (
            "Decision",
            {
                "fields": ["record_link", "state", "follow_up", "rejection_reason", "decided"],
                "description": "Accepted: record the follow-up first (it cites the source, "
                "and a change of status needs a Reviewer), then choose it here. Rejected: "
                "say why. Nothing here is ever public.",
            },
        ),
    ]
    readonly_fields = [
        "about",
        "what_is_wrong",
        "source_as_text",
        "email",
        "created_at",
        "record_link",
        "decided",
    ]

    def has_add_permission(self, request):
        return False  # only the public form makes them

    @admin.display(description="about", ordering="commitment__title")
    def about(self, submission: Submission) -> str:
        if not submission.commitment_id:
            return "The tracker in general, or a pledge it lacks"
        return format_html(
            '<a href="{}">{}</a>',
            submission.commitment.get_admin_url(),
            submission.commitment.title,
        )

    @admin.display(description="source (as typed; open with care)")
    def source_as_text(self, submission: Submission) -> str:
        return format_html("<code>{}</code>", submission.source_url)

    @admin.display(description="sender", boolean=True)
    def sender(self, submission: Submission) -> bool:
        return bool(submission.email)

    @admin.display(description="record it")
    def record_link(self, submission: Submission) -> str:
        if not submission.commitment_id:
            return "-"
        add = reverse("admin:commitments_followup_add")
        return format_html(
            '<a href="{}?commitment={}">Record a follow-up on this pledge</a>',
            add,
            submission.commitment_id,
        )

    @admin.display(description="decided")
    def decided(self, submission: Submission) -> str:
        if not submission.decided_at:
            return "-"
        return f"{submission.decided_at:%d %B %Y} by {submission.decided_by or 'a deleted user'}"

    def save_model(self, request, obj, form, change):
        submission_decide(
            submission=obj,
            state=form.cleaned_data["state"],
            user=request.user,
            follow_up=form.cleaned_data.get("follow_up"),
            reason=form.cleaned_data.get("rejection_reason", ""),
        )
