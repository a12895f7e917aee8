import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from commitments.models import Citation, Commitment, FollowUp, Initiative, Person, Platform, Source
from tests.factories import SHIPPED


def export_text(path=None) -> str:
    out = io.StringIO()
    if path:
        call_command("export_commitments", str(path), stderr=io.StringIO())
        return Path(path).read_text(encoding="utf-8")
    call_command("export_commitments", stdout=out)
    return out.getvalue()


def empty_the_database():
    """Every record row, by plain DELETEs: the ORM's delete() would write a history row
    for each of the ~2,000 records, one at a time, and the export reads no history."""
    Platform.objects.update(parent=None)
    models = (Citation, FollowUp, Commitment.people.through, Commitment, Person, Source)
    with connection.cursor() as cursor:
        for model in (*models, Initiative, Platform):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    assert not Platform.objects.exists() and not Commitment.objects.exists()


@pytest.mark.django_db
def test_export_import_export_gives_the_same_json(tmp_path):
    call_command("import_commitments", str(SHIPPED), stdout=io.StringIO())
    first = export_text(tmp_path / "first.json")

    empty_the_database()
    call_command("import_commitments", str(tmp_path / "first.json"), stdout=io.StringIO())
    second = export_text(tmp_path / "second.json")

    assert json.loads(first)["commitments"], "the export holds the commitments"
    assert second == first


@pytest.mark.django_db
def test_the_export_is_the_shipped_format():
    call_command("import_commitments", str(SHIPPED), stdout=io.StringIO())
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))

    exported = json.loads(export_text())

    # The licence, stated in every export; the shipped file states it in data/README.md.
    assert exported.pop("license") == {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "attribution": "the child-safety commitment tracker, with a link to the pledge's page",
    }
    assert list(exported) == list(shipped)
    for part in exported:
        assert len(exported[part]) == len(shipped[part])
        for mine, theirs in zip(exported[part], shipped[part], strict=True):
            # The same keys; their order is not part of a JSON object, and the shipped
            # file itself puts `follow_ups` before `confidence` in some records.
            assert set(mine) == set(theirs)
    tiktok = next(
        c for c in exported["commitments"] if c["title"].startswith("TikTok joins the WeP")
    )
    assert tiktok["announced_on"] == "2020-06-22"
    assert tiktok["initiative"] == "WeProtect Global Alliance"


@pytest.mark.django_db
def test_the_export_includes_drafts_and_partial_dates(commitment):
    commitment.published = False
    commitment.announced_on = commitment.announced_on.replace(day=1)
    commitment.announced_precision = "month"
    commitment.save()

    exported = json.loads(export_text())

    [record] = exported["commitments"]
    assert record["title"] == commitment.title
    assert record["announced_on"] == "2020-06"
    assert record["sources"][0]["url"] == commitment.citations.get().source.url
    assert "follow_ups" not in record
