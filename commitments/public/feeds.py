"""Atom feeds of what platforms pledged and what became of it.

`/feeds/commitments.atom` covers every published pledge, `/feeds/platforms/<slug>.atom`
one platform (a parent such as Meta with its children) and `/feeds/initiatives/<slug>.atom`
one initiative. Each also takes the listing's parameters (`?kind=age_restriction`), read
by the listing's own selector (commitments/public/selectors.py), so a filtered listing
can be subscribed to as it is.

An entry is either a pledge or a status change (a follow-up that names the status it moves
the pledge to). Entries are dated by when the thing happened in the world (announced on,
happened on), not by when it was recorded here, so that a re-import or a late entry does
not reshuffle the timeline; feed readers spot new entries by their ids anyway. Ids are tag
URIs built from the records' primary keys, which never change, unlike titles.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.timezone import get_default_timezone

from commitments import licence
from commitments.models import Commitment, FollowUp, Initiative, Platform, Status
from commitments.public.downloads import invalid_parameters
from commitments.public.selectors import InvalidFilters, public_listing

LIMIT = 50
# The date part of the tag URIs; fixed forever, like the ids themselves (RFC 4151).
TAG_DATE = "2026"


@dataclass(frozen=True)
class Scope:
    """What one feed covers: its pledges, and the page and name it stands for."""

    commitments: QuerySet
    title: str
    link: str


@dataclass(frozen=True)
class Entry:
    title: str
    description: str
    link: str
    guid: str
    happened: datetime.datetime
    order: tuple


class CommitmentFeed(Feed):
    feed_type = Atom1Feed
    feed_copyright = licence.rights()  # Atom's <rights>

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidFilters as error:
            return invalid_parameters(error.filterset)

    def get_object(self, request, *args, **kwargs) -> Scope:
        # The feed's link (and so its id) is the listing it follows, filters included.
        query = request.GET.urlencode()
        link = reverse("commitments:list") + (f"?{query}" if query else "")
        return Scope(public_listing(request.GET).qs, "Child-safety commitments", link)

    def title(self, scope: Scope) -> str:
        return scope.title

    def link(self, scope: Scope) -> str:
        return scope.link

    def subtitle(self, scope: Scope) -> str:
        return "New pledges and changes of status, from the child-safety commitment tracker."

    def items(self, scope: Scope) -> list[Entry]:
        pledges = [
            pledge_entry(c) for c in scope.commitments.order_by("-announced_on", "-id")[:LIMIT]
        ]
        changes = [change_entry(f) for f in status_changes(scope.commitments)[:LIMIT]]
        return sorted(pledges + changes, key=lambda e: e.order, reverse=True)[:LIMIT]

    def item_title(self, entry: Entry) -> str:
        # Atom titles are plain text; the XML writer escapes them.
        return entry.title

    def item_description(self, entry: Entry) -> str:
        # Atom summaries are sent as type="html": escape the text so that it reads
        # as text, whatever characters a title or summary holds.
        return escape(entry.description)

    def item_link(self, entry: Entry) -> str:
        return entry.link

    def item_guid(self, entry: Entry) -> str:
        return entry.guid

    def item_pubdate(self, entry: Entry) -> datetime.datetime:
        return entry.happened

    def item_updateddate(self, entry: Entry) -> datetime.datetime:
        # Atom requires <updated> on each entry; an entry says what happened then.
        return entry.happened


class PlatformFeed(CommitmentFeed):
    def get_object(self, request, slug: str) -> Scope:
        platform = get_object_or_404(Platform, slug=slug)
        commitments = public_listing(request.GET, platform=slug).qs
        title = f"{platform.name}: child-safety commitments"
        return Scope(commitments, title, reverse("commitments:platform", args=[slug]))


class InitiativeFeed(CommitmentFeed):
    def get_object(self, request, slug: str) -> Scope:
        initiative = get_object_or_404(Initiative, slug=slug)
        commitments = public_listing(request.GET, initiative=slug).qs
        title = f"{initiative.name}: platforms' child-safety commitments"
        return Scope(commitments, title, reverse("commitments:initiative", args=[slug]))


def status_changes(commitments: QuerySet) -> QuerySet:
    """Follow-ups that moved one of `commitments` to a status, newest first."""
    return (
        FollowUp.objects.filter(commitment__in=commitments.values("pk"))
        .public()
        .ratings()
        .select_related("commitment__platform")
        .order_by("-happened_on", "-id")
    )


def pledge_entry(commitment: Commitment) -> Entry:
    return Entry(
        title=f"{commitment.platform.name}: {commitment.title}",
        description=(
            f"{commitment.get_kind_display()}, announced {commitment.announced_display}. "
            f"{commitment.summary}"
        ).strip(),
        link=reverse("commitments:detail", args=[commitment.slug]),
        guid=tag_uri(f"commitment/{commitment.pk}"),
        happened=midnight(commitment.announced_on),
        order=(commitment.announced_on, 0, commitment.pk),
    )


def change_entry(follow_up: FollowUp) -> Entry:
    commitment = follow_up.commitment
    status = Status(follow_up.status_after).label
    return Entry(
        title=f"{commitment.platform.name}: {commitment.title} — now {status.lower()}",
        description=(
            f"{follow_up.get_kind_display()}, {follow_up.happened_display}. {follow_up.summary}"
        ),
        # commitment_detail.html gives each follow-up the id "follow-up-<pk>".
        link=reverse("commitments:detail", args=[commitment.slug]) + f"#follow-up-{follow_up.pk}",
        guid=tag_uri(f"follow-up/{follow_up.pk}"),
        happened=midnight(follow_up.happened_on),
        # On the same day, evidence comes after the pledge it follows up.
        order=(follow_up.happened_on, 1, follow_up.pk),
    )


def tag_uri(specific: str) -> str:
    return f"tag:{urlsplit(settings.SITE_URL).hostname},{TAG_DATE}:{specific}"


def midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=get_default_timezone())
