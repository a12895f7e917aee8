"""The status of a pledge: what is known of its outcome, and the order it is listed in."""

from django.db import models
from django.db.models import Case, IntegerField, Value, When


class Status(models.TextChoices):
    """Rated on outcomes, not intentions; it can move backwards."""

    ANNOUNCED = "announced", "Announced"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    VERIFIED = "verified", "Verified"
    STALLED = "stalled", "Stalled"
    LAPSED = "lapsed", "Lapsed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A closed pledge needs no more evidence: it is never due and never flagged as overdue.
CLOSED_STATUSES = [Status.VERIFIED, Status.WITHDRAWN]

# Sorting by status follows the life of a pledge (announced, in progress, delivered…),
# not the alphabet. An index is built on this very expression.
STATUS_RANK = Case(
    *[When(status=value, then=Value(rank)) for rank, value in enumerate(Status.values)],
    output_field=IntegerField(),
)
