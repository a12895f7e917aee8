"""Who gets which flagged pledges (reminders/digests.py), and the period of each digest."""

import datetime

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commitments.models import Flag
from reminders.digests import build_digests
from reminders.models import ReminderPreference, period_key
from tests.reminders.helpers import NOW, TODAY, flagged, person

DAY = datetime.timedelta(days=1)


def titles(items) -> list[str]:
    return [item.pledge for item in items]


def test_an_owner_gets_the_flags_on_the_pledges_they_own(platform, editor):
    other = person("other")
    flagged(platform, "Mine, older", owner=editor, due_on=TODAY - 40 * DAY)
    flagged(platform, "Mine, newer", owner=editor, due_on=TODAY - 10 * DAY)
    flagged(platform, "Theirs", owner=other)

    digests = build_digests(TODAY)

    assert titles(digests[editor.pk].own) == ["Mine, older", "Mine, newer"]
    assert digests[editor.pk].unowned == []
    assert titles(digests[other.pk].own) == ["Theirs"]


def test_flags_on_unowned_pledges_go_to_every_reviewer(platform, reviewer, editor):
    second = person("second")
    second.groups.add(Group.objects.get(name="Reviewers"))
    flagged(platform, "Nobody's")

    digests = build_digests(TODAY)

    assert set(digests) == {reviewer.pk, second.pk}
    assert titles(digests[reviewer.pk].unowned) == ["Nobody's"]
    assert titles(digests[second.pk].unowned) == ["Nobody's"]


def test_an_owner_who_cannot_be_emailed_counts_as_no_owner(platform, reviewer):
    gone = person("gone", is_active=False)
    silent = person("silent", email="")
    flagged(platform, "Owner left", owner=gone)
    flagged(platform, "Owner has no address", owner=silent)

    digests = build_digests(TODAY)

    assert set(digests) == {reviewer.pk}
    assert sorted(titles(digests[reviewer.pk].unowned)) == [
        "Owner has no address",
        "Owner left",
    ]


def test_a_reviewer_who_owns_pledges_gets_both_in_one_digest(platform, reviewer):
    flagged(platform, "Reviewer's own", owner=reviewer)
    flagged(platform, "Nobody's")

    digest = build_digests(TODAY)[reviewer.pk]

    assert titles(digest.own) == ["Reviewer's own"]
    assert titles(digest.unowned) == ["Nobody's"]


def test_recipients_who_turned_reminders_off_or_paused_them_get_nothing(platform, editor):
    paused = person("paused")
    paused_yesterday = person("paused_yesterday")
    ReminderPreference.objects.create(user=editor, frequency="off")
    ReminderPreference.objects.create(user=paused, paused_until=TODAY)
    ReminderPreference.objects.create(user=paused_yesterday, paused_until=TODAY - DAY)
    for owner in (editor, paused, paused_yesterday):
        flagged(platform, f"Owned by {owner.username}", owner=owner)

    assert set(build_digests(TODAY)) == {paused_yesterday.pk}


def test_only_awake_flags_count(platform, editor):
    flagged(platform, "Snoozed", owner=editor, snoozed_until=TODAY + DAY)
    flagged(platform, "Resolved", owner=editor, resolved_at=NOW)
    flagged(platform, "Snooze over", owner=editor, snoozed_until=TODAY)

    assert titles(build_digests(TODAY)[editor.pk].items) == ["Snooze over"]


def test_nobody_gets_a_digest_when_nothing_is_flagged(platform, editor, reviewer):
    flagged(platform, "Resolved", owner=editor, resolved_at=NOW)

    assert build_digests(TODAY) == {}


def test_daily_and_weekly_recipients_are_kept_apart(platform, editor):
    daily = person("daily")
    ReminderPreference.objects.create(user=daily, frequency="daily")
    flagged(platform, "Weekly one's", owner=editor)
    flagged(platform, "Daily one's", owner=daily)

    assert set(build_digests(TODAY, frequency="daily")) == {daily.pk}
    assert set(build_digests(TODAY, frequency="weekly")) == {editor.pk}
    assert set(build_digests(TODAY)) == {daily.pk, editor.pk}


