"""Admin for commitments and their follow-ups: the pledge, its sources, its evidence.

Each rule is a form error here rather than a 500:
- a published commitment has at least one source (the citation formset and the revert
  form ask commitments/curation/publishing.py);
- only users with `commitments.publish_commitment` (Reviewers) publish or unpublish;
- status changes only through a follow-up that names a new status, so it is read-only.

Every write goes through a service (commitments/curation/), and what a pledge stores
about its evidence and sources is refreshed once its page is saved.

The commitment's page holds the whole record: its sources (a new one typed into the row,
citations.py), its quotes and people, its follow-ups each with its own sources nested
inside it (django-nested-admin), its reviews and its right of reply.
"""

import nested_admin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.urls import path

from commitments.admin import deleted
from commitments.admin.dates import PartialDateForm
from commitments.admin.flags import open_flag_links
from commitments.admin.history import HistoryAdmin
from commitments.admin.inlines import NestedBoundedStackedInline
from commitments.admin.lists import (
    AnnouncedYearFilter,
    CappedCountPaginator,
    InitiativeFilter,
    OwnerFilter,
    PlatformFilter,
    QuickCheckboxes,
    QuickLinks,
)
from commitments.admin.records import CitationInline, CitationInlineOptions
from commitments.admin.widgets import SafeAutocompleteSelect
from commitments.curation.evidence import (
    follow_up_change,
    follow_up_record,
    follow_ups_approve,
    follow_ups_delete,
)
from commitments.curation.publishing import (
    commitments_publish,
    commitments_unpublish,
    publish_check,
)
from commitments.curation.replies import reply_request_record, reply_requests_delete
from commitments.curation.reviews import review_record, reviews_delete
from commitments.models import Citation, Commitment, FollowUp, ReplyRequest, Review
from commitments.models.evidence import rating_problems
from commitments.refresh import commitments_refresh
from commitments.staff import active_staff


class SourcedFormSet(nested_admin.NestedInlineFormSet):
    """Citations of one record, counted as the form stands (new and kept, not deleted).
    Nested-admin's formset, which is also a plain inline formset where nothing nests."""

    def _sources_remaining(self) -> int:
        return sum(
            1
            for form in self.forms
            if form.cites_a_source() and not form.cleaned_data.get("DELETE")
        )


class CommitmentCitationFormSet(SourcedFormSet):
    """Holds "a published commitment has at least one source" on the commitment page.

    The admin validates the commitment form before the formsets and builds them on the
    same instance, so `self.instance.published` is the value just submitted.
    """

    def clean(self):
        super().clean()
        publish_check(published=self.instance.published, has_sources=self._sources_remaining() > 0)


class FollowUpCitationFormSet(SourcedFormSet):
    """Holds "a follow-up that sets a status cites a source" on the follow-up's page and
    inside each follow-up on its commitment's page; `self.instance.status_after` is the
    value just submitted, as above. On the commitment's page it is checked only for a
    follow-up whose rating or sources change, so that an older record does not block the
    rest of the page."""

    def clean(self):
        super().clean()
        parent = getattr(self, "parent_form", None)
        if parent is not None and not self._rating_touched(parent):
            return
        follow_up = self.instance
        problems = rating_problems(
            status=follow_up.status_after,
            kind=follow_up.kind,
            has_sources=self._sources_remaining() > 0,
        )
        if "sources" in problems:
            raise ValidationError(problems["sources"], code="needs_source")

    def _rating_touched(self, parent) -> bool:
        if getattr(parent, "cleaned_data", {}).get("DELETE"):
            return False
        rerated = {"status_after", "kind"} & set(parent.changed_data)
        return bool(rerated) or any(form.has_changed() for form in self.forms)


class CommitmentCitationInline(CitationInlineOptions, NestedBoundedStackedInline):
    formset = CommitmentCitationFormSet
    verbose_name_plural = "sources: where it was promised"


