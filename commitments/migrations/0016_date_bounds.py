"""Bounds on every date a person enters (commitments/dates.py): the fields' validators and
a named check constraint per column.

A constraint cannot be added while a row breaks it, and this migration will not guess a
date, so it first looks for dates outside the bounds and, if there are any, stops with
each one's record, id and field, to be corrected in the admin (0015 made sure those
pledges open) before migrating again. The bounds are written out here, as they stand
today, so that later changes to commitments/dates.py do not change this migration.
"""

import datetime

import django.core.validators

import commitments.dates
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models
from django.db.models import Q

EARLIEST, EARLIEST_LAUNCH, LATEST = (
    datetime.date(1990, 1, 1),
    datetime.date(1900, 1, 1),
    datetime.date(2099, 12, 31),
)
BOUNDED = [
    ("Commitment", "announced_on", EARLIEST),
    ("Commitment", "effective_on", EARLIEST),
    ("Commitment", "deadline", EARLIEST),
    ("FollowUp", "happened_on", EARLIEST),
    ("Source", "published_on", EARLIEST),
    ("Initiative", "founded_on", EARLIEST_LAUNCH),
    ("Review", "reviewed_on", EARLIEST),
    ("ReplyRequest", "asked_on", EARLIEST),
]


def refuse_dates_out_of_bounds(apps, schema_editor):
    problems = []
    for model_name, field, earliest in BOUNDED:
        model = apps.get_model("commitments", model_name)
        outside = Q(**{f"{field}__lt": earliest}) | Q(**{f"{field}__gt": LATEST})
        # Only the ids: PostgreSQL may hold a date Python cannot read (year 10000).
        for pk in model.objects.filter(outside).values_list("pk", flat=True)[:50]:
            problems.append(f"{model_name} {pk}: {field}")
    if problems:
        raise ImproperlyConfigured(
            f"These dates are outside {EARLIEST.year}-{LATEST.year} "
            f"({EARLIEST_LAUNCH.year}-{LATEST.year} for an initiative's launch); correct "
            "them in the admin, then migrate again: " + "; ".join(problems)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0015_clear_overflowed_due_dates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_dates_out_of_bounds, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="commitment",
            name="announced_on",
            field=models.DateField(
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ]
            ),
        ),
        migrations.AlterField(
            model_name="commitment",
            name="deadline",
            field=models.DateField(
                blank=True,
                help_text="If the pledge names one.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="commitment",
            name="effective_on",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="followup",
            name="happened_on",
            field=models.DateField(
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ]
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommitment",
            name="announced_on",
            field=models.DateField(
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ]
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommitment",
            name="deadline",
            field=models.DateField(
                blank=True,
                help_text="If the pledge names one.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="historicalcommitment",
            name="effective_on",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="historicalfollowup",
            name="happened_on",
            field=models.DateField(
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ]
            ),
        ),
        migrations.AlterField(
            model_name="historicalinitiative",
            name="founded_on",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1900, 1, 1), "Enter a date from 1900 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ],
                verbose_name="launched on",
            ),
        ),
        migrations.AlterField(
            model_name="historicalreview",
            name="reviewed_on",
            field=models.DateField(
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ]
            ),
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="published_on",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="initiative",
            name="founded_on",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1900, 1, 1), "Enter a date from 1900 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ],
                verbose_name="launched on",
            ),
        ),
        migrations.AlterField(
            model_name="replyrequest",
            name="asked_on",
            field=models.DateField(
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ]
            ),
        ),
        migrations.AlterField(
            model_name="review",
            name="reviewed_on",
            field=models.DateField(
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ]
            ),
        ),
        migrations.AlterField(
            model_name="source",
            name="published_on",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        datetime.date(1990, 1, 1), "Enter a date from 1990 on."
                    ),
                    django.core.validators.MaxValueValidator(
                        datetime.date(2099, 12, 31), "Enter a date no later than 2099."
                    ),
                ],
            ),
        ),
        migrations.AddConstraint(
            model_name="commitment",
            constraint=commitments.dates.DateRangeConstraint(
                condition=models.Q(
                    (
                        "announced_on__range",
                        (datetime.date(1990, 1, 1), datetime.date(2099, 12, 31)),
                    ),
                    ("announced_on__isnull", True),
                    _connector="OR",
                ),
                name="commitment_announced_on_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="commitment",
            constraint=commitments.dates.DateRangeConstraint(
                condition=models.Q(
                    (
                        "effective_on__range",
                        (datetime.date(1990, 1, 1), datetime.date(2099, 12, 31)),
                    ),
                    ("effective_on__isnull", True),
                    _connector="OR",
                ),
                name="commitment_effective_on_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="commitment",
            constraint=commitments.dates.DateRangeConstraint(
                condition=models.Q(
                    ("deadline__range", (datetime.date(1990, 1, 1), datetime.date(2099, 12, 31))),
                    ("deadline__isnull", True),
                    _connector="OR",
                ),
                name="commitment_deadline_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=commitments.dates.DateRangeConstraint(
                condition=models.Q(
                    (
                        "happened_on__range",
                        (datetime.date(1990, 1, 1), datetime.date(2099, 12, 31)),
                    ),
                    ("happened_on__isnull", True),
                    _connector="OR",
                ),
                name="followup_happened_on_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="initiative",
            constraint=commitments.dates.DateRangeConstraint(
                condition=models.Q(
                    ("founded_on__range", (datetime.date(1900, 1, 1), datetime.date(2099, 12, 31))),
                    ("founded_on__isnull", True),
                    _connector="OR",
                ),
                name="initiative_founded_on_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="replyrequest",
            constraint=commitments.dates.DateRangeConstraint(
                condition=models.Q(
                    ("asked_on__range", (datetime.date(1990, 1, 1), datetime.date(2099, 12, 31))),
                    ("asked_on__isnull", True),
                    _connector="OR",
                ),
                name="replyrequest_asked_on_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=commitments.dates.DateRangeConstraint(
                condition=models.Q(
                    (
                        "reviewed_on__range",
                        (datetime.date(1990, 1, 1), datetime.date(2099, 12, 31)),
                    ),
                    ("reviewed_on__isnull", True),
                    _connector="OR",
                ),
                name="review_reviewed_on_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="source",
            constraint=commitments.dates.DateRangeConstraint(
                condition=models.Q(
                    (
                        "published_on__range",
                        (datetime.date(1990, 1, 1), datetime.date(2099, 12, 31)),
                    ),
                    ("published_on__isnull", True),
                    _connector="OR",
                ),
                name="source_published_on_in_range",
            ),
        ),
    ]
