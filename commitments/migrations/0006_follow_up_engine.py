"""The follow-up engine: rules per kind of pledge with their defaults, due dates stored on
each pledge, flags, link-check counters, job runs, the staff's permissions on them and
the default schedules of the jobs (django-celery-beat, editable in the admin).
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


# Days: a year for memberships and endorsements, 90 after the effective date for
# product changes and age restrictions; a recurring pledge's cadence wins over its rule.
DEFAULT_RULES = {
    "membership": 365,
    "endorsement": 365,
    "signatory": 365,
    "product_change": 90,
    "age_restriction": 90,
    "policy": 180,
    "reporting": 365,
    "funding": 365,
    "other": 365,
}

# name: (task, minute, hour, day of week), in the site's time zone.
DEFAULT_SCHEDULES = {
    "Check source links": ("commitments.tasks.check_sources", "0", "5", "*"),
    "Flag commitments": ("commitments.tasks.flag_commitments", "30", "5", "*"),
}

EDITOR_PERMISSIONS = ["view_flag", "change_flag", "view_followuprule", "view_jobrun"]
REVIEWER_PERMISSIONS = EDITOR_PERMISSIONS + ["change_followuprule"]


def fill(apps, schema_editor):
    FollowUpRule = apps.get_model("commitments", "FollowUpRule")
    for kind, days in DEFAULT_RULES.items():
        FollowUpRule.objects.get_or_create(kind=kind, defaults={"interval_days": days})
    # The due dates of existing pledges are computed by 0011, which runs the live rule
    # (commitments/refresh.py) once the tables it reads exist.

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, minute, hour, day_of_week) in DEFAULT_SCHEDULES.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editors", EDITOR_PERMISSIONS), ("Reviewers", REVIEWER_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="commitments", codename__in=codenames
            )
        )


def unfill(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=DEFAULT_SCHEDULES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0005_search_and_sort_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="Flag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("overdue", "Follow-up overdue"),
                            ("unsourced", "Published without a source"),
                            ("source_unreachable", "Source unreachable"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "opened_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("resolved_at", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "resolution",
                    models.TextField(
                        blank=True,
                        editable=False,
                        help_text="What resolved the flag, or the staff note.",
                    ),
                ),
                ("snoozed_until", models.DateField(blank=True, editable=False, null=True)),
                ("snooze_reason", models.CharField(blank=True, editable=False, max_length=300)),
                (
                    "platform_asked_on",
                    models.DateField(
                        blank=True, null=True, verbose_name="platform asked for evidence on"
                    ),
                ),
                (
                    "platform_answered_on",
                    models.DateField(blank=True, null=True, verbose_name="platform answered on"),
                ),
                ("platform_answer", models.TextField(blank=True, verbose_name="platform's answer")),
            ],
            options={
                "ordering": ["opened_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="FollowUpRule",
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
                            ("membership", "Membership"),
                            ("endorsement", "Endorsement"),
                            ("signatory", "Signatory"),
                            ("product_change", "Product change"),
                            ("age_restriction", "Age restriction"),
                            ("policy", "Policy"),
                            ("reporting", "Reporting"),
                            ("funding", "Funding"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        unique=True,
                    ),
                ),
                (
                    "interval_days",
                    models.PositiveIntegerField(
                        help_text="Days after the last evidence that new evidence is due.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(3650),
                        ],
                        verbose_name="interval (days)",
                    ),
                ),
                (
                    "grace_days",
                    models.PositiveIntegerField(
                        default=14,
                        help_text="Days past due before the pledge is flagged.",
                        validators=[django.core.validators.MaxValueValidator(3650)],
                        verbose_name="grace (days)",
                    ),
                ),
                (
                    "lapse_after_days",
                    models.PositiveIntegerField(
                        default=365,
                        help_text="Days after being flagged, with no new evidence, before the pledge is marked lapsed (an automatic follow-up record, shown in its history).",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(3650),
                        ],
                        verbose_name="lapse after (days)",
                    ),
                ),
            ],
            options={
                "verbose_name": "follow-up rule",
                "ordering": ["kind"],
            },
        ),
        migrations.CreateModel(
            name="JobRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("job", models.CharField(max_length=100, unique=True)),
                ("last_started_at", models.DateTimeField(blank=True, null=True)),
                ("last_succeeded_at", models.DateTimeField(blank=True, null=True)),
                ("last_failed_at", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                (
                    "last_summary",
                    models.TextField(blank=True, help_text="What the last successful run did."),
                ),
            ],
            options={
                "verbose_name": "scheduled job run",
                "ordering": ["job"],
            },
        ),
        migrations.AddField(
            model_name="commitment",
            name="flag_from",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="commitment",
            name="follow_up_due_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="commitment",
            name="follow_up_interval_days",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Leave empty to follow the rule for this kind of pledge (Follow-up rules).",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(3650),
                ],
                verbose_name="follow-up interval (days)",
            ),
        ),
        migrations.AddField(
            model_name="followup",
            name="automatic",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="historicalcommitment",
            name="follow_up_interval_days",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Leave empty to follow the rule for this kind of pledge (Follow-up rules).",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(3650),
                ],
                verbose_name="follow-up interval (days)",
            ),
        ),
        migrations.AddField(
            model_name="historicalfollowup",
            name="automatic",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="failures_in_row",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="last_check_error",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name="source",
            name="failures_in_row",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="source",
            name="last_check_error",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AlterField(
            model_name="followup",
            name="kind",
            field=models.CharField(
                choices=[
                    ("progress_report", "Progress report"),
                    ("transparency_report", "Transparency report"),
                    ("independent_test", "Independent test"),
                    ("regulator_finding", "Regulator's finding"),
                    ("statement", "Statement"),
                    ("reversal", "Reversal"),
                    ("reply", "Platform's reply"),
                    ("other", "Other"),
                    ("no_evidence", "No evidence found"),
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="historicalfollowup",
            name="kind",
            field=models.CharField(
                choices=[
                    ("progress_report", "Progress report"),
                    ("transparency_report", "Transparency report"),
                    ("independent_test", "Independent test"),
                    ("regulator_finding", "Regulator's finding"),
                    ("statement", "Statement"),
                    ("reversal", "Reversal"),
                    ("reply", "Platform's reply"),
                    ("other", "Other"),
                    ("no_evidence", "No evidence found"),
                ],
                max_length=30,
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("flag_from__isnull", False)),
                fields=["published", "flag_from"],
                name="commitment_by_flag_from",
            ),
        ),
        migrations.AddField(
            model_name="flag",
            name="commitment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="flags",
                to="commitments.commitment",
            ),
        ),
        migrations.AddField(
            model_name="flag",
            name="resolved_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Empty when the flag resolved itself.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="flag",
            name="source",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="flags",
                to="commitments.source",
            ),
        ),
        migrations.AddIndex(
            model_name="flag",
            index=models.Index(fields=["reason", "resolved_at"], name="flag_by_reason"),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("resolved_at__isnull", True), ("source__isnull", True)),
                fields=("commitment", "reason"),
                name="flag_one_open_per_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.UniqueConstraint(
                condition=models.Q(("resolved_at__isnull", True), ("source__isnull", False)),
                fields=("commitment", "source"),
                name="flag_one_open_per_source",
            ),
        ),
        migrations.AddConstraint(
            model_name="flag",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("reason", "source_unreachable"), ("source__isnull", False)),
                    models.Q(
                        models.Q(("reason", "source_unreachable"), _negated=True),
                        ("source__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="flag_source_only_when_unreachable",
            ),
        ),
        migrations.RunPython(fill, unfill),
    ]
