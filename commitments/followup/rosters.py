"""Membership rosters: each initiative's members page (Initiative.roster_source) read into
names with its CSS selectors (Initiative.roster_selectors), kept as a RosterSnapshot when
the names changed, and turned into proposals for staff (RosterProposal):

- a name on the roster with no pledge recorded for its platform and the initiative
  (drafts included) is proposed as joined; unmatched names too, for staff to match;
- a platform with a recorded pledge whose name was on the previous roster and is not on
  this one is proposed as left (or renamed).

Names are matched to platforms by `roster_key` on the platform's name and on the other
names staff add (PlatformAlias). A dismissed "joined" proposal is not made again for the
same name; an open "left" proposal is dismissed by itself when the name is listed again.
Nothing here writes a pledge or a follow-up: accepting a proposal does
(commitments/curation/rosters.py).

The page is fetched as a source snapshot is (snapshots.py: the link checker's rules, a
body only for a 200 HTML page under the size cap), and sensitive sources are never read.
A page on which the selectors match nothing keeps no roster and proposes nothing: a
redesign of the page must not read as every member leaving.
"""

import hashlib
import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from django.db import transaction
from django.db.models import QuerySet
from django.template.defaultfilters import pluralize
from django.utils import timezone

from commitments.followup.link_health import BodyWanted, NoAnswer, RefusedLink, TooLarge
from commitments.followup.page_text import HTML_TYPES, comparable, normalise
from commitments.followup.snapshots import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, TextReader
from commitments.models import (
    Commitment,
    Initiative,
    Platform,
    PlatformAlias,
    RosterProposal,
    RosterSnapshot,
)

Kind, State = RosterProposal.Kind, RosterProposal.State
# Words a company's name carries on one roster and not on another.
LEGAL_SUFFIXES = re.compile(
    r"\b(inc|incorporated|ltd|limited|llc|plc|corp|corporation|co|gmbh|sa|ag)\b"
)


def roster_key(name: str) -> str:
    """What two spellings of one name have in common: "Meta Platforms, Inc." and "meta
    platforms" give "meta platforms"."""
    return " ".join(LEGAL_SUFFIXES.sub(" ", comparable(name)).split())


LISTED_AGAIN = "Dismissed by itself: the name is on the roster again."


@dataclass
class RosterReport:
    read: int = 0
    changed: int = 0
    proposals: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.read:
            return ""  # most sources are no roster: nothing to add to the job's summary
        made = f"{self.proposals} proposal{pluralize(self.proposals)} made"
        text = f"Rosters: {self.read} read, {self.changed} changed, {made}"
        if self.problems:
            text += f"; not read: {'; '.join(self.problems)}"
        return text + "."


def initiatives_with_rosters(initiatives: QuerySet | None = None) -> QuerySet:
    initiatives = Initiative.objects.all() if initiatives is None else initiatives
    return (
        initiatives.filter(roster_source__isnull=False, roster_source__sensitive=False)
        .exclude(roster_selectors="")
        .select_related("roster_source")
    )


def rosters_read(
    *,
    initiatives: QuerySet | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> RosterReport:
    """Read the rosters of `initiatives` (all that name a members page), one at a time:
    an initiative's roster is one page, and there are a few dozen initiatives."""
    reader = TextReader(timeout=timeout, max_bytes=max_bytes)
    wanted = BodyWanted(content_types=frozenset(HTML_TYPES), max_bytes=max_bytes)
    report = RosterReport()
    for initiative in initiatives_with_rosters(initiatives):
        report.read += 1
        try:
            names = roster_names(reader, wanted, initiative)
        except RosterUnread as problem:
            report.problems.append(f"{initiative.name}: {problem}")
            continue
        changed, proposals = roster_record(initiative=initiative, names=names)
        report.changed += changed
        report.proposals += proposals
    return report


class RosterUnread(Exception):
    """Why no roster was read from the page."""


def roster_names(reader: TextReader, wanted: BodyWanted, initiative: Initiative) -> list[str]:
    try:
        answer = reader.checker.fetch(initiative.roster_source.url, wanted)
    except (RefusedLink, NoAnswer, TooLarge) as error:
        raise RosterUnread(str(error)) from None
    except Exception as error:  # one odd server must not stop the other rosters
        raise RosterUnread(f"unexpected error: {type(error).__name__}: {error}") from None
    if answer.status != 200 or answer.body is None:
        raise RosterUnread(f"no HTML page (HTTP {answer.status}, {answer.content_type})")
    try:
        names = names_in(answer.body, initiative.roster_selectors)
    except Exception as error:  # a selector saved without the form's check, say
        raise RosterUnread(f"the selectors could not be used: {error}") from None
    if not names:
        raise RosterUnread("the selectors matched no name on the page")
    return names


def names_in(body: bytes, selectors: str) -> list[str]:
    """Each matching element's text (or, for a logo, its alt or title text), once per
    name, in the page's order."""
    soup = BeautifulSoup(body, "lxml")
    names, seen = [], set()
    for selector in (line.strip() for line in selectors.splitlines()):
        if not selector:
            continue
        for element in soup.select(selector):
            text = element.get_text(" ", strip=True) or element.get("alt") or element.get("title")
            name = normalise(str(text or "")).replace("\n", " ")[:200]
            key = roster_key(name)
            if key and key not in seen:
                seen.add(key)
                names.append(name)
    return names


def names_digest(names: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(roster_key(n) for n in names)).encode()).hexdigest()


