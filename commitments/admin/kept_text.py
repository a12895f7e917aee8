"""Staff's view of a source's kept text (SourceSnapshot): its versions on the source's
page, and a readable diff between any two of them on a page of its own, reached through
SourceAdmin.get_urls (wrapped in admin_site.admin_view: login, staff, CSRF; the view
checks the permission to view sources itself). A wording-changed flag shows the diff of
the version that lost its quote (flags.py).
"""

import difflib

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from commitments.models import Source, SourceSnapshot

TEMPLATE = "admin/commitments/source/versions.html"
# A diff longer than this is cut, with the number of lines left out: a whole site
# redesign is read on the versions' own text, not line by line here.
MAX_DIFF_LINES = 400
CONTEXT_LINES = 2


def text_diff(old: str, new: str) -> str:
    """A unified diff of two texts, line by line, as escaped HTML: removed lines in
    <del>, added ones in <ins>. Empty when they are the same."""
    lines = list(
        difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=CONTEXT_LINES)
    )[2:]  # without the ---/+++ file header
    if not lines:
        return ""
    shown, left_out = lines[:MAX_DIFF_LINES], len(lines) - MAX_DIFF_LINES
    rows = format_html_join("\n", "{}", ((diff_line(line),) for line in shown))
    more = format_html("\n… {} more lines", left_out) if left_out > 0 else ""
    return format_html('<pre class="text-diff">{}{}</pre>', rows, more)


def diff_line(line: str) -> str:
    if line.startswith("+"):
        return format_html("<ins>{}</ins>", line)
    if line.startswith("-"):
        return format_html("<del>{}</del>", line)
    if line.startswith("@@"):
        return format_html('<span class="hunk">{}</span>', line)
    return format_html("<span>{}</span>", line)


def versions_link(source: Source, text: str = "versions and differences") -> str:
    url = reverse("admin:commitments_source_versions", args=[source.pk])
    return format_html('<a href="{}">{}</a>', url, text)


def kept_text_summary(source: Source) -> str:
    """For the source's page: when its text was last read, and its versions."""
    if source.sensitive:
        return "Marked sensitive: its text is never read, and what was kept before is deleted."
    count = source.snapshots.count()
    read = (
        format_html(
            "Last read {}{}.",
            source.snapshot_checked_at.strftime("%Y-%m-%d %H:%M"),
            format_html(": {}", source.snapshot_error) if source.snapshot_error else "",
        )
        if source.snapshot_checked_at
        else "Not read yet: snapshot_sources reads it on its next run."
    )
    if not count:
        return read
    return format_html("{} {} versions kept: {}.", read, count, versions_link(source))


def versions_view(model_admin, request, object_id: str):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if not (object_id.isascii() and object_id.isdigit()):
        raise Http404("No such source.")
    source = get_object_or_404(Source, pk=object_id)
    if source.sensitive:
        raise Http404("Marked sensitive: its text is never kept.")
    versions = list(source.snapshots.newest_first().defer("text"))
    new, old = chosen_pair(request, versions)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Kept text of {source.title}",
        "opts": model_admin.model._meta,
        "source": source,
        "versions": versions,
        "new": new,
        "old": old,
        "diff": text_diff(old.text, new.text) if old and new else "",
    }
    return TemplateResponse(request, TEMPLATE, context)


def chosen_pair(request, versions: list[SourceSnapshot]):
    """The versions `?new=` and `?old=` name (ids of this source's versions), by default
    the newest and the one before it; each with its text."""
    by_id = {str(version.pk): version for version in versions}
    if not versions:
        return None, None
    new = by_id.get(request.GET.get("new", ""), versions[0])
    default_old = versions[versions.index(new) + 1] if new is not versions[-1] else None
    # `old=` empty asks for the new version's whole text, with nothing to compare.
    old = None if request.GET.get("old") == "" else by_id.get(request.GET.get("old"), default_old)
    texts = dict(
        SourceSnapshot.objects.filter(pk__in=[v.pk for v in (new, old) if v]).values_list(
            "pk", "text"
        )
    )
    for version in (new, old):
        if version is not None:
            version.text = texts[version.pk]
    return new, old
