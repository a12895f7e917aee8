"""A curators' note on a person, kept apart from the role the public reads.

The shipped dataset had put two such notes into roles, which the pledge's page showed
("People named"). They move to the note here, matched by the exact words shipped, so
that a role staff have since edited is left as it is.
"""

from django.db import migrations, models

# name: (role as shipped, role, note)
NOTES_IN_ROLES = {
    "Arjun Narayan Bettadapur": (
        "Director, Trust and Safety, Asia-Pacific (also reported as Arjun Narayan; "
        "misspelled 'Arjun Manjuth' by Digital Information World and given as "
        "'Arjun Manjunath' by Adweek)",
        "Director, Trust and Safety, Asia-Pacific",
        "Also reported as Arjun Narayan; misspelled 'Arjun Manjuth' by Digital Information "
        "World and given as 'Arjun Manjunath' by Adweek.",
    ),
    "Daisy Greenwell": ("Co-founder (critic of the change)", "Co-founder", "Critic of the change."),
}


def move_notes_out_of_roles(apps, schema_editor):
    Person = apps.get_model("commitments", "Person")
    for name, (shipped, role, note) in NOTES_IN_ROLES.items():
        Person.objects.filter(name=name, role=shipped, note="").update(role=role, note=note)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0016_date_bounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalperson",
            name="note",
            field=models.TextField(
                blank=True,
                help_text="For staff only, never shown to the public: other spellings seen "
                "in sources, why this person is named.",
                verbose_name="curators' note",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="note",
            field=models.TextField(
                blank=True,
                help_text="For staff only, never shown to the public: other spellings seen "
                "in sources, why this person is named.",
                verbose_name="curators' note",
            ),
        ),
        migrations.RunPython(move_notes_out_of_roles, migrations.RunPython.noop),
    ]