class FollowUpCitationInline(CitationInline):
    """On the follow-up's own page."""

    formset = FollowUpCitationFormSet
    verbose_name_plural = "sources: the proof of what happened"


class FollowUpNestedCitationInline(CitationInlineOptions, NestedBoundedStackedInline):
    """Inside each follow-up on its commitment's page; "Add another" gives a row."""

    formset = FollowUpCitationFormSet
    extra = 0
    verbose_name = "source"
    verbose_name_plural = "its sources: the proof of what happened"


class FollowUpInlineForm(PartialDateForm):
    """A follow-up edited on its commitment's page. Its sources are nested inside it
    (FollowUpNestedCitationInline), whose formset holds "a rating cites a source". For
    staff who may not change citations there is no such formset: then it may set a
    status only if it already cites one, checked only when its rating changes, so that
    an older record does not block the rest of the page."""

    def clean(self):
        cleaned = super().clean()
        if getattr(self, "nested_formsets", None):
            return cleaned
        if not {"status_after", "kind"} & set(self.changed_data):
            return cleaned
        follow_up = self.instance
        has_sources = follow_up.pk is not None and follow_up.citations.exists()
        problems = rating_problems(
            status=cleaned.get("status_after", ""),
            kind=cleaned.get("kind", ""),
            has_sources=has_sources,
        )
        if "sources" in problems:
            self.add_error(
                "status_after",
                f"{problems['sources']} Sources are added on the follow-up's own page: "
                "save it without a status, then open it.",
            )
        return cleaned


class FollowUpInline(NestedBoundedStackedInline):
    """A follow-up with its own citations (its proof) nested inside it. The details of an
    independent test are on its own page, through the change link."""

    model = FollowUp
    form = FollowUpInlineForm
    fields = [("happened_on", "kind", "status_after"), "summary"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}
    inlines = [FollowUpNestedCitationInline]
    show_change_link = True
    extra = 0
    verbose_name_plural = "follow-ups: later evidence, each with its sources"


class ReplyRequestInline(NestedBoundedStackedInline):
    """The platform's right of reply: when and how it was asked; its answer, once
    recorded as a follow-up of kind Platform's reply on this pledge (citing its source)."""

    model = ReplyRequest
    fields = ["asked_on", "how", "answer"]
    raw_id_fields = ["answer"]
    extra = 0
    # nested-admin title-cases this in its "Add another" link.
    verbose_name = "reply request"
    verbose_name_plural = "the platform's right of reply: when and how it was asked, its answer"


class ReviewInline(NestedBoundedStackedInline):
    """The tracker's reviews: recorded here, never edited (a new review says what is new);
    a Reviewer may delete one recorded by mistake."""

    model = Review
    fields = ["reviewed_on", "searched", "found", "role"]
    readonly_fields = ["role"]
    extra = 0
    verbose_name_plural = (
        "reviews: when the tracker looked again, where, and what it found (not evidence: "
        "record new evidence as a follow-up)"
    )

    def has_change_permission(self, request, obj=None):
        return False


class CommitmentRevertForm(PartialDateForm):
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
        publish_check(published=published, has_sources=current.citations.exists())
        return cleaned_data


class FollowUpRevertForm(PartialDateForm):
    """For simple-history's revert page of a follow-up, which has no citation inline: an
    old version may set a status only if the follow-up cites a source now."""

    def clean(self):
        cleaned = super().clean()
        problems = rating_problems(
            status=cleaned.get("status_after", ""),
            kind=cleaned.get("kind", ""),
            has_sources=self.instance.citations.exists(),
        )
        if "sources" in problems:
            raise ValidationError(problems["sources"], code="needs_source")
        return cleaned


