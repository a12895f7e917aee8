"""An in-memory SQLite database beside the suite's PostgreSQL one, for the tests of what
SQLite, the embedded database, does differently (its query plans, its FTS5 search)."""

import contextlib

from django.db import connections
from django.test import override_settings


@contextlib.contextmanager
def memory_database(django_db_blocker, alias: str, models: list, *, statements=()):
    """A connection `alias` to a new in-memory SQLite database holding the tables of
    `models` (with their indexes, as the models declare them) and then `statements`.

    No history is recorded meanwhile: django-simple-history writes a record's history to
    the default database whatever database the record is in, so each record made here
    wrote a row into the suite's PostgreSQL database, outside any test's transaction, on
    a connection nothing closed ("database test_tracker_gw0 is being accessed by other
    users" when the suite then dropped it)."""
    memory = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    # Django's defaults for a database's settings (it wants a "default" to fill them).
    connections.settings[alias] = connections.configure_settings(
        {"default": dict(memory), alias: memory}
    )[alias]
    try:
        with django_db_blocker.unblock(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            connection = connections[alias]
            with connection.schema_editor() as editor:
                for model in models:
                    editor.create_model(model)
                for statement in statements:
                    editor.execute(statement)
            try:
                yield connection
            finally:
                connection.close()
    finally:
        del connections[alias]
        del connections.settings[alias]
