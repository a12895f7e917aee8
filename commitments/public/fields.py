"""The public fields of a pledge: one list, which the downloads (CSV and JSON) and the
API's serializer both take their fields from, in this order and with these meanings.

Kinds and statuses are the codes the listing's filters take (`?status=in_progress`), not
labels; dates known only to the month or year are partial ISO dates ("2020", "2020-03").
Each format adds what only it has around this core: the downloads the pledge's page, the
names of its platform and initiative and the addresses of its sources; the API its own
links, the platform and initiative as objects, the scope, the sources and the follow-ups.
"""

from dataclasses import dataclass

from commitments.dates import iso_partial_date
from commitments.models import Commitment, Status


@dataclass(frozen=True)
class PublicField:
    name: str
    meaning: str


PLEDGE_FIELDS = [
    PublicField(
        "kind",
        "membership, endorsement, signatory, product_change, age_restriction, policy, "
        "reporting, funding or other",
    ),
    PublicField("title", "as on the pledge's page"),
    PublicField("summary", "as on the pledge's page"),
    PublicField(
        "status",
        f"{', '.join(Status.values[:-1])} or {Status.values[-1]}; each defined on the "
        "methodology page (/methodology/#status-<value>)",
    ),
    PublicField("announced_on", "a partial date, as precise as it is known"),
    PublicField("effective_on", "likewise, or empty (null)"),
    PublicField("deadline", "YYYY-MM-DD if the pledge names one, or empty (null)"),
    PublicField(
        "latest_follow_up_on",
        "the date of the newest follow-up evidence (a partial date), or empty (null) while "
        "there is none",
    ),
    PublicField("lacks_follow_up", "true or false"),
    PublicField(
        "follow_up_due_on",
        "YYYY-MM-DD by which new evidence is due, or empty (null) for a verified or "
        "withdrawn pledge",
    ),
    PublicField("follow_up_overdue", "true or false: past its due date and grace, no evidence"),
]
PLEDGE_FIELD_NAMES = [field.name for field in PLEDGE_FIELDS]

# The downloads' columns around the core, with their meanings.
DOWNLOAD_FIELDS = [
    PublicField("url", "the pledge's page on this site (absolute)"),
    PublicField("platform", "the platform's name"),
    PublicField("initiative", "the initiative's name, or empty (null)"),
    *PLEDGE_FIELDS,
    PublicField(
        "source_urls",
        "where it was promised: space-separated URLs in CSV, a list in JSON",
    ),
]


# The columns of a pledge that `pledge_values` reads (`lacks_follow_up` and
# `follow_up_overdue` are read from `latest_follow_up_on` and `flag_from`): what a download
# loads of each row, and no more (tests/test_exports.py counts the queries).
PLEDGE_COLUMNS = [
    "kind",
    "title",
    "summary",
    "status",
    "announced_on",
    "announced_precision",
    "effective_on",
    "effective_precision",
    "deadline",
    "latest_follow_up_on",
    "latest_follow_up_precision",
    "follow_up_due_on",
    "flag_from",
]


class Row:
    """One record's columns as attributes, read with `values()`: for the writers of many
    rows at a time (the downloads, the API), where a model instance for each row cost
    more than writing the row out (bench/README.md)."""

    def __init__(self, **columns):
        self.__dict__.update(columns)


class PledgeRow(Row):
    """A pledge's row, which `pledge_values` reads as it reads an instance: the two
    public rules below are the model's own (one home), from the same columns."""

    lacks_follow_up = Commitment.lacks_follow_up
    follow_up_overdue = Commitment.follow_up_overdue


def pledge_values(commitment: Commitment | PledgeRow) -> dict:
    """The core fields' values, as JSON has them (None for empty)."""
    latest = commitment.latest_follow_up_on
    return {
        "kind": commitment.kind,
        "title": commitment.title,
        "summary": commitment.summary,
        "status": commitment.status,
        "announced_on": iso_partial_date(commitment.announced_on, commitment.announced_precision),
        "effective_on": iso_partial_date(commitment.effective_on, commitment.effective_precision),
        "deadline": commitment.deadline.isoformat() if commitment.deadline else None,
        "latest_follow_up_on": iso_partial_date(latest, commitment.latest_follow_up_precision),
        "lacks_follow_up": commitment.lacks_follow_up,
        "follow_up_due_on": due.isoformat() if (due := commitment.follow_up_due_on) else None,
        "follow_up_overdue": commitment.follow_up_overdue,
    }
