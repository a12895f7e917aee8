"""status_by_year_chart: every year in the range, bars in proportion on a round axis,
stacked in status order, a legend and table of the statuses present, and nothing to
draw for no data."""

import math

import pytest

from commitments.models import Status
from commitments.public.charts import MAX_INTERVALS, axis_ticks, status_by_year_chart


def row(year: int, status: str, count: int) -> dict:
    return {"year": year, "status": status, "count": count}


def year_of(chart: dict, year: int):
    return next(y for y in chart["years"] if y.year == year)


def test_every_year_in_the_range_is_drawn_even_with_no_pledge():
    chart = status_by_year_chart([row(2009, Status.ANNOUNCED, 1), row(2012, Status.ANNOUNCED, 2)])
    assert [y.year for y in chart["years"]] == [2009, 2010, 2011, 2012]
    assert [y.total for y in chart["years"]] == [1, 0, 0, 2]
    assert [r["year"] for r in chart["table"]] == [2009, 2010, 2011, 2012]
    assert year_of(chart, 2010).segments == []
    # One row each, top to bottom, none overlapping.
    tops = [y.y for y in chart["years"]]
    assert tops == sorted(tops) and len(set(tops)) == 4
    assert all(b - a >= chart["bar_height"] for a, b in zip(tops, tops[1:], strict=False))
    assert chart["axis_y"] >= tops[-1] + chart["bar_height"]
    assert (chart["first_year"], chart["last_year"]) == (2009, 2012)


def test_bars_are_in_proportion_to_a_round_axis_above_the_tallest():
    chart = status_by_year_chart([row(2020, Status.ANNOUNCED, 7), row(2021, Status.ANNOUNCED, 3)])
    ticks = [tick["value"] for tick in chart["ticks"]]
    assert ticks == [0, 2, 4, 6, 8]
    assert chart["ticks"][-1]["x"] == 100
    assert math.isclose(year_of(chart, 2020).end, 7 / 8 * 100)
    assert math.isclose(year_of(chart, 2021).end, 3 / 8 * 100)
    assert chart["tallest"] == 7


@pytest.mark.parametrize(
    ("tallest", "expected"),
    [
        (1, [0, 1]),
        (4, [0, 1, 2, 3, 4]),
        (5, [0, 1, 2, 3, 4, 5]),
        (7, [0, 2, 4, 6, 8]),
        (30, [0, 10, 20, 30]),
        (31, [0, 10, 20, 30, 40]),
        (164, [0, 50, 100, 150, 200]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_axis_ticks_are_round_and_few(tallest, expected):
    assert axis_ticks(tallest) == expected


@pytest.mark.parametrize("tallest", [1, 2, 3, 6, 9, 11, 19, 26, 49, 51, 99, 101, 999, 10_001])
def test_the_axis_always_reaches_the_tallest_within_a_few_even_steps(tallest):
    ticks = axis_ticks(tallest)
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert ticks[0] == 0 and ticks[-1] >= tallest > ticks[-2]
    assert len(steps) == 1 and len(ticks) - 1 <= MAX_INTERVALS


def test_a_years_statuses_are_stacked_in_status_order_and_add_up():
    chart = status_by_year_chart(
        [
            row(2020, Status.STALLED, 1),
            row(2020, Status.ANNOUNCED, 3),
            row(2020, Status.DELIVERED, 2),
        ]
    )
    segments = year_of(chart, 2020).segments
    assert [s.status for s in segments] == [Status.ANNOUNCED, Status.DELIVERED, Status.STALLED]
    assert [s.label for s in segments] == [
        "2020: 3 announced, not yet rated",
        "2020: 2 delivered, per the platform",
        "2020: 1 stalled",
    ]
    assert segments[0].x == 0
    for left, right in zip(segments, segments[1:], strict=False):
        assert math.isclose(left.x + left.width, right.x)
    assert math.isclose(segments[-1].x + segments[-1].width, year_of(chart, 2020).end)
    assert year_of(chart, 2020).total == 6


def test_the_legend_and_table_hold_only_the_statuses_present_in_status_order():
    chart = status_by_year_chart(
        [row(2021, Status.LAPSED, 5), row(2020, Status.ANNOUNCED, 3), row(2021, "delivered", 2)]
    )
    assert [value for value, _ in chart["statuses"]] == ["announced", "delivered", "lapsed"]
    assert chart["statuses"][0][1] == "Announced, not yet rated"
    assert chart["table"] == [
        {"year": 2020, "counts": [3, 0, 0], "total": 3},
        {"year": 2021, "counts": [0, 2, 5], "total": 7},
    ]


def test_no_data_draws_nothing():
    chart = status_by_year_chart([])
    assert chart["years"] == []
    assert chart["table"] == []
    assert chart["statuses"] == []
    assert chart["tallest"] == 0
    assert chart["first_year"] is None
