"""The staff back office: every record is curated here, and every change kept in history.

- records.py: platforms, initiatives, sources and people.
- pledges.py: commitments and follow-ups, their citations, publishing.
- deleted.py: the "Deleted commitments" page that restores a pledge with its evidence.

Every ModelAdmin is a django-simple-history `SimpleHistoryAdmin`, so each create, change
and delete is kept with who and when, and shown on the record's History page.
"""

from commitments.admin import pledges, records  # noqa: F401  (registers the ModelAdmins)
