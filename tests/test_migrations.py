"""Data migrations, run on the database state they were written for."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("commitments", "0007_job_first_start_and_schedule_permissions")]
AFTER = [("commitments", "0009_ratings_on_evidence")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0007(transactional_db):
    """The database as 0007 left it; migrated to the latest again afterwards."""
    yield migrate(BEFORE)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_0008_removes_the_timers_lapses_and_rates_each_pledge_on_evidence_with_history(at_0007):
    apps = at_0007
    Platform = apps.get_model("commitments", "Platform")
    Commitment = apps.get_model("commitments", "Commitment")
    FollowUp = apps.get_model("commitments", "FollowUp")
    Person = apps.get_model("commitments", "Person")
    day = datetime.date(2025, 1, 1)
    platform = Platform.objects.create(name="TikTok", slug="tiktok")
    person = Person.objects.create(name="Jeff Collins")

    def pledge(title, status):
        return Commitment.objects.create(
            platform=platform,
            kind="membership",
            title=title,
            slug=title.lower().replace(" ", "-"),
            announced_on=day,
            status=status,
            published=True,
        )

    never_rated = pledge("Never rated", "lapsed")
    never_rated.people.add(person)
    rated = pledge("Rated in progress", "lapsed")
    untouched = pledge("Delivered", "delivered")
    FollowUp.objects.create(
        commitment=rated,
        happened_on=day,
        kind="progress_report",
        summary="Work began.",
        status_after="in_progress",
    )
    FollowUp.objects.create(
        commitment=untouched,
        happened_on=day,
        kind="statement",
        summary="Done, it says.",
        status_after="delivered",
    )
    for commitment in (never_rated, rated):
        FollowUp.objects.create(
            commitment=commitment,
            happened_on=day + datetime.timedelta(days=500),
            kind="no_evidence",
            summary="No follow-up evidence was found.",
            status_after="lapsed",
            automatic=True,
        )

    apps = migrate(AFTER)
    Commitment = apps.get_model("commitments", "Commitment")
    FollowUp = apps.get_model("commitments", "FollowUp")
    HistoricalCommitment = apps.get_model("commitments", "HistoricalCommitment")
    HistoricalFollowUp = apps.get_model("commitments", "HistoricalFollowUp")

    statuses = dict(Commitment.objects.values_list("title", "status"))
    assert statuses == {
        "Never rated": "announced",
        "Rated in progress": "in_progress",
        "Delivered": "delivered",
    }
    assert not FollowUp.objects.filter(kind="no_evidence").exists()
    assert FollowUp.objects.count() == 2
    # Kept in history: a deletion row per lapse, a change row per pledge that moved.
    removed = HistoricalFollowUp.objects.filter(history_type="-")
    assert removed.count() == 2
    assert set(removed.values_list("history_change_reason", flat=True)) == {
        "Automatic lapse removed: the tracker's timer is not evidence"
    }
    changes = HistoricalCommitment.objects.filter(history_type="~")
    assert sorted(changes.values_list("title", "status")) == [
        ("Never rated", "announced"),
        ("Rated in progress", "in_progress"),
    ]
    PeopleHistory = apps.get_model("commitments", "HistoricalCommitment_people")
    snapshot = PeopleHistory.objects.filter(history=changes.get(title="Never rated"))
    assert list(snapshot.values_list("person_id", flat=True)) == [person.pk]


AT_0009 = [("commitments", "0009_ratings_on_evidence")]


@pytest.fixture
def at_0009(transactional_db):
    """The database as 0009 left it; migrated to the latest again afterwards."""
    yield migrate(AT_0009)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_0010_to_0014_keep_what_staff_recorded_in_its_new_home(at_0009):
    apps = at_0009
    Platform = apps.get_model("commitments", "Platform")
    Commitment = apps.get_model("commitments", "Commitment")
    FollowUp = apps.get_model("commitments", "FollowUp")
    FollowUpRule = apps.get_model("commitments", "FollowUpRule")
    Flag = apps.get_model("commitments", "Flag")
    # A transactional test may have emptied the rules the migrations made.
    FollowUpRule.objects.get_or_create(kind="membership", defaults={"interval_days": 365})
    platform = Platform.objects.create(name="TikTok", slug="tiktok")
    reviewed_on = datetime.date(2026, 3, 1)
    pledge = Commitment.objects.create(
        platform=platform,
        kind="membership",
        title="Joins",
        slug="joins",
        announced_on=datetime.date(2020, 6, 22),
        published=True,
        last_reviewed_on=reviewed_on,
    )
    rating = FollowUp.objects.create(
        commitment=pledge,
        happened_on=datetime.date(2021, 1, 1),
        kind="progress_report",
        summary="Work began.",
        status_after="in_progress",
    )
    asked = datetime.date(2026, 10, 1)
    Flag.objects.create(commitment=pledge, reason="overdue", platform_asked_on=asked)
    Flag.objects.create(
        commitment=pledge,
        reason="unsourced",
        platform_asked_on=asked,
        platform_answered_on=datetime.date(2026, 10, 9),
        platform_answer="The report comes out in January.",
    )

    apps = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    FollowUp = apps.get_model("commitments", "FollowUp")
    Commitment = apps.get_model("commitments", "Commitment")
    Review = apps.get_model("commitments", "Review")
    ReplyRequest = apps.get_model("commitments", "ReplyRequest")
    Flag = apps.get_model("commitments", "Flag")
    Group = apps.get_model("auth", "Group")

    # 0010: every rating made so far was public, so it is approved when it was recorded.
    approved = FollowUp.objects.get(pk=rating.pk)
    assert approved.approved_at == approved.created_at
    # 0011: a hand-set review date becomes a review, which restarts the clock.
    review = Review.objects.get(commitment_id=pledge.pk)
    assert review.reviewed_on == reviewed_on
    assert review.found == "its findings were recorded before reviews were itemised"
    pledge = Commitment.objects.get(pk=pledge.pk)
    assert pledge.last_reviewed_on == reviewed_on
    assert pledge.follow_up_due_on == reviewed_on + datetime.timedelta(days=365)
    # 0013: an unanswered request is public now; an answer without a source stays staff's.
    (request,) = ReplyRequest.objects.all()
    assert (request.commitment_id, request.asked_on, request.answer_id) == (pledge.pk, asked, None)
    answered = Flag.objects.get(reason="unsourced")
    assert "answered on 2026-10-09: The report comes out in January." in answered.resolution
    reviewers = set(
        Group.objects.get(name="Reviewers").permissions.values_list("codename", flat=True)
    )
    assert {"approve_rating", "add_review", "view_submission", "add_replyrequest"} <= reviewers


@pytest.fixture
def at_0014(transactional_db):
    yield migrate([("commitments", "0014_remove_flag_reply_fields")])
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_0015_and_0016_let_staff_mend_a_date_out_of_bounds_before_holding_the_bounds(at_0014):
    Platform = at_0014.get_model("commitments", "Platform")
    Commitment = at_0014.get_model("commitments", "Commitment")
    pledge = Commitment.objects.create(
        platform=Platform.objects.create(name="TikTok", slug="tiktok"),
        kind="policy",
        title="Dated by a slip of the keyboard",
        slug="slip",
        announced_on=datetime.date(9999, 12, 31),
        published=True,
    )
    with connection.cursor() as cursor:
        # What the due-date arithmetic stored on PostgreSQL before the bounds: a date
        # Python cannot read, which made every page listing the pledge fail.
        cursor.execute(
            "UPDATE commitments_commitment SET follow_up_due_on = '10000-12-30', "
            "flag_from = '10001-01-13' WHERE id = %s",
            [pledge.pk],
        )

    apps = migrate([("commitments", "0015_clear_overflowed_due_dates")])
    Commitment = apps.get_model("commitments", "Commitment")
    mended = Commitment.objects.get(pk=pledge.pk)  # readable again, so the admin opens it
    assert (mended.follow_up_due_on, mended.flag_from) == (None, None)

    with pytest.raises(ImproperlyConfigured, match=f"Commitment {pledge.pk}: announced_on"):
        migrate([("commitments", "0016_date_bounds")])

    Commitment.objects.filter(pk=pledge.pk).update(announced_on=datetime.date(2019, 12, 31))
    migrate([("commitments", "0016_date_bounds")])
    with pytest.raises(IntegrityError, match="commitment_announced_on_in_range"):
        with transaction.atomic():
            Commitment.objects.filter(pk=pledge.pk).update(announced_on=datetime.date(9999, 1, 1))


@pytest.fixture
def at_0016(transactional_db):
    yield migrate([("commitments", "0016_date_bounds")])
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_0017_moves_the_shipped_curators_notes_out_of_roles_and_leaves_edited_ones(at_0016):
    Person = at_0016.get_model("commitments", "Person")
    Person.objects.create(
        name="Arjun Narayan Bettadapur",
        role="Director, Trust and Safety, Asia-Pacific (also reported as Arjun Narayan; "
        "misspelled 'Arjun Manjuth' by Digital Information World and given as "
        "'Arjun Manjunath' by Adweek)",
    )
    Person.objects.create(name="Daisy Greenwell", role="Co-founder, as staff wrote it")

    apps = migrate([("commitments", "0017_person_note")])
    Person = apps.get_model("commitments", "Person")
    arjun = Person.objects.get(name="Arjun Narayan Bettadapur")
    assert arjun.role == "Director, Trust and Safety, Asia-Pacific"
    assert arjun.note.startswith("Also reported as Arjun Narayan;")
    daisy = Person.objects.get(name="Daisy Greenwell")
    assert (daisy.role, daisy.note) == ("Co-founder, as staff wrote it", "")