class OwnerAutocompleteSelect(SafeAutocompleteSelect):
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
        return super().get_queryset().filter(pk__in=active_staff().values("pk"))


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
class CommitmentAdmin(
    QuickCheckboxes, QuickLinks, nested_admin.NestedModelAdminMixin, HistoryAdmin
):
    form = PartialDateForm
    list_display = [
        "title",
        "platform",
        "kind",
        "status",
        "announced",
        "published",
        "owner",
    ]
    # The initiative and whether a pledge has a source are filters, not columns (a
    # published pledge always has one): with them the title took five lines at 1,366 px.
    # Filters that read no more than the small tables (commitments.admin.lists.py),
    # an order that an index holds (commitment_admin_list), and no second count of all
    # the pledges: the list stays within twice the public listing's time at a million.
    list_filter = [
        PlatformFilter,
        InitiativeFilter,
        "kind",
        "status",
        "published",
        SourcedFilter,
        ("owner", OwnerFilter),
        AnnouncedYearFilter,
    ]
    ordering = ["-announced_on", "-id"]
    show_full_result_count = False
    paginator = CappedCountPaginator
    # Drawing a row of the admin's table costs ten times a public row's: at Django's
    # 100 a page took 55 ms of which 35 drawing rows, at 50 it is within twice the public
    # listing's 25 (bench/README.md).
    list_per_page = 50
    list_select_related = ["platform", "initiative", "owner"]
    search_fields = ["title", "summary", "platform__name", "initiative__name"]
    autocomplete_fields = ["platform", "initiative", "owner", "people"]
    readonly_fields = [
        "status",
        "slug",
        "created_at",
        "updated_at",
        "last_reviewed_on",
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
                "fields": [("announced_on", "effective_on", "deadline")],
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
    inlines = [CommitmentCitationInline, FollowUpInline, ReviewInline, ReplyRequestInline]
    actions = ["publish_selected", "unpublish_selected"]
    history_list_display = ["status", "published"]

    def get_queryset(self, request):
        has_source = Exists(Citation.objects.filter(commitment=OuterRef("pk")))
        return super().get_queryset(request).annotate(has_source=has_source)

    # Saving: follow-ups through their services; then what the pledge stores about its
    # evidence and sources is refreshed, once everything on the page is saved.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(request, "reverting_commitment", False):
            # The revert page saves no inlines, so save_related() never runs for it.
            commitments_refresh(commitments=[obj.pk], user=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is ReplyRequest:
            new, changed = rows_to_save(formset)
            reply_requests_delete(requests=formset.deleted_objects)
            for request_row in [*new, *changed]:
                reply_request_record(request=request_row, user=request.user)
            return None
        if formset.model is Review:
            new, _ = rows_to_save(formset)
            reviews_delete(reviews=formset.deleted_objects, user=request.user)
            for review in new:
                review_record(review=review, user=request.user)
            return None
        if formset.model is not FollowUp:
            return super().save_formset(request, form, formset, change)
        new, changed = rows_to_save(formset)
        follow_ups_delete(follow_ups=formset.deleted_objects, user=request.user)
        approve = may_approve(request)
        for follow_up in new:
            follow_up_record(follow_up=follow_up, user=request.user, approve=approve)
        for follow_up in changed:
            follow_up_change(follow_up=follow_up, user=request.user, approve=approve)
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        commitments_refresh(commitments=[form.instance.pk], user=request.user)

    @admin.display(description="announced", ordering="announced_on")
    def announced(self, commitment: Commitment) -> str:
        return commitment.announced_display

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
        result = commitments_publish(commitments=queryset, user=request.user)
        if result.refused:
            names = "; ".join(str(commitment) for commitment in result.refused)
            self.message_user(
                request, f"Not published, as they have no source: {names}.", messages.ERROR
            )
        count = self._log_published(request, result.changed)
        if count or not result.refused:
            self.message_user(request, f"Published {count} commitment{pluralize(count)}.")

    @admin.action(description="Unpublish selected commitments", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        changed = commitments_unpublish(commitments=queryset, user=request.user)
        count = self._log_published(request, changed)
        self.message_user(request, f"Unpublished {count} commitment{pluralize(count)}.")

    def _log_published(self, request, changed: list) -> int:
        for commitment in changed:
            self.log_change(request, commitment, [{"changed": {"fields": ["Published"]}}])
        return len(changed)

    # Owner: any active staff member, chosen without access to the user list.

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["widget"] = OwnerAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
            kwargs["queryset"] = active_staff()
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


def rows_to_save(formset) -> tuple[list, list]:
    """The new and the changed rows of a formset, unsaved, as its forms hold them, for
    the services to save. (Nested-admin's formset lists changed rows as fresh copies read
    from the database, without the edits; the forms' own instances have them.)"""
    rows = formset.save(commit=False)
    return [row for row in rows if row.pk is None], [row for row in rows if row.pk is not None]


def may_approve(request) -> bool:
    """A Reviewer's rating is public when saved; an Editor's is a draft for a Reviewer."""
    return request.user.has_perm("commitments.approve_rating")


class RatingFilter(admin.SimpleListFilter):
    title = "rating"
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Drafts awaiting a Reviewer"),
            ("approved", "Approved"),
            ("none", "Rates nothing"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "draft":
            return queryset.drafts()
        if self.value() == "approved":
            return queryset.ratings().exclude(approved_at=None)
        if self.value() == "none":
            return queryset.filter(status_after="")
        return queryset


@admin.register(FollowUp)
class FollowUpAdmin(HistoryAdmin):
    form = PartialDateForm
    list_display = ["happened", "kind", "commitment", "status_after", "rating"]
    list_filter = [
        RatingFilter,
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
                    "happened_on",
                    "kind",
                    "summary",
                    "status_after",
                    "rating",
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
    actions = ["approve_selected"]
    readonly_fields = ["rating"]

    @admin.display(description="date", ordering="happened_on")
    def happened(self, follow_up: FollowUp) -> str:
        return follow_up.happened_display

    @admin.display(description="rating")
    def rating(self, follow_up: FollowUp) -> str:
        if not follow_up.status_after:
            return "-"
        if follow_up.is_draft:
            return "Draft: public once a Reviewer approves it"
        who = follow_up.approved_by or "an import"
        return f"Approved {follow_up.approved_at:%d %B %Y} by {who}"

    def has_approve_permission(self, request) -> bool:
        return may_approve(request)

    @admin.action(description="Approve the selected draft ratings", permissions=["approve"])
    def approve_selected(self, request, queryset):
        count = follow_ups_approve(follow_ups=queryset, user=request.user)
        if count:
            self.message_user(request, f"Approved {count} rating{pluralize(count)}: now public.")
        else:
            self.message_user(
                request, "None of the selected follow-ups is a draft rating.", messages.WARNING
            )

    # Follow-ups move their pledge's status: every write goes through their services.

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.reverting_follow_up = True
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if getattr(request, "reverting_follow_up", False):
            kwargs["form"] = FollowUpRevertForm
        return super().get_form(request, obj, change, **kwargs)

    # After saving, back to the pledge the evidence is about, where the work goes on.

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        return self._back_to_commitment(request, obj, response)

    def response_change(self, request, obj):
        return self._back_to_commitment(request, obj, super().response_change(request, obj))

    def _back_to_commitment(self, request, obj, response):
        staying = {"_continue", "_addanother", "_saveasnew", IS_POPUP_VAR} & set(request.POST)
        commitment_admin = self.admin_site.get_model_admin(Commitment)
        if staying or not commitment_admin.has_view_or_change_permission(request, obj.commitment):
            return response
        return redirect("admin:commitments_commitment_change", obj.commitment_id)

    def save_model(self, request, obj, form, change):
        approve = may_approve(request)
        if change:
            follow_up_change(follow_up=obj, user=request.user, approve=approve)
        else:
            follow_up_record(follow_up=obj, user=request.user, approve=approve)

    def delete_model(self, request, obj):
        follow_ups_delete(follow_ups=[obj], user=request.user)

    def delete_queryset(self, request, queryset):
        follow_ups_delete(follow_ups=queryset, user=request.user)
