"""The status of a pledge: a rating of what is known of its outcome, given by a person on
cited evidence; its public definitions; and the order it is listed in."""

import re

from django.db import models
from django.db.models import Case, IntegerField, Value, When


class Status(models.TextChoices):
    """Rated on outcomes, not intentions; it can move backwards. The stored values are
    part of the public interface (CSV, API, filters): labels may change, values do not."""

    ANNOUNCED = "announced", "Announced, not yet rated"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered, per the platform"
    VERIFIED = "verified", "Verified"
    FALLS_SHORT = "falls_short", "Falls short"
    STALLED = "stalled", "Stalled"
    LAPSED = "lapsed", "Lapsed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The public definition of each status, shown on /methodology/ (each status badge links
# to its paragraph) and given in the API's field descriptions.
DEFINITIONS = {
    Status.ANNOUNCED: (
        "The pledge has been made and recorded with its sources, but no evidence about its "
        "outcome has been reviewed yet. This is not a verdict: it says only that the "
        "tracker has not yet rated what became of it."
    ),
    Status.IN_PROGRESS: (
        "Cited evidence shows work toward the pledge: a launch in some countries, a "
        "feature in testing, a progress report. It is not yet done as promised."
    ),
    Status.DELIVERED: (
        "The platform says the pledge is done, in a statement or a report of its own, and "
        "nobody independent has checked it yet. The rating reports the platform's claim; "
        "it does not confirm it."
    ),
    Status.VERIFIED: (
        "An independent test or a regulator's finding, cited with its source, confirms "
        "that the pledge works as promised. Only a follow-up of kind independent test or "
        "regulator's finding can rate a pledge verified."
    ),
    Status.FALLS_SHORT: (
        "An independent test or a regulator's finding, cited with its source, shows that "
        "the pledge does not work as promised. Only a follow-up of kind independent test "
        "or regulator's finding can rate a pledge as falling short."
    ),
    Status.STALLED: (
        "Cited evidence shows that work on the pledge stopped: a feature paused, a "
        "programme wound down, a launch put off without a new date."
    ),
    Status.LAPSED: (
        "A deadline that the pledge itself named passed without delivery, or a membership "
        "ended. The tracker's own schedule of reviews never makes a pledge lapse: a person "
        "rates it so, citing a source."
    ),
    Status.WITHDRAWN: (
        "The platform rolled the pledge back or left the initiative, as a cited source shows."
    ),
}

# Only evidence from outside the platform can confirm or refute that a pledge works.
INDEPENDENT_STATUSES = [Status.VERIFIED, Status.FALLS_SHORT]

# A closed pledge needs no more evidence: it is never due and never flagged as overdue.
CLOSED_STATUSES = [Status.VERIFIED, Status.WITHDRAWN]


class Constant(Value):
    """A value written into the query itself, not passed as a parameter. SQLite uses an
    index on an expression only for a query whose expression reads the same, constants
    included; with parameters it read `sort=status` at a million pledges in 0.7 s rather
    than 1 ms. Only whole numbers and plain words (a status), so nothing needs escaping."""

    def as_sql(self, compiler, connection):
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            return str(self.value), []
        if isinstance(self.value, str) and re.fullmatch(r"[a-z_]+", self.value):
            return f"'{self.value}'", []
        raise ValueError(f"Not a constant the query may hold as written: {self.value!r}")


# Sorting by status follows the life of a pledge (announced, in progress, delivered…),
# not the alphabet. An index is built on this very expression (commitment_by_status_rank).
STATUS_RANK = Case(
    *[
        When(status=Constant(value), then=Constant(rank))
        for rank, value in enumerate(Status.values)
    ],
    output_field=IntegerField(),
)
