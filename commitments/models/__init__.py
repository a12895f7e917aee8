"""The records of the tracker: who pledged what, on which evidence, and what came of it.

- fields.py: web address fields and stable slugs, shared by the records;
- records.py: platforms, sources, people and initiatives;
- pledges.py: commitments, their follow-ups and citations, and the queries pages share;
- flags.py: follow-up rules and the flags raised on pledges that need attention;
- jobs.py: when each scheduled job last ran.
"""

from commitments.models.fields import SluggedModel, WebAddressField, unique_slug
from commitments.models.flags import Flag, FollowUpRule
from commitments.models.job_runs import JobRun
from commitments.models.pledges import (
    CLOSED_STATUSES,
    MAX_AGE,
    STATUS_RANK,
    Citation,
    Commitment,
    CommitmentQuerySet,
    FollowUp,
    Status,
)
from commitments.models.records import Initiative, Person, Platform, Source

__all__ = [
    "MAX_AGE",
    "STATUS_RANK",
    "Citation",
    "CLOSED_STATUSES",
    "Commitment",
    "CommitmentQuerySet",
    "Flag",
    "FollowUp",
    "FollowUpRule",
    "JobRun",
    "Initiative",
    "Person",
    "Platform",
    "SluggedModel",
    "Source",
    "Status",
    "WebAddressField",
    "unique_slug",
]
