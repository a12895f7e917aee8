"""Changing the follow-up rules: every pledge of the kind a rule covers is due anew."""

from django.db import transaction

from commitments.models import Commitment, FollowUpRule
from commitments.refresh import DUE_DATES, commitments_refresh


def follow_up_rule_change(*, rule: FollowUpRule) -> int:
    """Save a rule (new or edited) and recompute the due dates of the pledges of its
    kind. Returns how many pledges that is."""
    with transaction.atomic():
        rule.save()
        commitments_refresh(commitments=of_kinds([rule.kind]), values={DUE_DATES})
    return of_kinds([rule.kind]).count()


def follow_up_rules_delete(*, rules) -> int:
    """Delete rules; the pledges of their kinds are then never due. Returns how many
    rules were deleted."""
    rules = list(rules)
    with transaction.atomic():
        for rule in rules:
            rule.delete()
        commitments_refresh(commitments=of_kinds([r.kind for r in rules]), values={DUE_DATES})
    return len(rules)


def of_kinds(kinds: list[str]):
    return Commitment.objects.filter(kind__in=kinds)
