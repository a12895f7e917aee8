# The status ladder rated on evidence (falls short is new), lapse proposals as flags, and no
# automatic lapses: their follow-ups (removed by 0008) and the rules' lapse delay go.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0008_remove_automatic_lapses"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="commitment",
            name="commitment_status_known",
        ),
        migrations.RemoveConstraint(
            model_name="followup",
            name="followup_status_after_known",
        ),
        migrations.RemoveIndex(
            model_name="commitment",
            name="commitment_by_status_rank",
        ),
        migrations.RemoveField(
            model_name="followup",
            name="automatic",
        ),
        migrations.RemoveField(
            model_name="followuprule",
            name="lapse_after_days",
        ),
        migrations.RemoveField(
            model_name="historicalfollowup",
            name="automatic",
        ),
        migrations.AlterField(
            model_name="commitment",
            name="status",
            field=models.CharField(
                choices=[
                    ("announced", "Announced, not yet rated"),
                    ("in_progress", "In progress"),
                    ("delivered", "Delivered, per the platform"),
                    ("verified", "Verified"),
                    ("falls_short", "Falls short"),
                    ("stalled", "Stalled"),
                    ("lapsed", "Lapsed"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="announced",
                editable=False,
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="flag",
            name="reason",
            field=models.CharField(
                choices=[
                    ("overdue", "Follow-up overdue"),
                    ("unsourced", "Published without a source"),
                    ("source_unreachable", "Source unreachable"),
                    ("lapse_proposed", "Deadline passed: lapse proposed"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="followup",
            name="status_after",
            field=models.CharField(
                blank=True,
                choices=[
                    ("announced", "Announced, not yet rated"),
                    ("in_progress", "In progress"),
                    ("delivered", "Delivered, per the platform"),
                    ("verified", "Verified"),
                    ("falls_short", "Falls short"),
                    ("stalled", "Stalled"),
                    ("lapsed", "Lapsed"),
                    ("withdrawn", "Withdrawn"),
                ],
                help_text="Leave empty when this evidence does not change the status.",
                max_length=20,
                verbose_name="moves status to",
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommitment",
            name="status",
            field=models.CharField(
                choices=[
                    ("announced", "Announced, not yet rated"),
                    ("in_progress", "In progress"),
                    ("delivered", "Delivered, per the platform"),
                    ("verified", "Verified"),
                    ("falls_short", "Falls short"),
                    ("stalled", "Stalled"),
                    ("lapsed", "Lapsed"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="announced",
                editable=False,
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="historicalfollowup",
            name="status_after",
            field=models.CharField(
                blank=True,
                choices=[
                    ("announced", "Announced, not yet rated"),
                    ("in_progress", "In progress"),
                    ("delivered", "Delivered, per the platform"),
                    ("verified", "Verified"),
                    ("falls_short", "Falls short"),
                    ("stalled", "Stalled"),
                    ("lapsed", "Lapsed"),
                    ("withdrawn", "Withdrawn"),
                ],
                help_text="Leave empty when this evidence does not change the status.",
                max_length=20,
                verbose_name="moves status to",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                models.Case(
                    models.When(status="announced", then=models.Value(0)),
                    models.When(status="in_progress", then=models.Value(1)),
                    models.When(status="delivered", then=models.Value(2)),
                    models.When(status="verified", then=models.Value(3)),
                    models.When(status="falls_short", then=models.Value(4)),
                    models.When(status="stalled", then=models.Value(5)),
                    models.When(status="lapsed", then=models.Value(6)),
                    models.When(status="withdrawn", then=models.Value(7)),
                    output_field=models.IntegerField(),
                ),
                models.F("id"),
                condition=models.Q(("published", True)),
                name="commitment_by_status_rank",
            ),
        ),
        migrations.AddConstraint(
            model_name="commitment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "announced",
                            "in_progress",
                            "delivered",
                            "verified",
                            "falls_short",
                            "stalled",
                            "lapsed",
                            "withdrawn",
                        ],
                    )
                ),
                name="commitment_status_known",
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status_after", ""),
                    (
                        "status_after__in",
                        [
                            "announced",
                            "in_progress",
                            "delivered",
                            "verified",
                            "falls_short",
                            "stalled",
                            "lapsed",
                            "withdrawn",
                        ],
                    ),
                    _connector="OR",
                ),
                name="followup_status_after_known",
            ),
        ),
    ]
