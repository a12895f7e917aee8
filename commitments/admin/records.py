"""Admin for the records pledges point at: platforms, initiatives, sources and people."""

from django.contrib import admin
from django.urls import path

from commitments.admin import kept_text
from commitments.admin.citations import CITATION_FIELDS, CitationForm
from commitments.admin.dates import PartialDateForm
from commitments.admin.history import HistoryAdmin
from commitments.admin.inlines import BoundedInline, BoundedStackedInline
from commitments.dates import format_partial_date
from commitments.followup.snapshots import snapshots_forget
from commitments.models import Citation, Initiative, Person, Platform, PlatformAlias, Source
from commitments.refresh import SEARCH, commitments_refresh, pledges_described_by


class CitationInlineOptions:
    """Citations exist only inside what they support, so they have no page of their own;
    a new source is typed into the row (citations.py)."""

    model = Citation
    form = CitationForm
    fields = CITATION_FIELDS
    autocomplete_fields = ["source", "person"]
    extra = 1


class CitationInline(CitationInlineOptions, BoundedStackedInline):
    pass


class InitiativeCitationInline(CitationInline):
    verbose_name_plural = "sources: its founding documents"


class PlatformAliasInline(BoundedInline):
    """The names a platform goes by on initiatives' rosters (commitments/followup/rosters.py)."""

    model = PlatformAlias
    extra = 0
    verbose_name_plural = "other names: as initiatives' rosters write it"


@admin.register(Platform)
class PlatformAdmin(HistoryAdmin):
    list_display = ["name", "kind", "parent", "operator", "website"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "operator", "category", "aliases__name"]
    autocomplete_fields = ["parent"]
    fields = ["name", "slug", "parent", "kind", "operator", "category", "website", "description"]
    inlines = [PlatformAliasInline]

    def save_model(self, request, obj, form, change):
        # Whatever changed: the history's revert page shows no name as changed when it
        # puts an old one back.
        super().save_model(request, obj, form, change)
        commitments_refresh(commitments=pledges_described_by(platform=obj), values={SEARCH})


@admin.register(Initiative)
class InitiativeAdmin(HistoryAdmin):
    form = PartialDateForm
    list_display = ["name", "kind", "convener", "launched"]
    list_filter = ["kind"]
    search_fields = ["name", "convener"]
    fields = [
        "name",
        "slug",
        "kind",
        "convener",
        "url",
        "founded_on",
        "description",
        "roster_source",
        "roster_selectors",
        "roster",
    ]
    readonly_fields = ["roster"]
    autocomplete_fields = ["roster_source"]
    inlines = [InitiativeCitationInline]

    @admin.display(description="roster as last read")
    def roster(self, initiative: Initiative) -> str:
        newest = initiative.roster_snapshots.order_by("-first_seen_at", "-id").first()
        if newest is None:
            return "Not read yet: snapshot_sources reads the members page on its next run."
        seen = newest.last_seen_at.strftime("%Y-%m-%d %H:%M")
        return f"{len(newest.names)} names, last seen {seen}: {', '.join(newest.names[:40])}"

    @admin.display(description="launched", ordering="founded_on")
    def launched(self, initiative: Initiative) -> str:
        return format_partial_date(initiative.founded_on, initiative.founded_precision)


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    form = PartialDateForm
    list_display = ["title", "publisher", "kind", "published", "url", "reachable", "sensitive"]
    list_filter = ["kind", "sensitive", "reachable"]
    search_fields = ["title", "url", "publisher"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "url",
                    "title",
                    "publisher",
                    "published_on",
                    "kind",
                    "archived_url",
                    "sensitive",
                ]
            },
        ),
        ("Link health", {"fields": ["reachable", "last_status", "last_checked_at"]}),
        ("Kept text", {"fields": ["kept_text"]}),
    ]
    # Written by the link checker and the snapshot job only.
    readonly_fields = ["reachable", "last_status", "last_checked_at", "kept_text"]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/versions/",
                self.admin_site.admin_view(self.versions_view),
                name="commitments_source_versions",
            ),
        ] + super().get_urls()

    def versions_view(self, request, object_id):
        return kept_text.versions_view(self, request, object_id)

    @admin.display(description="kept text")
    def kept_text(self, source: Source) -> str:
        return kept_text.kept_text_summary(source) if source.pk else "-"

    def save_model(self, request, obj, form, change):
        # Whatever changed: the history's revert page shows no title as changed when it
        # puts an old one back.
        super().save_model(request, obj, form, change)
        commitments_refresh(commitments=pledges_described_by(source=obj), values={SEARCH})
        if obj.sensitive:
            # The text of a sensitive source is never kept (DESIGN.md, safeguarding).
            forgotten = snapshots_forget(source=obj)
            if forgotten:
                self.message_user(request, f"Its {forgotten} kept versions of text were deleted.")

    @admin.display(description="published", ordering="published_on")
    def published(self, source: Source) -> str:
        return source.published_display


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    list_display = ["name", "role", "organisation"]
    search_fields = ["name", "role", "organisation"]
