"""The platform's right of reply as records of its own (ReplyRequest), shown publicly with
its clock. Requests recorded on flags move here when unanswered; an answer recorded only
as text on a flag (no follow-up, so no source) is kept in the flag's staff-only
resolution note rather than shown. 0014 then drops the flag's fields."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

HOW = "asked for evidence (recorded before requests were itemised)"


def give_groups_the_requests(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    actions = {
        "Editors": ["add", "change", "view"],
        "Reviewers": ["add", "change", "view", "delete"],
    }
    for name, allowed in actions.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="commitments",
                codename__in=[f"{action}_replyrequest" for action in allowed],
            )
        )


def move_requests_off_flags(apps, schema_editor):
    Flag = apps.get_model("commitments", "Flag")
    ReplyRequest = apps.get_model("commitments", "ReplyRequest")
    asked = Flag.objects.filter(platform_asked_on__isnull=False)
    unanswered = asked.filter(platform_answered_on__isnull=True, platform_answer="")
    ReplyRequest.objects.bulk_create(
        ReplyRequest(commitment_id=flag.commitment_id, asked_on=flag.platform_asked_on, how=HOW)
        for flag in unanswered
    )
    for flag in asked.exclude(pk__in=unanswered.values("pk")):
        answered = flag.platform_answered_on.isoformat() if flag.platform_answered_on else "?"
        note = (
            f"Right of reply (moved here by migration 0013): asked on "
            f"{flag.platform_asked_on.isoformat()}, answered on {answered}: "
            f"{flag.platform_answer}"
        )
        flag.resolution = f"{flag.resolution}\n\n{note}".strip()
        flag.save(update_fields=["resolution"])


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0012_public_submissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReplyRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("asked_on", models.DateField()),
                (
                    "how",
                    models.CharField(
                        help_text="As the public reads it: “by email to its press office”.",
                        max_length=200,
                        verbose_name="how it was asked",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "answer",
                    models.OneToOneField(
                        blank=True,
                        help_text="The platform's answer: a follow-up of kind Platform's reply on this pledge, citing its source. Record it first, then choose it here.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="reply_to",
                        to="commitments.followup",
                    ),
                ),
                (
                    "asked_by",
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
                    "commitment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reply_requests",
                        to="commitments.commitment",
                    ),
                ),
            ],
            options={
                "verbose_name": "request for the platform's reply",
                "ordering": ["-asked_on", "-id"],
            },
        ),
        migrations.RunPython(move_requests_off_flags, migrations.RunPython.noop),
        migrations.RunPython(give_groups_the_requests, migrations.RunPython.noop),
    ]
