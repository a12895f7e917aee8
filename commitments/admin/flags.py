"""Admin for the follow-up engine: the flag queue, the follow-up rules, the job runs.

Flags are opened and resolved by the job `flag_commitments` (commitments/followup/flagging.py);
here staff snooze them, resolve them with a note and give their pledges an owner. The
queue shows what is needed to choose: the pledge's due date, the days it is overdue, its
public status, its last evidence and its owner. A flag is resolved or snoozed on its own
page with one form (a note, a date, and a button for each), or several at once with the
list's actions.
Nobody adds a flag by hand, and only superusers delete.

None of these models keeps a django-simple-history table, so these are plain
ModelAdmins; each action writes an entry to the admin log (shown on the flag's History
page), and resolving also records who resolved.
"""

import datetime
import inspect

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html, format_html_join

from commitments.admin.kept_text import text_diff, versions_link
from commitments.curation.owners import commitments_assign_owner
from commitments.followup.queue import flags_resolve, flags_snooze
from commitments.followup.rules import follow_up_rule_change, follow_up_rules_delete
from commitments.models import Commitment, Flag, FollowUpRule, JobRun
from commitments.staff import active_staff

ACTION_TEMPLATE = "admin/commitments/flag/action_form.html"


def long_date(day: datetime.date) -> str:
    return format_date(day, "j F Y")


# The queue's filters.


class StateFilter(admin.SimpleListFilter):
    """Open flags when no state is asked for: staff come here for the queue."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*Flag.State.choices, ("all", "All")]

    def value(self):
        # Open when no state, or no state we know, is asked for.
        value = super().value()
        return value if value in [*Flag.State.values, "all"] else Flag.State.OPEN

    def choices(self, changelist):
        # Django's own "All" means "no parameter", which here means open; "all" is a
        # value of its own instead.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.in_state(self.value(), timezone.localdate())


class AgeFilter(admin.SimpleListFilter):
    """Buckets of the "age (days)" column: whole days since the flag was opened."""

    title = "age"
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [("new", "Under 30 days"), ("month", "30–90 days"), ("old", "Over 90 days")]

    def queryset(self, request, queryset):
        now = timezone.now()
        day_30 = now - datetime.timedelta(days=30)
        # Age 90 lasts until 91 whole days have passed.
        day_91 = now - datetime.timedelta(days=91)
        if self.value() == "new":
            return queryset.filter(opened_at__gt=day_30)
        if self.value() == "month":
            return queryset.filter(opened_at__lte=day_30, opened_at__gt=day_91)
        if self.value() == "old":
            return queryset.filter(opened_at__lte=day_91)
        return queryset


class OwnerFilter(admin.RelatedOnlyFieldListFilter):
    """The owners of flagged pledges, and "No owner" for pledges nobody follows up."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_value_display = "No owner"


# The actions' forms.


def snooze_until_field(required: bool = True) -> forms.DateField:
    return forms.DateField(
        label="Snooze until",
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The flag comes back to the queue on this day.",
    )


def check_snooze_until(until: datetime.date) -> None:
    if until <= timezone.localdate():
        raise forms.ValidationError("Choose a day after today.", code="not_future")


class SnoozeForm(forms.Form):
    until = snooze_until_field()
    reason = forms.CharField(max_length=300, help_text="Why it can wait, for whoever reads it.")

    def clean_until(self):
        until = self.cleaned_data["until"]
        check_snooze_until(until)
        return until


class ResolveForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was done. A resolved overdue flag stays resolved until the pledge's "
        "next due date passes; a pledge still unsourced, or still citing a dead link, is "
        "flagged again on the next run. To wait for evidence, snooze instead.",
    )


RESOLVE, SNOOZE = "resolve", "snooze"


