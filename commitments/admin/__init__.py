"""The staff back office: every record is curated here, and every change kept in history.

- records.py: platforms, initiatives, sources and people.
- pledges.py: commitments and follow-ups, their citations, publishing.
- deleted.py: the "Deleted commitments" page that restores a pledge with its evidence.
- flags.py: the flag queue, the follow-up rules and the scheduled jobs' last runs.
- submissions.py: the queue of corrections and evidence the public sent.
- rosters.py: the queue of roster proposals (joined, left), each accepted or dismissed.
- kept_text.py: a source's kept text, its versions and their differences.
- schedules.py: the scheduled jobs' schedules (django-celery-beat), out of the sidebar.
- citations.py, dates.py: a citation row that takes a new source; one box for a partial
  date and its precision.
- history.py, inlines.py, widgets.py: the bases of every record's admin and of every
  inline, and autocomplete widgets that any posted value leaves working.

Every ModelAdmin of a curated record is a django-simple-history `SimpleHistoryAdmin`
(through history.py's `HistoryAdmin`, which answers a bad id with a 404), so each create,
change and delete is kept with who and when, and shown on the record's History page.
Flags, rules and job runs keep no history table: their changes go to the admin log (see
flags.py).
"""

from commitments.admin import (  # noqa: F401  (registers)
    flags,
    pledges,
    records,
    rosters,
    schedules,
    submissions,
)
