"""The text the tracker kept of a source (SourceSnapshot): the record of what a cited
page said, readable without an outside archive.

Only a source the public can see has its kept text shown: one cited by a published
pledge, by a public follow-up of one, or by an initiative, and never one marked
sensitive (DESIGN.md, safeguarding), whose text is not even kept. The page is not for
search engines (noindex): it keeps others' words for the record, not to republish them.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from commitments.models import Citation, Commitment, FollowUp, Source


def public_sources():
    """Sources the public sees cited: by a published pledge, a public follow-up of one,
    or an initiative; none marked sensitive."""
    published = Commitment.objects.published().values("pk")
    public_follow_ups = FollowUp.objects.public().filter(commitment__in=published).values("pk")
    cited = Citation.objects.filter(source=OuterRef("pk")).filter(
        Q(commitment__in=published)
        | Q(follow_up__in=public_follow_ups)
        | Q(initiative__isnull=False)
    )
    return Source.objects.filter(sensitive=False).filter(Exists(cited))


def source_text(request, pk: int):
    source = get_object_or_404(public_sources(), pk=pk)
    versions = list(source.snapshots.newest_first().defer("text"))
    if not versions:
        raise Http404("No text of this source is kept yet.")
    asked = request.GET.get("version")
    if asked is None:
        shown = versions[0]
    else:
        shown = next((v for v in versions if str(v.pk) == asked), None)
        if shown is None:
            raise Http404("No such version of this source's text.")
    shown = source.snapshots.get(pk=shown.pk)  # its text, for this one version only
    context = {
        "source": source,
        "versions": versions,
        "shown": shown,
        "kept_since": versions[-1].first_seen_at,
        "last_changed": versions[0].first_seen_at,
    }
    response = render(request, "commitments/source_text.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response
