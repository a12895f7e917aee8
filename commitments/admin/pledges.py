"""Admin for commitments and their follow-ups: the pledge, its sources, its evidence.

Rules held here, each as a form error rather than a 500:
- a published commitment has at least one source (the citation formset checks it);
- only users with `commitments.publish_commitment` (Reviewers) publish or unpublish;
- status changes only through a follow-up that names a new status, so it is read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from commitments.admin import deleted
from commitments.admin.flags import open_flag_links
from commitments.admin.records import CitationInline
from commitments.models import Citation, Commitment, FollowUp

NEEDS_SOURCE = (
    "A published commitment needs at least one source: add a citation with a source, "
    "or untick Published."
)


class CommitmentCitationFormSet(BaseInlineFormSet):
    """Holds "a published commitment has at least one source" on the commitment page.

    The admin validates the commitment form before the formsets and builds them on the
    same instance, so `self.instance.published` is the value just submitted.
    """

    def clean(self):
        super().clean()
        if self.instance.published and not self._sources_remaining():
            raise ValidationError(NEEDS_SOURCE, code="needs_source")

    def _sources_remaining(self) -> int:
        return sum(
            1
            for form in self.forms
            if form.cleaned_data.get("source") and not form.cleaned_data.get("DELETE")
        )


class CommitmentCitationInline(CitationInline):
    formset = CommitmentCitationFormSet
    verbose_name_plural = "sources: where it was promised"


class FollowUpCitationInline(CitationInline):
    verbose_name_plural = "sources: the proof of what happened"


class FollowUpInline(admin.TabularInline):
    # A follow-up's own citations (its proof) are edited on its own page, through the
    # change link: Django has no nested inlines.
    model = FollowUp
    fields = ["happened_on", "happened_precision", "kind", "status_after", "summary"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    show_change_link = True
    extra = 0
    verbose_name_plural = "follow-ups: later evidence (add their sources on their own pages)"


class CommitmentRevertForm(forms.ModelForm):
    """For simple-history's revert page, which saves an old version whole.

    Status and the date of the newest follow-up are not part of a version to go back to
    (only follow-ups move them); without
    the publish permission `published` stays as it is; and as this page has no citation
    inline, publishing needs a source already recorded.
    """

    def clean(self):
        cleaned_data = super().clean()
        current = Commitment.objects.get(pk=self.instance.pk)
        for name in ("status", "latest_follow_up_on", "latest_follow_up_precision"):
            setattr(self.instance, name, getattr(current, name))
        if "published" in self.fields:
            published = cleaned_data.get("published")
        else:
            published = self.instance.published = current.published
        if published and not current.has_sources():
            raise ValidationError(NEEDS_SOURCE, code="needs_source")
        return cleaned_data


class OwnerAutocompleteSelect(AutocompleteSelect):
    url_name = "%s:commitments_commitment_owner_autocomplete"


class OwnerAutocompleteView(AutocompleteJsonView):
    """Staff to choose a commitment's owner from.

    Django's own autocomplete needs permission to view users, which the staff groups do
    not have (the user list holds more than names). Choosing an owner needs only
    permission to add or change commitments.
    """

    def has_perm(self, request, obj=None):
        commitment_admin = self.admin_site.get_model_admin(Commitment)
        is_owner_field = self.source_field.model is Commitment and self.source_field.name == "owner"
        return is_owner_field and (
            commitment_admin.has_add_permission(request)
            or commitment_admin.has_change_permission(request)
        )

    def get_queryset(self):
        return super().get_queryset().filter(is_staff=True, is_active=True)


class SourcedFilter(admin.SimpleListFilter):
    title = "sources"
    parameter_name = "sourced"

    def lookups(self, request, model_admin):
        return [("yes", "Has a source"), ("no", "Lacks a source")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.lacking_sources()
        if self.value() == "yes":
            return queryset.filter(has_source=True)
        return queryset


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "platform",
        "initiative",
        "kind",
        "status",
        "announced",
        "published",
        "sourced",
        "owner",
    ]
    list_filter = [
        ("platform", admin.RelatedOnlyFieldListFilter),
        ("initiative", admin.RelatedOnlyFieldListFilter),
        "kind",
        "status",
        "published",
        SourcedFilter,
        ("owner", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["platform", "initiative", "owner"]
    search_fields = ["title", "summary", "platform__name", "initiative__name"]
    date_hierarchy = "announced_on"
    autocomplete_fields = ["platform", "initiative", "owner", "people"]
    readonly_fields = [
        "status",
        "slug",
        "created_at",
        "updated_at",
        "follow_up_due_on",
        "flag_from",
        "open_flags",
    ]
    fieldsets = [
        (
            "The pledge",
            {
                "fields": [
                    "platform",
                    "initiative",
                    "kind",
                    "title",
                    "summary",
                    "status",
                    "people",
                ],
                "description": "The status changes only through a follow-up that names a "
                "new status.",
            },
        ),
        (
            "Dates",
            {
                "fields": [
                    ("announced_on", "announced_precision"),
                    ("effective_on", "effective_precision"),
                    "deadline",
                ]
            },
        ),
        (
            "Scope",
            {
                "fields": [
                    "products",
                    "worldwide",
                    "countries",
                    ("age_min", "age_max"),
                    "default_setting",
                    "cadence",
                ]
            },
        ),
        (
            "Curation",
            {
                "fields": [
                    "owner",
                    "last_reviewed_on",
                    "confidence",
                    "published",
                    "slug",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        (
            "Follow-up",
            {
                "fields": [
                    "follow_up_interval_days",
                    "follow_up_due_on",
                    "flag_from",
                    "open_flags",
                ],
                "description": "Due and flag dates are computed from the pledge's dates, "
                "its cadence and the follow-up rule of its kind.",
            },
        ),
    ]
    inlines = [CommitmentCitationInline, FollowUpInline]
    actions = ["publish_selected", "unpublish_selected"]
    history_list_display = ["status", "published"]

    def get_queryset(self, request):
        has_source = Exists(Citation.objects.filter(commitment=OuterRef("pk")))
        return super().get_queryset(request).annotate(has_source=has_source)

    @admin.display(description="announced", ordering="announced_on")
    def announced(self, commitment: Commitment) -> str:
        return commitment.announced_display

    @admin.display(description="sourced", boolean=True, ordering="has_source")
    def sourced(self, commitment: Commitment) -> bool:
        return commitment.has_source

    @admin.display(description="open flags")
    def open_flags(self, commitment: Commitment) -> str:
        return open_flag_links(commitment) if commitment.pk else ""

    # Publishing.

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("commitments.publish_commitment")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("published")
        return fields

    @admin.action(description="Publish selected commitments", permissions=["publish"])
    def publish_selected(self, request, queryset):
        unsourced = list(queryset.lacking_sources().select_related("platform"))
        if unsourced:
            names = "; ".join(str(commitment) for commitment in unsourced)
            self.message_user(
                request, f"Not published, as they have no source: {names}.", messages.ERROR
            )
        count = self._set_published(
            request, queryset.exclude(pk__in=[c.pk for c in unsourced]), True
        )
        if count or not unsourced:
            self.message_user(request, f"Published {count} commitment{pluralize(count)}.")

    @admin.action(description="Unpublish selected commitments", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        count = self._set_published(request, queryset, False)
        self.message_user(request, f"Unpublished {count} commitment{pluralize(count)}.")

    def _set_published(self, request, queryset, published: bool) -> int:
        # One save per row rather than update(), so that history keeps each change
        # with who made it.
        changing = list(queryset.filter(published=not published).select_related("platform"))
        for commitment in changing:
            commitment.published = published
            commitment._history_user = request.user
            commitment.save(update_fields=["published", "updated_at"])
            self.log_change(request, commitment, [{"changed": {"fields": ["Published"]}}])
        return len(changing)

    # Owner: any active staff member, chosen without access to the user list.

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["widget"] = OwnerAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # History: restoring a deletion goes through the "Deleted commitments" page.

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            # The plain revert would bring the row back without its citations and
            # follow-ups; the restore page brings them all.
            self.message_user(
                request,
                "This commitment is deleted. A reviewer can restore it, with its sources "
                "and follow-ups, from Deleted commitments.",
                messages.WARNING,
            )
            return redirect("admin:commitments_commitment_history", object_id)
        request.reverting_commitment = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if getattr(request, "reverting_commitment", False):
            kwargs["form"] = CommitmentRevertForm
        return super().get_form(request, obj, change, **kwargs)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_restore": deleted.can_restore(self, request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        owner_view = OwnerAutocompleteView.as_view(admin_site=self.admin_site)
        return [
            path("deleted/", wrap(self.deleted_view), name="commitments_commitment_deleted"),
            path(
                "deleted/<int:history_id>/restore/",
                wrap(self.restore_view),
                name="commitments_commitment_restore",
            ),
            path(
                "owner-autocomplete/",
                wrap(owner_view),
                name="commitments_commitment_owner_autocomplete",
            ),
        ] + super().get_urls()

    def deleted_view(self, request):
        return deleted.deleted_list(self, request)

    def restore_view(self, request, history_id: int):
        return deleted.restore(self, request, history_id)


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["happened", "kind", "commitment", "status_after"]
    list_filter = [
        "kind",
        "status_after",
        ("commitment__platform", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["commitment__platform"]
    search_fields = ["summary", "commitment__title", "commitment__platform__name", "tested_by"]
    date_hierarchy = "happened_on"
    autocomplete_fields = ["commitment"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "commitment",
                    ("happened_on", "happened_precision"),
                    "kind",
                    "summary",
                    "status_after",
                ]
            },
        ),
        (
            "Independent test",
            {
                "fields": ["tested_by", "test_account_age", "test_country", "app_version"],
                "description": "For a test someone ran: who, with what account, where, "
                "on which version of the app.",
            },
        ),
    ]
    inlines = [FollowUpCitationInline]

    @admin.display(description="date", ordering="happened_on")
    def happened(self, follow_up: FollowUp) -> str:
        return follow_up.happened_display

    def delete_queryset(self, request, queryset):
        # A bulk delete skips FollowUp.delete(), which would set the status anew.
        commitment_ids = set(queryset.values_list("commitment_id", flat=True))
        super().delete_queryset(request, queryset)
        for commitment in Commitment.objects.filter(pk__in=commitment_ids):
            commitment.refresh_from_follow_ups()
