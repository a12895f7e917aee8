"""Changing the follow-up rules: every pledge of the kind a rule covers is due anew."""

from django.db import transaction

from commitments.models import Commitment, FollowUpRule
from commitments.refresh import refresh_due_dates


def follow_up_rule_change(*, rule: FollowUpRule) -> int:
    """Save a rule (new or edited) and recompute the due dates of the pledges of its
    kind. Returns how many pledges that is."""
    with transaction.atomic():
        rule.save()
        return refresh_due_dates(Commitment.objects.filter(kind=rule.kind))


def follow_up_rules_delete(*, rules) -> int:
    """Delete rules; the pledges of their kinds are then never due. Returns how many
    rules were deleted."""
    rules = list(rules)
    with transaction.atomic():
        for rule in rules:
            rule.delete()
        refresh_due_dates(Commitment.objects.filter(kind__in=[rule.kind for rule in rules]))
    return len(rules)
