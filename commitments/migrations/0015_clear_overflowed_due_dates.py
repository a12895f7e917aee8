"""Before dates had bounds (0016), a pledge announced in 9999 got a due date in year
10000, which PostgreSQL stores but Python cannot read: every page listing it failed. The
due dates are derived (commitments/refresh.py recomputes them whenever the pledge
changes), so clearing the unreadable ones loses nothing and lets the admin open the pledge
to correct its dates. SQLite never stored such a date (its date arithmetic gave NULL).

Its own migration, committed before 0016 checks the dates people entered: if that check
stops the upgrade, the pledges it names can already be opened and mended.
"""

from django.db import migrations

CLEAR_UNREADABLE = """
    UPDATE commitments_commitment SET follow_up_due_on = NULL, flag_from = NULL
    WHERE follow_up_due_on > '9999-12-31' OR flag_from > '9999-12-31'
"""


def clear_unreadable_due_dates(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CLEAR_UNREADABLE)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0014_remove_flag_reply_fields"),
    ]

    operations = [
        migrations.RunPython(clear_unreadable_due_dates, migrations.RunPython.noop),
    ]
