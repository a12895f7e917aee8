"""Partial dates: parsed from the exchange format, shown no more precisely than known."""

import datetime

import pytest

from commitments.dates import (
    DatePrecision,
    format_partial_date,
    iso_partial_date,
    parse_partial_date,
    truncate,
)

FIFTH_OF_MARCH_2020 = datetime.date(2020, 3, 5)
FIRST_OF_MARCH_2020 = datetime.date(2020, 3, 1)
FIRST_OF_JANUARY_2020 = datetime.date(2020, 1, 1)
LEAP_DAY_2020 = datetime.date(2020, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020", (FIRST_OF_JANUARY_2020, DatePrecision.YEAR)),
        ("2020-03", (FIRST_OF_MARCH_2020, DatePrecision.MONTH)),
        ("2020-03-05", (FIFTH_OF_MARCH_2020, DatePrecision.DAY)),
        ("2020-02-29", (LEAP_DAY_2020, DatePrecision.DAY)),
    ],
)
def test_it_parses_a_year_a_month_or_a_day_as_the_first_day_of_the_period(text, expected):
    assert parse_partial_date(text) == expected


@pytest.mark.parametrize("text", [" 2020-03 ", "\t2020-03\n"])
def test_it_ignores_surrounding_whitespace(text):
    assert parse_partial_date(text) == (FIRST_OF_MARCH_2020, DatePrecision.MONTH)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2020-13", "is not a real date"),
        ("2021-02-29", "is not a real date"),
        ("2020-04-31", "is not a real date"),
        ("20-03", "is not a date"),
        ("March 2020", "is not a date"),
        ("2020-3-5", "is not a date"),
        ("2020/03/05", "is not a date"),
        ("", "is not a date"),
        ("   ", "is not a date"),
    ],
)
def test_it_refuses_text_that_is_not_a_partial_date_and_says_why(text, reason):
    with pytest.raises(ValueError, match=reason) as raised:
        parse_partial_date(text)
    assert repr(text) in str(raised.value)


@pytest.mark.parametrize("value", [None, 2020, FIFTH_OF_MARCH_2020, ["2020"]])
def test_it_refuses_a_value_that_is_not_a_string_with_a_message(value):
    with pytest.raises(ValueError, match="expected YYYY, YYYY-MM or YYYY-MM-DD"):
        parse_partial_date(value)


@pytest.mark.parametrize(
    ("precision", "shown"),
    [
        (DatePrecision.DAY, "5 March 2020"),
        (DatePrecision.MONTH, "March 2020"),
        (DatePrecision.YEAR, "2020"),
    ],
)
def test_it_shows_a_date_no_more_precisely_than_it_is_known(precision, shown):
    assert format_partial_date(FIFTH_OF_MARCH_2020, precision) == shown


def test_it_shows_a_missing_date_as_nothing():
    assert format_partial_date(None, DatePrecision.DAY) == ""


def test_it_writes_the_day_without_a_leading_zero():
    assert format_partial_date(datetime.date(2020, 3, 1), DatePrecision.DAY) == "1 March 2020"


@pytest.mark.parametrize(
    ("precision", "iso"),
    [
        (DatePrecision.DAY, "2020-03-05"),
        (DatePrecision.MONTH, "2020-03"),
        (DatePrecision.YEAR, "2020"),
    ],
)
def test_it_writes_the_exchange_format_at_the_date_s_precision(precision, iso):
    assert iso_partial_date(FIFTH_OF_MARCH_2020, precision) == iso


def test_it_writes_a_missing_date_as_none_in_the_exchange_format():
    assert iso_partial_date(None, DatePrecision.DAY) is None


def test_it_pads_an_early_year_to_four_digits():
    assert iso_partial_date(datetime.date(999, 1, 1), DatePrecision.YEAR) == "0999"
    assert parse_partial_date("0999") == (datetime.date(999, 1, 1), DatePrecision.YEAR)


@pytest.mark.parametrize("text", ["2020", "2020-03", "2020-03-05", "2020-12-31", "2020-02-29"])
def test_the_exchange_format_round_trips_through_parse(text):
    assert iso_partial_date(*parse_partial_date(text)) == text


@pytest.mark.parametrize(
    ("precision", "first_day"),
    [
        (DatePrecision.DAY, FIFTH_OF_MARCH_2020),
        (DatePrecision.MONTH, FIRST_OF_MARCH_2020),
        (DatePrecision.YEAR, FIRST_OF_JANUARY_2020),
    ],
)
def test_truncate_gives_the_first_day_of_the_period(precision, first_day):
    assert truncate(FIFTH_OF_MARCH_2020, precision) == first_day


def test_truncate_makes_two_days_of_one_month_equal_at_month_precision():
    assert truncate(datetime.date(2020, 3, 5), DatePrecision.MONTH) == truncate(
        datetime.date(2020, 3, 31), DatePrecision.MONTH
    )
