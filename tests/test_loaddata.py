"""generate_load_data: synthetic rows that obey the same rules as rows made in the admin."""

import io

import pytest
from django.core.management import CommandError, call_command

from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Initiative,
    Person,
    Platform,
    Source,
)

pytestmark = pytest.mark.django_db

N = 50
# Smaller than N, so that the tests cross batch boundaries.
BATCH = 20
RECORDS = [Platform, Initiative, Person, Source, Commitment, FollowUp, Citation]
# Set by the database at insert time, so never the same twice.
CLOCK_FIELDS = {"created_at", "updated_at", "approved_at"}


def generate(n=N, **options) -> str:
    err = io.StringIO()
    call_command(
        "generate_load_data",
        commitments=n,
        batch_size=BATCH,
        stdout=io.StringIO(),
        stderr=err,
        **options,
    )
    return err.getvalue()


def snapshot() -> dict:
    """Every generated row, minus the clock fields, in id order."""
    rows = {}
    for model in RECORDS:
        names = [f.attname for f in model._meta.concrete_fields if f.name not in CLOCK_FIELDS]
        rows[model.__name__] = list(model.objects.order_by("id").values_list(*names))
    links = Commitment.people.through.objects.order_by("commitment_id", "person_id")
    rows["people links"] = list(links.values_list("commitment_id", "person_id"))
    return rows


def delete_everything() -> None:
    Commitment.objects.all().delete()  # with its follow-ups and citations
    Citation.objects.all().delete()
    Source.objects.all().delete()
    Initiative.objects.all().delete()
    Person.objects.all().delete()
    Platform.objects.filter(parent__isnull=False).delete()
    Platform.objects.all().delete()


def test_counts():
    generate()
    assert Commitment.objects.count() == N
    assert Platform.objects.count() == 20
    assert Platform.objects.filter(parent__isnull=False).exists()
    assert Initiative.objects.count() == 50
    # About 1.5 per commitment, plus one founding document per initiative.
    assert 1.0 * N + 50 <= Source.objects.count() <= 2.2 * N + 50
    assert FollowUp.objects.count() <= 3 * N
    assert 0.3 * N <= Commitment.objects.lacking_follow_up().count() <= 0.7 * N
    assert 0.4 * N <= Commitment.objects.published().count() <= 0.8 * N
    for commitment in Commitment.objects.all():
        assert commitment.citations.count() <= 3
    for follow_up in FollowUp.objects.all():
        assert follow_up.citations.count() <= 2


def test_names_are_marked_and_slugs_unique():
    generate()
    assert not Platform.objects.exclude(name__startswith="Loadtest").exists()
    assert not Initiative.objects.exclude(name__startswith="Loadtest").exists()
    assert not Commitment.objects.exclude(title__startswith="Loadtest").exists()
    assert not Source.objects.exclude(url__regex=r"^https://[^/]+\.example/").exists()
    slugs = list(Commitment.objects.values_list("slug", flat=True))
    assert all(slugs) and len(set(slugs)) == len(slugs)
    for commitment in Commitment.objects.select_related("platform")[:10]:
        assert commitment.slug.startswith(commitment.platform.slug + "-loadtest-")


def test_every_published_commitment_has_a_source():
    generate()
    assert not Commitment.objects.published().lacking_sources().exists()


def test_stored_status_and_latest_follow_up_follow_the_evidence():
    generate()
    assert Commitment.objects.exclude(status="announced").exists()
    for commitment in Commitment.objects.prefetch_related("follow_ups"):
        # Newest first: the latest date, then the highest id.
        newest = sorted(commitment.follow_ups.all(), key=lambda f: (f.happened_on, f.id))[::-1]
        naming = [f.status_after for f in newest if f.status_after]
        assert commitment.status == (naming[0] if naming else "announced"), commitment.pk
        latest = (newest[0].happened_on, newest[0].happened_precision) if newest else (None, "day")
        assert (commitment.latest_follow_up_on, commitment.latest_follow_up_precision) == latest


def test_load_data_has_no_history():
    generate()
    assert not Commitment.history.exists()
    assert not FollowUp.history.exists()


def test_rows_pass_the_models_validation():
    generate()
    for model in [Platform, Initiative, Source, Commitment, FollowUp, Citation]:
        for row in model.objects.all():
            row.full_clean()


def test_refuses_a_database_with_commitments_unless_appending():
    generate()
    with pytest.raises(CommandError, match="already holds 50 commitments.*--append"):
        generate(5)
    assert Commitment.objects.count() == N

    generate(5, append=True)
    assert Commitment.objects.count() == N + 5
    assert Platform.objects.count() == 40


def test_refuses_nonsense():
    with pytest.raises(CommandError, match="at least 1"):
        generate(0)


def test_the_same_seed_gives_the_same_rows():
    generate(seed=7)
    first = snapshot()
    delete_everything()
    generate(seed=7)
    assert snapshot() == first
    delete_everything()
    generate(seed=8)
    assert snapshot() != first


def test_rows_made_afterwards_get_fresh_ids():
    generate()
    platform = Platform.objects.create(name="TikTok")
    assert platform.pk == 21


def test_reports_progress_on_stderr():
    progress = generate()
    assert "commitments 20/50 (40%)" in progress
    assert "commitments 50/50 (100%)" in progress


def test_refreshes_the_planners_statistics_after_the_load():
    # So that SQLite does not plan the first pages after a bulk load without any.
    out = io.StringIO()
    call_command("generate_load_data", commitments=N, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Generated ") and f" {N} commitments," in lines[0]
    assert lines[1].startswith("Analysed the postgresql database in ")
