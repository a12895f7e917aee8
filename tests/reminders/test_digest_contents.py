"""What a digest lists besides its recipient's flags: for Reviewers, the proposed lapses,
the ratings Editors drafted and the public's new submissions; for everyone, which items
are new since their previous digest, grouped by platform."""

import datetime

from commitments.curation.evidence import follow_up_record
from commitments.models import FollowUp, Platform, Status, Submission
from reminders.digests import build_digests
from reminders.models import Reminder
from tests.reminders.helpers import NOW, TODAY, flagged, person

DAY = datetime.timedelta(days=1)


def titles(items) -> list[str]:
    return [item.pledge for item in items]


def test_reviewers_get_drafted_ratings_and_new_submissions(platform, editor, reviewer):
    pledge = flagged(platform, "Flagged and drafted", owner=editor).commitment
    follow_up_record(
        follow_up=FollowUp(
            commitment=pledge,
            happened_on=TODAY,
            kind=FollowUp.Kind.STATEMENT,
            summary="Done, it says.",
            status_after=Status.DELIVERED,
        ),
        user=editor,
    )
    Submission.objects.create(
        what_is_wrong="Out of date.", source_url="https://example.org/a", client_key="k"
    )
    Submission.objects.create(
        commitment=pledge,
        what_is_wrong="Settled.",
        source_url="https://example.org/b",
        client_key="k",
        state=Submission.State.REJECTED,
        rejection_reason="Not a source.",
    )

    digests = build_digests(TODAY)

    awaiting = digests[reviewer.pk].awaiting_review
    assert [(i.pledge, i.reason) for i in awaiting] == [
        ("Flagged and drafted", "Rating drafted: Delivered, per the platform")
    ]
    assert [(i.platform, i.pledge) for i in digests[reviewer.pk].submissions] == [
        ("(general)", "The tracker in general")
    ]
    # The Editor who owns the pledge gets its flag, not the Reviewers' queue.
    assert titles(digests[editor.pk].own) == ["Flagged and drafted"]
    assert digests[editor.pk].awaiting_review == digests[editor.pk].submissions == []


def test_a_proposed_lapse_goes_to_reviewers_not_to_the_owner(platform, editor, reviewer):
    flagged(platform, "Past its deadline", owner=editor, reason="lapse_proposed")

    digests = build_digests(TODAY)

    assert titles(digests[reviewer.pk].awaiting_review) == ["Past its deadline"]
    assert editor.pk not in digests
    # The same when a Reviewer's digest is built alone, for its delivery.
    alone = build_digests(TODAY, recipient_id=reviewer.pk)[reviewer.pk]
    assert titles(alone.awaiting_review) == ["Past its deadline"]


def test_items_are_grouped_by_platform_and_marked_new_since_the_last_digest(platform, editor):
    other = Platform.objects.create(name="Discord")
    flagged(other, "Seen before", owner=editor, opened_at=NOW - 10 * DAY)
    flagged(platform, "Older, seen before", owner=editor, opened_at=NOW - 9 * DAY)
    flagged(platform, "Appeared since", owner=editor, opened_at=NOW - DAY)
    Reminder.objects.create(
        recipient=editor,
        period="2026-W47",
        status=Reminder.Status.SENT,
        sent_at=NOW - 5 * DAY,
    )

    digest = build_digests(TODAY)[editor.pk]

    assert [(i.platform, i.pledge, i.new) for i in digest.own] == [
        ("Discord", "Seen before", False),
        # Equally overdue: by title.
        ("TikTok", "Appeared since", True),
        ("TikTok", "Older, seen before", False),
    ]
    assert digest.new_count == 1


def test_everything_is_new_in_a_first_digest(platform):
    first = person("newcomer")
    flagged(platform, "Any", owner=first)
    assert [i.new for i in build_digests(TODAY)[first.pk].own] == [True]
