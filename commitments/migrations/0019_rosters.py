"""Membership rosters: an initiative's members page and selectors, other names of
platforms, the names read from rosters, and the proposals they make."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


# Editors and Reviewers work the roster queue and keep platforms' other names.
STAFF_PERMISSIONS = [
    "view_rosterproposal",
    "change_rosterproposal",
    "view_rostersnapshot",
    "view_platformalias",
    "add_platformalias",
    "change_platformalias",
    "delete_platformalias",
]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="commitments", codename__in=STAFF_PERMISSIONS
    )
    for name in ("Editors", "Reviewers"):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0018_source_snapshots"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalinitiative",
            name="roster_selectors",
            field=models.TextField(
                blank=True,
                help_text='CSS selectors, one per line: the text of each element they match on the members page is one member\'s name (for example "ul.members li" or ".logo img").',
                verbose_name="member name selectors",
            ),
        ),
        migrations.AddField(
            model_name="historicalinitiative",
            name="roster_source",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The source whose page lists the initiative's members.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="commitments.source",
                verbose_name="members page",
            ),
        ),
        migrations.AddField(
            model_name="initiative",
            name="roster_selectors",
            field=models.TextField(
                blank=True,
                help_text='CSS selectors, one per line: the text of each element they match on the members page is one member\'s name (for example "ul.members li" or ".logo img").',
                verbose_name="member name selectors",
            ),
        ),
        migrations.AddField(
            model_name="initiative",
            name="roster_source",
            field=models.ForeignKey(
                blank=True,
                help_text="The source whose page lists the initiative's members.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="roster_of",
                to="commitments.source",
                verbose_name="members page",
            ),
        ),
        migrations.CreateModel(
            name="PlatformAlias",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="As a roster writes it.", max_length=200, unique=True
                    ),
                ),
                (
                    "platform",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="aliases",
                        to="commitments.platform",
                    ),
                ),
            ],
            options={
                "verbose_name": "another name of a platform",
                "verbose_name_plural": "other names of platforms",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="RosterSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("names", models.JSONField(help_text="The members' names, in the page's order.")),
                (
                    "sha256",
                    models.CharField(
                        help_text="Of the sorted names.", max_length=64, verbose_name="SHA-256"
                    ),
                ),
                ("first_seen_at", models.DateTimeField()),
                ("last_seen_at", models.DateTimeField()),
                (
                    "initiative",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="roster_snapshots",
                        to="commitments.initiative",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="roster_snapshots",
                        to="commitments.source",
                    ),
                ),
            ],
            options={
                "ordering": ["initiative", "first_seen_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="RosterProposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("joined", "On the roster, no pledge recorded: joined?"),
                            ("left", "No longer on the roster: left or renamed?"),
                        ],
                        max_length=10,
                    ),
                ),
                ("name", models.CharField(help_text="As the roster writes it.", max_length=200)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("accepted", "Accepted"),
                            ("dismissed", "Dismissed"),
                        ],
                        default="open",
                        max_length=10,
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("decided_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("note", models.TextField(blank=True, editable=False)),
                (
                    "commitment",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="commitments.commitment",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "follow_up",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="commitments.followup",
                    ),
                ),
                (
                    "initiative",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="roster_proposals",
                        to="commitments.initiative",
                    ),
                ),
                (
                    "platform",
                    models.ForeignKey(
                        blank=True,
                        help_text="The platform the name was matched to; staff choose one when none was.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="roster_proposals",
                        to="commitments.platform",
                    ),
                ),
                (
                    "snapshot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="proposals",
                        to="commitments.rostersnapshot",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="rostersnapshot",
            index=models.Index(
                fields=["initiative", "-first_seen_at"], name="roster_newest_per_initiative"
            ),
        ),
        migrations.AddConstraint(
            model_name="rosterproposal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "open")),
                fields=("initiative", "kind", "name"),
                name="roster_proposal_one_open",
            ),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