def roster_record(*, initiative: Initiative, names: list[str]) -> tuple[int, int]:
    """Keep the roster if its names changed, and make the proposals it calls for.
    Returns (1 if a new roster was kept else 0, proposals made)."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Initiative.objects.select_for_update(of=("self",))
            .filter(pk=initiative.pk, roster_source__sensitive=False)
            .values_list("pk", flat=True)
            .first()
        )
        if not locked:  # deleted, or its page marked sensitive, since the run began
            return 0, 0
        newest = (
            RosterSnapshot.objects.filter(initiative=initiative)
            .order_by("-first_seen_at", "-id")
            .first()
        )
        digest = names_digest(names)
        if newest is not None and newest.sha256 == digest:
            RosterSnapshot.objects.filter(pk=newest.pk).update(last_seen_at=now)
            return 0, 0
        snapshot = RosterSnapshot.objects.create(
            initiative=initiative,
            source=initiative.roster_source,
            names=names,
            sha256=digest,
            first_seen_at=now,
            last_seen_at=now,
        )
        return 1, roster_propose(snapshot=snapshot, previous=newest)


def platforms_by_key() -> dict[str, Platform]:
    platforms = {roster_key(p.name): p for p in Platform.objects.all()}
    for alias in PlatformAlias.objects.select_related("platform"):
        platforms.setdefault(roster_key(alias.name), alias.platform)
    return platforms


def roster_propose(*, snapshot: RosterSnapshot, previous: RosterSnapshot | None) -> int:
    initiative = snapshot.initiative
    platforms = platforms_by_key()
    members = set(
        Commitment.objects.filter(initiative=initiative).values_list("platform_id", flat=True)
    )
    proposals = RosterProposal.objects.filter(initiative=initiative)
    # A "joined" proposal open, or dismissed, is not made again.
    joined_before = {
        roster_key(name)
        for name in proposals.filter(kind=Kind.JOINED)
        .exclude(state=State.ACCEPTED)
        .values_list("name", flat=True)
    }
    left_open = {
        roster_key(name)
        for name in proposals.open().filter(kind=Kind.LEFT).values_list("name", flat=True)
    }
    listed = {roster_key(name) for name in snapshot.names}
    made = []
    for name in snapshot.names:
        platform = platforms.get(roster_key(name))
        if platform is not None and platform.pk in members:
            continue
        if roster_key(name) in joined_before:
            continue
        made.append(RosterProposal(kind=Kind.JOINED, name=name, platform=platform))
    for name in previous.names if previous else []:
        key = roster_key(name)
        platform = platforms.get(key)
        if key in listed or key in left_open or platform is None or platform.pk not in members:
            continue
        made.append(RosterProposal(kind=Kind.LEFT, name=name, platform=platform))
    for proposal in made:
        proposal.initiative, proposal.snapshot = initiative, snapshot
    RosterProposal.objects.bulk_create(made)
    back = [p.pk for p in proposals.open().filter(kind=Kind.LEFT) if roster_key(p.name) in listed]
    RosterProposal.objects.filter(pk__in=back).update(
        state=State.DISMISSED, decided_at=timezone.now(), note=LISTED_AGAIN
    )
    return len(made)
