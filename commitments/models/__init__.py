"""The records of the tracker: who pledged what, on which evidence, and what came of it.

- fields.py: web address fields and stable slugs, shared by the records;
- records.py: platforms, sources, people and initiatives;
- status.py: the status of a pledge and the order pledges are listed in;
- pledges.py: commitments, and their named filters;
- evidence.py: follow-ups (what became of a pledge) and citations (where it was said);
- reviews.py: the tracker's own reviews of a pledge (not evidence);
- replies.py: the platform's right of reply: when it was asked, and its answer;
- submissions.py: corrections and evidence sent by the public, for staff to decide;
- snapshots.py: the kept text of a source, one row per version;
- rosters.py: initiatives' member lists read from their pages, and the proposals they make;
- flags.py: follow-up rules and the flags raised on pledges that need attention;
- job_runs.py: when each scheduled job last ran;
- expressions.py: a database function the ORM lacks.
"""

from commitments.models.evidence import Citation, FollowUp
from commitments.models.fields import SluggedModel, WebAddressField, unique_slug
from commitments.models.flags import Flag, FollowUpRule
from commitments.models.job_runs import JobRun
from commitments.models.pledges import MAX_AGE, Commitment, CommitmentQuerySet
from commitments.models.records import Initiative, Person, Platform, Source
from commitments.models.replies import ReplyRequest
from commitments.models.reviews import Review
from commitments.models.rosters import PlatformAlias, RosterProposal, RosterSnapshot
from commitments.models.snapshots import SourceSnapshot
from commitments.models.status import CLOSED_STATUSES, STATUS_RANK, Status
from commitments.models.submissions import Submission

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
    "PlatformAlias",
    "ReplyRequest",
    "Review",
    "RosterProposal",
    "RosterSnapshot",
    "SluggedModel",
    "Source",
    "SourceSnapshot",
    "Submission",
    "Status",
    "WebAddressField",
    "unique_slug",
]
