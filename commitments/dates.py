"""Partial dates: real-world dates are often known only to the month or the year.

A partial date is stored as a `DateField` holding the first day of its period plus a
precision, so that it sorts, filters and takes part in date arithmetic like any date,
and is shown only as precisely as it is known ("March 2020", not "1 March 2020").
"""

import datetime
import re

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


# ASCII digits only: `\d` alone would also take "２０２０" and other scripts' digits.
PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)

# The range a date a person enters must fall in, which forms (the fields' validators),
# the importer (`date_range_problem`) and the database (`date_range_constraint`, a named
# check constraint per column) all hold. From 1990, before any platform this tracker
# follows made a pledge (the shipped data starts in 2009), to the end of 2099, far enough
# ahead for any deadline. An initiative's launch may be older (NCMEC dates from 1984).
# So bounded, due dates (a date plus at most two spans of ten years, commitments/refresh.py)
# stay far inside what Python, SQLite and PostgreSQL all hold (Python stops at 9999).
EARLIEST_DATE = datetime.date(1990, 1, 1)
EARLIEST_LAUNCH_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)


def date_range_problem(
    value: datetime.date, *, earliest: datetime.date = EARLIEST_DATE
) -> str | None:
    """Why `value` is outside the range a stored date may take, or None."""
    if earliest <= value <= LATEST_DATE:
        return None
    return f"{value.isoformat()} is outside the range {earliest.year}-{LATEST_DATE.year}"


def date_range_validators(earliest: datetime.date = EARLIEST_DATE) -> list:
    """For a model field: a form shows the reason next to the date."""
    return [
        MinValueValidator(earliest, f"Enter a date from {earliest.year} on."),
        MaxValueValidator(LATEST_DATE, f"Enter a date no later than {LATEST_DATE.year}."),
    ]


class DateRangeConstraint(models.CheckConstraint):
    """A date column's bounds in the database. Model validation skips the query Django
    would run for it: the field's validators check the same range in Python wherever the
    field is validated (one query per date per record made the importer four times
    slower)."""

    def validate(self, model, instance, exclude=None, using=None):
        return


def date_range_constraint(
    model: str, field: str, *, earliest: datetime.date = EARLIEST_DATE
) -> models.CheckConstraint:
    """The same range, held by the database, named `<model>_<field>_in_range`."""
    return DateRangeConstraint(
        condition=Q(**{f"{field}__range": (earliest, LATEST_DATE)})
        | Q(**{f"{field}__isnull": True}),
        name=f"{model}_{field}_in_range",
    )


def parse_partial_date(text: str) -> tuple[datetime.date, str]:
    """ "2020", "2020-03" or "2020-03-05" -> (first day of the period, precision).

    Raises ValueError with a reason a person can act on.
    """
    match = PARTIAL_DATE_RE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = match.groups()
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    try:
        value = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None
    return value, precision


class PartialDateField(forms.CharField):
    """Takes "2021", "2021-03" or "2021-03-05" and gives (first day, precision): the
    public listing's date filters and the admin's date fields (one box for a date and
    how precisely it is known, commitments/admin/dates.py)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_partial_date(value)
        except ValueError as e:
            # As a parameter, not in the message: django-filter's API errors apply
            # `message % params`, which a "%" typed into the date would break.
            raise forms.ValidationError("%(reason)s", code="invalid", params={"reason": e}) from e


def truncate(value: datetime.date, precision: str) -> datetime.date:
    """The first day of the period `value` falls in, so equal partial dates compare equal."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


def format_partial_date(value: datetime.date | None, precision: str) -> str:
    """For people: "5 March 2020", "March 2020" or "2020"."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def iso_partial_date(value: datetime.date | None, precision: str) -> str | None:
    """For machines: "2020-03-05", "2020-03" or "2020", the exchange format's form."""
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def precision_field(verbose_name: str, **kwargs) -> models.CharField:
    return models.CharField(
        verbose_name,
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="How precisely the date is known; it is shown no more precisely.",
        **kwargs,
    )