class FlagDecisionForm(forms.ModelForm):
    """The flag's own page: resolve it with a note, or snooze it until a day with the
    note as its reason. One form; the button pressed posts `decision`."""

    decision = forms.ChoiceField(choices=[(RESOLVE, "Resolve"), (SNOOZE, "Snooze")])
    note = forms.CharField(
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="To resolve: what was done (a pledge still unsourced, or still citing a "
        "dead link, is flagged again on the next run). To snooze: why it can wait.",
    )
    until = snooze_until_field(required=False)

    class Meta:
        model = Flag
        fields = []

    def clean(self):
        cleaned = super().clean()
        decision, until = cleaned.get("decision"), cleaned.get("until")
        if self.instance.resolved_at is not None:
            raise forms.ValidationError("This flag is resolved already.", code="resolved")
        if not cleaned.get("note") and "note" not in self.errors:
            self.add_error("note", "Say what was done, or why it can wait.")
        if decision == SNOOZE and until:
            try:
                check_snooze_until(until)
            except forms.ValidationError as error:
                self.add_error("until", error)
        elif decision == SNOOZE and "until" not in self.errors:
            self.add_error("until", "Choose the day it comes back, to snooze.")
        elif decision == RESOLVE and until:
            self.add_error("until", "Clear the date to resolve, or press Snooze.")
        return cleaned


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class AssignForm(forms.Form):
    owner = StaffChoiceField(
        queryset=active_staff().order_by("first_name", "last_name", "username"),
        help_text="Becomes the owner of the flagged pledges.",
    )


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = [
        "commitment_link",
        "platform",
        "owner",
        "why",
        "due",
        "days_overdue",
        "public_status",
        "last_evidence",
        "age",
        "state",
    ]
    # The commitment column links to the commitment, so the flag's own link is elsewhere.
    list_display_links = ["why"]
    form = FlagDecisionForm
    change_form_template = "admin/commitments/flag/change_form.html"
    list_filter = [
        StateFilter,
        "reason",
        ("commitment__platform", admin.RelatedOnlyFieldListFilter),
        ("commitment__owner", OwnerFilter),
        AgeFilter,
    ]
    list_select_related = ["commitment__platform", "commitment__owner", "source"]
    search_fields = ["commitment__title", "commitment__platform__name"]
    actions = ["snooze", "resolve", "assign_owner"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "commitment_link",
                    "reason",
                    "next_step",
                    "source",
                    "what_changed",
                    "opened_at",
                    "state",
                ]
            },
        ),
        ("Snooze", {"fields": ["snoozed_until", "snooze_reason"]}),
        ("Resolution", {"fields": ["resolved_at", "resolved_by", "resolution"]}),
    ]
    # All of it is the job's or the actions'. The platform's right of reply is recorded on
    # the commitment's page (its reply requests).
    readonly_fields = [
        "commitment_link",
        "reason",
        "next_step",
        "source",
        "what_changed",
        "opened_at",
        "state",
        "snoozed_until",
        "snooze_reason",
        "resolved_at",
        "resolved_by",
        "resolution",
    ]

    def has_add_permission(self, request):
        return False  # flags are opened by flag_commitments only

    # The flag's page: one form to resolve or snooze it, through the queue's services.

    def get_fieldsets(self, request, obj=None):
        if obj is None or obj.resolved_at is not None or not self.has_change_permission(request):
            return self.fieldsets
        # Open: what it is, its snooze if it had one, then the form, by its buttons.
        about, snooze, _resolution = self.fieldsets
        decide = ("Resolve or snooze", {"fields": ["note", "until"]})
        return [about, snooze, decide] if obj.snoozed_until else [about, decide]

    def save_model(self, request, obj, form, change):
        flags, note = Flag.objects.filter(pk=obj.pk), form.cleaned_data["note"]
        if form.cleaned_data["decision"] == SNOOZE:
            until = form.cleaned_data["until"]
            flags_snooze(flags=flags, until=until, reason=note)
            request.flag_done = f"Snoozed until {long_date(until)}: {note}"
        else:
            flags_resolve(flags=flags, note=note, user=request.user)
            request.flag_done = f"Resolved: {note}"

    def save_related(self, request, form, formsets, change):
        pass  # a flag has no related rows to save

    def construct_change_message(self, request, form, formsets, add=False):
        return request.flag_done

    def response_change(self, request, obj):
        self.message_user(request, f"{request.flag_done} ({obj.commitment.title})")
        return self.response_post_save_change(request, obj)

    # The queue's columns.

    @admin.display(description="reason", ordering="reason")
    def why(self, flag: Flag) -> str:
        reason = flag.get_reason_display()
        return f"{reason}: {flag.source}" if flag.source else reason

    @admin.display(description="due", ordering="commitment__follow_up_due_on")
    def due(self, flag: Flag) -> str:
        due = flag.commitment.follow_up_due_on
        return format_date(due, "j M Y") if due else "-"

    @admin.display(description="days overdue", ordering="commitment__follow_up_due_on")
    def days_overdue(self, flag: Flag) -> int | str:
        due = flag.commitment.follow_up_due_on
        if due is None:
            return "-"
        return max((timezone.localdate() - due).days, 0)

    @admin.display(description="public status", ordering="commitment__status")
    def public_status(self, flag: Flag) -> str:
        commitment = flag.commitment
        status = commitment.get_status_display()
        return status if commitment.published else f"{status} (draft, not public)"

    @admin.display(description="last evidence", ordering="commitment__latest_follow_up_on")
    def last_evidence(self, flag: Flag) -> str:
        return flag.commitment.latest_follow_up_display or "none yet"

    @admin.display(description="commitment", ordering="commitment__title")
    def commitment_link(self, flag: Flag) -> str:
        commitment = flag.commitment
        return format_html('<a href="{}">{}</a>', commitment.get_admin_url(), commitment.title)

    @admin.display(description="platform", ordering="commitment__platform__name")
    def platform(self, flag: Flag):
        return flag.commitment.platform

    @admin.display(description="owner", ordering="commitment__owner__username")
    def owner(self, flag: Flag):
        return flag.commitment.owner

    @admin.display(description="age (days)", ordering="-opened_at")
    def age(self, flag: Flag) -> int:
        return (timezone.now() - flag.opened_at).days

    @admin.display(description="what to do")
    def next_step(self, flag: Flag) -> str:
        if flag.reason == Flag.Reason.WORDING_CHANGED:
            return format_html(
                "A sentence this pledge quotes is no longer found in the newest kept text "
                "of its source (below). To confirm the change, "
                '<a href="{}?commitment={}&amp;kind=reversal">record a follow-up</a> '
                "(a reversal, or a statement) that cites this source: once it is recorded (and, "
                "if it rates the pledge, approved by a Reviewer), this flag resolves itself on "
                "the next flag run. To dismiss (a page moved its text, "
                "a quote that was never exact), resolve this flag with a note. Nothing "
                "public changes either way until then.",
                reverse("admin:commitments_followup_add"),
                flag.commitment_id,
            )
        if flag.reason != Flag.Reason.LAPSE_PROPOSED:
            return "-"
        commitment = flag.commitment
        record = reverse("admin:commitments_followup_add")
        return format_html(
            "Its own deadline ({}) has passed and no delivery is rated. To accept, "
            '<a href="{}?commitment={}&amp;status_after=lapsed">record a follow-up</a> that '
            "rates it Lapsed, citing a source (the platform's page showing no such feature, "
            "say): this flag then resolves itself. To dismiss, resolve this flag with a note: "
            "it is not proposed again unless the deadline moves.",
            long_date(commitment.deadline) if commitment.deadline else "none now",
            record,
            commitment.pk,
        )

    @admin.display(description="what changed")
    def what_changed(self, flag: Flag) -> str:
        snapshot = flag.snapshot
        if snapshot is None:
            return "-"
        before = snapshot.previous()
        diff = text_diff(before.text, snapshot.text) if before else ""
        return format_html(
            "<p>{}</p>{}<p>{}</p>",
            flag.detail,
            diff,
            versions_link(snapshot.source, "All versions of this source's text"),
        )

    @admin.display(description="state")
    def state(self, flag: Flag) -> str:
        return flag.state(timezone.localdate())

    # Actions: the first post shows the action's form; the second, with `apply`, does it.

    @admin.action(description="Snooze until a date", permissions=["change"])
    def snooze(self, request, queryset):
        flags = self._open_flags(request, queryset)
        if flags is None:
            return None
        form = SnoozeForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._action_page(request, queryset, flags, form, "snooze", "Snooze flags")
        until, reason = form.cleaned_data["until"], form.cleaned_data["reason"]
        snoozed = flags_snooze(flags=flags, until=until, reason=reason)
        count = self._log(request, snoozed, f"Snoozed until {long_date(until)}: {reason}")
        self.message_user(
            request, f"Snoozed {count} flag{pluralize(count)} until {long_date(until)}."
        )

    @admin.action(description="Resolve with a note", permissions=["change"])
    def resolve(self, request, queryset):
        flags = self._open_flags(request, queryset)
        if flags is None:
            return None
        form = ResolveForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._action_page(request, queryset, flags, form, "resolve", "Resolve flags")
        note = form.cleaned_data["note"]
        resolved = flags_resolve(flags=flags, note=note, user=request.user)
        count = self._log(request, resolved, f"Resolved: {note}")
        self.message_user(request, f"Resolved {count} flag{pluralize(count)}.")

    def has_assign_permission(self, request) -> bool:
        # The owner is the pledge's: changing it needs the right to change pledges.
        return self.has_change_permission(request) and request.user.has_perm(
            "commitments.change_commitment"
        )

    @admin.action(description="Assign an owner", permissions=["assign"])
    def assign_owner(self, request, queryset):
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._action_page(
                request, queryset, queryset, form, "assign_owner", "Assign an owner"
            )
        owner = form.cleaned_data["owner"]
        pledges = Commitment.objects.filter(pk__in=queryset.values("commitment_id"))
        changed = commitments_assign_owner(commitments=pledges, owner=owner, user=request.user)
        self._log(request, changed, [{"changed": {"fields": ["Owner"]}}])
        count = queryset.count()
        name = AssignForm.base_fields["owner"].label_from_instance(owner)
        self.message_user(request, f"Assigned {count} flag{pluralize(count)} to {name}.")

    def _open_flags(self, request, queryset):
        """The selected flags still open, or None (with a message) when there are none."""
        flags = queryset.open()
        if not flags.exists():
            self.message_user(request, "None of the selected flags is open.", messages.WARNING)
            return None
        return flags

    def _log(self, request, changed: list, message) -> int:
        # Flags have no history table: the admin log keeps who did what.
        for record in changed:
            self.log_change(request, record, message)
        return len(changed)

    def _action_page(self, request, selected, flags, form, action: str, title: str):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "selected": selected.values_list("pk", flat=True),
            "flags": flags.select_related("commitment__platform", "source"),
            "skipped": selected.count() - flags.count(),
        }
        return TemplateResponse(request, ACTION_TEMPLATE, context)


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(admin.ModelAdmin):
    """Reviewers change rules (change_followuprule), Editors only see them; there is a
    rule for every kind already, so only superusers add or delete (by the permissions)."""

    list_display = ["kind", "interval_days", "grace_days"]
    fields = ["kind", "interval_days", "grace_days"]

    def get_readonly_fields(self, request, obj=None):
        # The due dates are recomputed for the kind saved; a rule moved to another kind
        # would leave the old kind's dates stale.
        return ["kind"] if obj else []

    def save_model(self, request, obj, form, change):
        count = follow_up_rule_change(rule=obj)
        self.message_user(
            request, f"Due dates recomputed for {count} pledge{pluralize(count)} of this kind."
        )

    def delete_model(self, request, obj):
        follow_up_rules_delete(rules=[obj])

    def delete_queryset(self, request, queryset):
        follow_up_rules_delete(rules=queryset)

    def changelist_view(self, request, extra_context=None):
        paragraphs = inspect.cleandoc(FollowUpRule.__doc__).replace("`", "").split("\n\n")
        help_text = [" ".join(paragraph.split()) for paragraph in paragraphs]
        extra_context = {"rule_help": help_text, **(extra_context or {})}
        return super().changelist_view(request, extra_context)


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Written by the scheduled jobs only: a page to read."""

    list_display = [
        "job",
        "last_started_at",
        "last_succeeded_at",
        "last_failed_at",
        "last_error",
        "last_summary",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def open_flag_links(commitment: Commitment) -> str:
    """For the commitment page: its open flags, each a link to the flag."""
    flags = list(commitment.flags.open())
    if not flags:
        return "None open."
    today = timezone.localdate()
    items = format_html_join(
        "",
        '<li><a href="{}">{}</a> ({}, opened {})</li>',
        (
            (
                reverse("admin:commitments_flag_change", args=[flag.pk]),
                flag.get_reason_display(),
                flag.state(today),
                long_date(timezone.localdate(flag.opened_at)),
            )
            for flag in flags
        ),
    )
    return format_html("<ul>{}</ul>", items)
