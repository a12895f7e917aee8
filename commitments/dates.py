"""Partial dates: real-world dates are often known only to the month or the year.

A partial date is stored as a `DateField` holding the first day of its period plus a
precision, so that it sorts, filters and takes part in date arithmetic like any date,
and is shown only as precisely as it is known ("March 2020", not "1 March 2020").
"""

import datetime
import re

from django.db import models


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


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
