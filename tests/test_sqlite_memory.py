"""The in-memory SQLite database of the SQLite tests (tests/sqlite_memory.py) keeps to
itself: what a test writes there writes nothing into the suite's own database."""

from django.db import connections

from commitments.models import Platform
from tests.sqlite_memory import memory_database


def test_a_record_made_in_memory_writes_nothing_to_the_default_database(django_db_blocker):
    on_default = []

    def record(execute, sql, params, many, context):
        on_default.append(sql)
        return execute(sql, params, many, context)

    with memory_database(django_db_blocker, "memory_only", [Platform]) as memory:
        with connections["default"].execute_wrapper(record):
            Platform.objects.using("memory_only").create(name="TikTok", slug="tiktok")
        assert Platform.objects.using("memory_only").count() == 1
        assert memory.vendor == "sqlite"
    assert on_default == []
