"""Corrections and evidence sent by the public, in a staff queue the staff groups work."""

import commitments.models.fields
import commitments.web_addresses
import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def give_groups_the_queue(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    actions = {"Editors": ["view", "change"], "Reviewers": ["view", "change", "delete"]}
    for name, allowed in actions.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="commitments",
                codename__in=[f"{action}_submission" for action in allowed],
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0011_reviews"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Submission",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "what_is_wrong",
                    models.TextField(max_length=4000, verbose_name="what is wrong, or what is new"),
                ),
                (
                    "source_url",
                    commitments.models.fields.WebAddressField(
                        max_length=2000,
                        validators=[commitments.web_addresses.validate_http_url],
                        verbose_name="a public source that shows it",
                    ),
                ),
                (
                    "email",
                    models.EmailField(
                        blank=True,
                        help_text="The sender's, if given: staff only, to ask or to answer.",
                        max_length=254,
                    ),
                ),
                ("client_key", models.CharField(db_index=True, editable=False, max_length=64)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("accepted", "Accepted into a follow-up"),
                            ("rejected", "Rejected"),
                        ],
                        default="new",
                        max_length=10,
                    ),
                ),
                ("rejection_reason", models.CharField(blank=True, max_length=500)),
                ("decided_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "commitment",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for a general correction or a pledge the tracker lacks.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="submissions",
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
                        help_text="The follow-up it was accepted into.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="commitments.followup",
                    ),
                ),
            ],
            options={
                "verbose_name": "public submission",
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["state", "-created_at"], name="submission_queue")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "accepted"), _negated=True),
                            ("follow_up__isnull", False),
                            _connector="OR",
                        ),
                        name="submission_accepted_into_a_follow_up",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("state", "rejected"), _negated=True),
                            models.Q(("rejection_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="submission_rejected_with_a_reason",
                    ),
                ],
            },
        ),
        migrations.RunPython(give_groups_the_queue, migrations.RunPython.noop),
    ]