def test_each_item_says_platform_pledge_reason_days_and_admin_link(platform, editor, settings):
    settings.SITE_URL = "https://tracker.example.org/"
    overdue = flagged(platform, "Overdue one", owner=editor, due_on=TODAY - 30 * DAY)
    flagged(
        platform,
        "Unsourced one",
        owner=editor,
        reason=Flag.Reason.UNSOURCED,
        opened_at=NOW - 3 * DAY,
    )

    first, second = build_digests(TODAY)[editor.pk].own

    assert first.platform == "TikTok"
    assert first.pledge == "Overdue one"
    assert first.reason == "Follow-up overdue"
    assert first.days_overdue == 30
    assert first.admin_url == (
        f"https://tracker.example.org/admin/commitments/commitment/{overdue.commitment_id}/change/"
    )
    # Not about a due date: how long the flag has been open.
    assert (second.pledge, second.reason, second.days_overdue) == (
        "Unsourced one",
        "Published without a source",
        3,
    )


def test_it_reads_everything_in_five_queries_however_many_flags(
    platform, editor, reviewer, django_assert_num_queries
):
    # The flags, the recipients, the drafted ratings, the submissions, the last digests.
    owners = [person(f"owner{n}") for n in range(3)]
    for n in range(3):
        flagged(platform, f"Few {n}", owner=owners[n])
    with django_assert_num_queries(5):
        few = build_digests(TODAY)
    for n in range(30):
        flagged(platform, f"Many {n}", owner=owners[n % 3] if n % 2 else None)
    with django_assert_num_queries(5):
        many = build_digests(TODAY)

    assert len(few) == 3
    assert len(many) == 4
    assert len(many[reviewer.pk].items) == 15


def test_one_recipients_digest_is_the_same_as_in_the_full_run(platform, editor, reviewer):
    flagged(platform, "Editor's", owner=editor)
    flagged(platform, "Nobody's")

    alone = build_digests(TODAY, recipient_id=reviewer.pk)

    assert set(alone) == {reviewer.pk}
    assert alone[reviewer.pk].items == build_digests(TODAY)[reviewer.pk].items


def test_periods_are_days_and_iso_weeks():
    assert period_key("daily", TODAY) == "2026-11-25"
    assert period_key("weekly", TODAY) == "2026-W48"
    assert period_key("weekly", datetime.date(2026, 11, 23)) == "2026-W48"  # its Monday
    assert period_key("weekly", datetime.date(2026, 11, 30)) == "2026-W49"
    # New Year's Day 2027 is a Friday, still in the last ISO week of 2026.
    assert period_key("weekly", datetime.date(2027, 1, 1)) == "2026-W53"


def test_an_owner_no_longer_staff_counts_as_no_owner(platform, editor, reviewer):
    flagged(platform, "Their pledge", owner=editor)
    editor.is_staff = False
    editor.save()
    digests = build_digests(TODAY)
    assert editor.pk not in digests
    assert titles(digests[reviewer.pk].items) == ["Their pledge"]
    assert build_digests(TODAY, recipient_id=editor.pk) == {}


def test_one_owners_delivery_does_not_read_the_unowned_pledges(platform, editor, reviewer):
    flagged(platform, "Theirs", owner=editor)
    flagged(platform, "Nobody's")
    with CaptureQueriesContext(connection) as captured:
        digest = build_digests(TODAY, recipient_id=editor.pk)[editor.pk]
    assert titles(digest.items) == ["Theirs"]
    flags_query = next(q["sql"] for q in captured if "commitments_flag" in q["sql"])
    assert '"owner_id" IS NULL' not in flags_query
    assert titles(build_digests(TODAY, recipient_id=reviewer.pk)[reviewer.pk].items) == ["Nobody's"]
