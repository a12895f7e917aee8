"""Remove the "no evidence found" lapses that flag_commitments recorded by itself.

They were the tracker's timer running out, not evidence, and a status is a rating a
person gives on cited evidence. Each pledge they lapsed falls back on the newest rating
a person gave ("announced, not yet rated" if none). History is kept: each removed
follow-up gets a deletion row, and each pledge whose status moves a change row (with its
people, as django-simple-history snapshots them), both giving the reason below.
"""

from django.db import migrations
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

REASON = "Automatic lapse removed: the tracker's timer is not evidence"
CHUNK = 2000


def history_row(history_model, record, now, history_type: str):
    """A history row of `record` as it stands, with the fields its history keeps."""
    kept = {field.attname for field in history_model._meta.concrete_fields}
    values = {
        field.attname: getattr(record, field.attname)
        for field in record._meta.concrete_fields
        if field.attname in kept
    }
    return history_model(
        **values,
        history_date=now,
        history_type=history_type,
        history_change_reason=REASON,
    )


def remove_automatic_lapses(apps, schema_editor):
    FollowUp = apps.get_model("commitments", "FollowUp")
    Commitment = apps.get_model("commitments", "Commitment")
    HistoricalFollowUp = apps.get_model("commitments", "HistoricalFollowUp")
    HistoricalCommitment = apps.get_model("commitments", "HistoricalCommitment")
    PeopleHistory = apps.get_model("commitments", "HistoricalCommitment_people")
    People = Commitment.people.through
    now = timezone.now()

    automatic = FollowUp.objects.filter(automatic=True)
    if not automatic.exists():
        return
    rated = (
        FollowUp.objects.filter(commitment=OuterRef("pk"), automatic=False)
        .exclude(status_after="")
        .order_by("-happened_on", "-id")
        .values("status_after")[:1]
    )
    moving = (
        Commitment.objects.filter(pk__in=automatic.values("commitment_id"))
        .alias(rating=Coalesce(Subquery(rated), Value("announced")))
        .filter(~Q(status=F("rating")))
    )
    ids = list(moving.values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        Commitment.objects.filter(pk__in=chunk).update(
            status=Coalesce(Subquery(rated), Value("announced")), updated_at=now
        )
        rows = HistoricalCommitment.objects.bulk_create(
            history_row(HistoricalCommitment, commitment, now, "~")
            for commitment in Commitment.objects.filter(pk__in=chunk).order_by("pk")
        )
        by_commitment = {row.id: row for row in rows}
        PeopleHistory.objects.bulk_create(
            PeopleHistory(
                id=link.id,
                history=by_commitment[link.commitment_id],
                commitment_id=link.commitment_id,
                person_id=link.person_id,
            )
            for link in People.objects.filter(commitment_id__in=chunk)
        )

    HistoricalFollowUp.objects.bulk_create(
        (history_row(HistoricalFollowUp, follow_up, now, "-") for follow_up in automatic),
        batch_size=CHUNK,
    )
    automatic.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0007_job_first_start_and_schedule_permissions"),
    ]

    operations = [
        migrations.RunPython(remove_automatic_lapses, migrations.RunPython.noop, elidable=False),
    ]
