"""The queue of roster proposals (made by snapshot_sources, commitments/followup/rosters.py):
a name on an initiative's members page with no pledge recorded, or a recorded member no
longer listed. Each is accepted (a draft pledge, or a follow-up, through
commitments/curation/rosters.py) or dismissed with a note, on its own page with one form.
Nobody adds a proposal by hand; only superusers delete.
"""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from commitments.admin.widgets import SafeAutocompleteAdmin
from commitments.curation.rosters import (
    ProposalError,
    roster_proposal_accept,
    roster_proposals_dismiss,
)
from commitments.models import RosterProposal

ACCEPT, DISMISS = "accept", "dismiss"


class ProposalDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(choices=[(ACCEPT, "Accept"), (DISMISS, "Dismiss")])
    decision_note = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="To dismiss: why (not a platform the tracker follows, a parent company "
        "already recorded…).",
    )

    class Meta:
        model = RosterProposal
        fields = ["platform"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.state != RosterProposal.State.OPEN:
            raise forms.ValidationError("This proposal is decided already.", code="decided")
        decision = cleaned.get("decision")
        if decision == DISMISS and not cleaned.get("decision_note"):
            self.add_error("decision_note", "Say why it is dismissed.")
        if decision == ACCEPT and not cleaned.get("platform") and "platform" not in self.errors:
            self.add_error("platform", "Choose the platform this name is, then accept.")
        return cleaned


@admin.register(RosterProposal)
class RosterProposalAdmin(SafeAutocompleteAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "initiative", "platform", "first_seen", "state"]
    list_display_links = ["name"]
    list_filter = ["state", "kind", ("initiative", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["initiative", "platform", "snapshot"]
    search_fields = ["name", "initiative__name", "platform__name"]
    form = ProposalDecisionForm
    change_form_template = "admin/commitments/rosterproposal/change_form.html"
    autocomplete_fields = ["platform"]
    readonly_fields = [
        "initiative",
        "kind",
        "name",
        "roster",
        "state",
        "decided_at",
        "decided_by",
        "note",
        "outcome",
    ]

    def get_fieldsets(self, request, obj=None):
        about = (None, {"fields": ["initiative", "kind", "name", "roster", "state"]})
        if obj is not None and obj.state == RosterProposal.State.OPEN:
            return [about, ("Accept or dismiss", {"fields": ["platform", "decision_note"]})]
        return [
            about,
            ("Decision", {"fields": ["platform", "decided_at", "decided_by", "note", "outcome"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state == RosterProposal.State.OPEN:
            return self.readonly_fields
        return [*self.readonly_fields, "platform"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        request.proposal_error = None
        try:
            if form.cleaned_data["decision"] == ACCEPT:
                done = roster_proposal_accept(
                    proposal=obj, user=request.user, platform=form.cleaned_data["platform"]
                )
                request.proposal_done = f"Accepted: {self.outcome(done)}"
            else:
                note = form.cleaned_data["decision_note"]
                roster_proposals_dismiss(
                    proposals=RosterProposal.objects.filter(pk=obj.pk), user=request.user, note=note
                )
                request.proposal_done = f"Dismissed: {note}"
        except ProposalError as error:
            request.proposal_error = str(error)
            request.proposal_done = ""

    def save_related(self, request, form, formsets, change):
        pass  # no related rows

    def construct_change_message(self, request, form, formsets, add=False):
        return request.proposal_done or "Not decided."

    def response_change(self, request, obj):
        if request.proposal_error:
            self.message_user(request, request.proposal_error, messages.ERROR)
            return redirect(request.path)
        self.message_user(request, f"{obj.name}: {request.proposal_done}")
        return self.response_post_save_change(request, obj)

    @admin.display(description="first seen", ordering="snapshot__first_seen_at")
    def first_seen(self, proposal: RosterProposal) -> str:
        return timezone.localtime(proposal.snapshot.first_seen_at).strftime("%Y-%m-%d")

    @admin.display(description="roster")
    def roster(self, proposal: RosterProposal) -> str:
        snapshot = proposal.snapshot
        seen = timezone.localtime(snapshot.first_seen_at).strftime("%Y-%m-%d %H:%M")
        where = "listed" if proposal.kind == RosterProposal.Kind.JOINED else "missing"
        return format_html(
            '{} on the roster read {} from <a href="{}" rel="noopener noreferrer">{}</a> '
            "({} names).",
            where.capitalize(),
            seen,
            snapshot.source.url,
            snapshot.source.url,
            len(snapshot.names),
        )

    @admin.display(description="what accepting made")
    def outcome(self, proposal: RosterProposal) -> str:
        if proposal.commitment_id:
            url = reverse("admin:commitments_commitment_change", args=[proposal.commitment_id])
            return format_html('<a href="{}">a draft pledge</a>, to complete and publish', url)
        if proposal.follow_up_id:
            url = reverse("admin:commitments_followup_change", args=[proposal.follow_up_id])
            return format_html('<a href="{}">a follow-up</a> on its pledge', url)
        return "-"
