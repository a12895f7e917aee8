"""Indexes for the overview (its figures' index covers "reviews overdue" too; "longest
without follow-up" read in order), for ?follow_up= (counted in the listing's index; the
follow-up index partial, so that SQLite's statistics do not count the pledges without
follow-up as one key) and for an initiative's page of pledges."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0028_planner_statistics_schedule"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="commitment",
            name="commitment_by_follow_up",
        ),
        migrations.RemoveIndex(
            model_name="commitment",
            name="commitment_overview",
        ),
        migrations.RemoveIndex(
            model_name="commitment",
            name="commitment_by_announced",
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("published", True)),
                fields=["-announced_on", "-id", "latest_follow_up_on"],
                name="commitment_by_announced",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("latest_follow_up_on__isnull", False)),
                fields=["published", "latest_follow_up_on"],
                name="commitment_by_follow_up",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                fields=["published", "announced_on", "status", "latest_follow_up_on", "flag_from"],
                name="commitment_overview",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("published", True)),
                fields=["latest_follow_up_on", "announced_on", "id"],
                name="commitment_lacking_follow_up",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("published", True)),
                fields=["initiative", "announced_on", "id"],
                name="commitment_initiative_page",
            ),
        ),
        # With `published`, so that it holds all a members' count reads (models/pledges.py).
        migrations.RemoveIndex(model_name="commitment", name="commitment_members"),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("published", True)),
                fields=["initiative", "platform", "published"],
                name="commitment_members",
            ),
        ),
    ]
