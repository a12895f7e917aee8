"""Deciding roster proposals (commitments/followup/rosters.py makes them): staff accept a
proposal, which writes a draft for the pledge's usual review, or dismiss it with a note.

- Accepting "joined" records a draft membership pledge (never published here: an Editor
  completes it and a Reviewer publishes it), dated the day the name was first seen on the
  roster (it joined by then), citing the members page with the name as the quote. A name
  matched to no platform needs one chosen; the name is then kept as the platform's other
  name, so the next roster matches it.
- Accepting "left" records a follow-up on the platform's pledge to the initiative that
  rates nothing (a Reviewer decides whether it lapsed), citing the members page.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commitments.curation.evidence import follow_up_record
from commitments.dates import DatePrecision
from commitments.followup.rosters import roster_key
from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Platform,
    PlatformAlias,
    RosterProposal,
)
from commitments.refresh import commitments_refresh

Kind, State = RosterProposal.Kind, RosterProposal.State


class ProposalError(ValueError):
    """Why a proposal cannot be accepted, in words for staff."""


def roster_proposal_accept(
    *, proposal: RosterProposal, user, platform: Platform | None = None
) -> RosterProposal:
    with transaction.atomic():
        proposal = RosterProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.state != State.OPEN:
            raise ProposalError("This proposal is decided already.")
        platform = platform or proposal.platform
        if platform is None:
            raise ProposalError("Choose the platform this name is, then accept.")
        seen = timezone.localdate(proposal.snapshot.first_seen_at)
        if proposal.kind == Kind.JOINED:
            proposal.commitment = record_membership(proposal, platform, seen, user)
            remember_name(proposal.name, platform)
        else:
            proposal.follow_up = record_departure(proposal, platform, seen, user)
        proposal.platform = platform
        proposal.state, proposal.decided_at, proposal.decided_by = (
            State.ACCEPTED,
            timezone.now(),
            user,
        )
        proposal.save()
    return proposal


def roster_proposals_dismiss(*, proposals, user, note: str) -> int:
    if not note.strip():
        raise ProposalError("Say why, for whoever reads it later.")
    return proposals.filter(state=State.OPEN).update(
        state=State.DISMISSED, decided_at=timezone.now(), decided_by=user, note=note
    )


def record_membership(
    proposal: RosterProposal, platform: Platform, seen: datetime.date, user
) -> Commitment:
    initiative, source = proposal.initiative, proposal.snapshot.source
    if Commitment.objects.filter(initiative=initiative, platform=platform).exists():
        raise ProposalError(
            f"{platform.name} already has a pledge to {initiative.name} recorded: "
            "dismiss this proposal, or choose another platform."
        )
    commitment = Commitment(
        platform=platform,
        initiative=initiative,
        kind=Commitment.Kind.MEMBERSHIP,
        title=f"{platform.name} is listed as a member of {initiative.name}"[:300],
        summary=(
            f"Listed as “{proposal.name}” on the members page of {initiative.name}, first "
            f"seen there on {seen:%d %B %Y}; it may have joined earlier. A draft from the "
            "roster: check the date and the announcement before publishing."
        ),
        announced_on=seen,
        announced_precision=DatePrecision.DAY,
        published=False,
    )
    try:
        commitment.full_clean()
    except ValidationError as error:
        raise ProposalError(" ".join(error.messages)) from None
    commitment._history_user = user
    commitment.save()
    Citation.objects.create(commitment=commitment, source=source, quote=proposal.name)
    commitments_refresh(commitments=[commitment.pk], user=user)
    return commitment


def record_departure(
    proposal: RosterProposal, platform: Platform, seen: datetime.date, user
) -> FollowUp:
    initiative = proposal.initiative
    pledge = (
        Commitment.objects.filter(initiative=initiative, platform=platform)
        .order_by("announced_on", "id")
        .first()
    )
    if pledge is None:
        raise ProposalError(f"{platform.name} has no recorded pledge to {initiative.name}.")
    follow_up = follow_up_record(
        follow_up=FollowUp(
            commitment=pledge,
            kind=FollowUp.Kind.OTHER,
            happened_on=seen,
            happened_precision=DatePrecision.DAY,
            summary=(
                f"“{proposal.name}” is no longer listed on the members page of "
                f"{initiative.name} (missing since {seen:%d %B %Y}): it may have left, or "
                "been renamed."
            ),
        ),
        user=user,
    )
    Citation.objects.create(follow_up=follow_up, source=proposal.snapshot.source)
    return follow_up


def remember_name(name: str, platform: Platform) -> None:
    """The roster's spelling as the platform's other name, unless it already matches."""
    if roster_key(name) == roster_key(platform.name):
        return
    # The staff's choice wins over an older alias of the same spelling.
    PlatformAlias.objects.update_or_create(name=name, defaults={"platform": platform})
