"""The records of the tracker: who pledged what, on which evidence, and what came of it.

- fields.py: web address fields and stable slugs, shared by the records;
- records.py: platforms, sources, people and initiatives;
- pledges.py: commitments, their follow-ups and citations, and the queries pages share.
"""

from commitments.models.fields import SluggedModel, WebAddressField, unique_slug
from commitments.models.pledges import (
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
    "Commitment",
    "CommitmentQuerySet",
    "FollowUp",
    "Initiative",
    "Person",
    "Platform",
    "SluggedModel",
    "Source",
    "Status",
    "WebAddressField",
    "unique_slug",
]
