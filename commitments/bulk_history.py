"""History rows for records written in bulk.

django-simple-history writes a history row from its post_save signal, one INSERT per
save (and one more per many-to-many field). Services that write many rows at once
(`bulk_create`, `update()`) write their history here instead, in a few statements
whatever the number of rows, and with the same content: every tracked field, who and
why, and for a commitment the people named at that moment, which restoring a deleted
commitment reads back (commitments/curation/restore.py).
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.models import HistoricalRecords

# Rows at a time: the many-to-many snapshot reads their links with an IN list.
CHUNK = 2000


def history_write(instances: list[Model], *, update: bool, user=None, reason: str = "") -> None:
    """One history row per instance ("~" when `update`, else "+"), with the snapshot of
    each many-to-many field the history tracks."""
    if not instances:
        return
    model = type(instances[0])
    history_model = model.history.model
    for start in range(0, len(instances), CHUNK):
        rows = model.history.bulk_history_create(
            instances[start : start + CHUNK],
            update=update,
            default_user=user,
            default_change_reason=reason,
        )
        for field in getattr(history_model, "_history_m2m_fields", []):
            snapshot_m2m(field, rows)


def update_with_history(instances: list[Model], *, user=None, **values) -> None:
    """Set `values` on `instances` (rows of one model) with one UPDATE, as save() would
    (`updated_at` moves on where the model has one), and keep a history row for each."""
    if not instances:
        return
    model = type(instances[0])
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values = {**values, "updated_at": timezone.now()}
    with transaction.atomic():
        model.objects.filter(pk__in=[obj.pk for obj in instances]).update(**values)
        for obj in instances:
            for name, value in values.items():
                setattr(obj, name, value)
        history_write(instances, update=True, user=user)


def snapshot_m2m(field, rows: list) -> None:
    """Copy the links of `field` (say, Commitment.people) as they stand now into the
    history's own table, for each history row: one read, one write."""
    through = field.remote_field.through
    own = field.m2m_field_name()  # the link's column for the record itself
    links = defaultdict(list)
    for link in through.objects.filter(**{f"{own}__in": [row.id for row in rows]}):
        links[getattr(link, f"{own}_id")].append(link)
    m2m_history = HistoricalRecords.m2m_models[field]
    # By column (commitment_id, person_id): reading the related rows would be a query each.
    columns = [f.attname for f in through._meta.fields]
    copies = [
        m2m_history(history=row, **{column: getattr(link, column) for column in columns})
        for row in rows
        for link in links[row.id]
    ]
    m2m_history.objects.bulk_create(copies)
