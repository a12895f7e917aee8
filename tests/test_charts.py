"""status_by_year_chart: bars in proportion, stacked within the chart, a table that adds
up, year labels that do not crowd, and nothing to draw for no data."""

import math

import pytest

from commitments.models import Status
from commitments.public.charts import HEIGHT, STATUS_COLOURS, WIDTH, status_by_year_chart

# Year labels are 4 digits at 12 units: the chart keeps them this far apart, centre to centre.
LABEL_SPACING = 40


def row(year: int, status: str, count: int) -> dict:
    return {"year": year, "status": status, "count": count}


def bars_of(chart: dict, year: int) -> list:
    return [bar for bar in chart["bars"] if bar.label.startswith(f"{year}:")]


def test_bar_heights_are_proportional_to_the_counts():
    chart = status_by_year_chart(
        [row(2020, Status.ANNOUNCED, 1), row(2021, Status.ANNOUNCED, 4), row(2022, "delivered", 2)]
    )
    heights = {bar.label: bar.height for bar in chart["bars"]}
    assert heights == {
        "2020: 1 announced, not yet rated": HEIGHT / 4,
        "2021: 4 announced, not yet rated": HEIGHT,
        "2022: 2 delivered, per the platform": HEIGHT / 2,
    }
    assert chart["tallest"] == 4


def test_a_years_statuses_are_stacked_within_the_height():
    chart = status_by_year_chart(
        [
            row(2020, Status.ANNOUNCED, 3),
            row(2020, Status.DELIVERED, 2),
            row(2020, Status.STALLED, 1),
            row(2021, Status.VERIFIED, 2),
        ]
    )
    stack = bars_of(chart, 2020)
    # Status order, bottom up; each bar sits on the one below.
    assert [bar.label for bar in stack] == [
        "2020: 3 announced, not yet rated",
        "2020: 2 delivered, per the platform",
        "2020: 1 stalled",
    ]
    assert stack[0].y + stack[0].height == HEIGHT
    for below, above in zip(stack, stack[1:], strict=False):
        assert math.isclose(above.y + above.height, below.y)
    # The tallest year fills the chart exactly, and nothing leaves it.
    assert math.isclose(sum(bar.height for bar in stack), HEIGHT)
    assert math.isclose(stack[-1].y, 0, abs_tol=1e-9)
    assert all(bar.y >= -1e-9 and bar.y + bar.height <= HEIGHT + 1e-9 for bar in chart["bars"])
    assert {bar.colour for bar in stack} == {
        STATUS_COLOURS[Status.ANNOUNCED],
        STATUS_COLOURS[Status.DELIVERED],
        STATUS_COLOURS[Status.STALLED],
    }


def test_bars_of_a_year_share_their_slot_and_years_do_not_overlap():
    chart = status_by_year_chart([row(2020 + n, Status.ANNOUNCED, 1) for n in range(4)])
    edges = sorted((bar.x, bar.x + bar.width) for bar in chart["bars"])
    assert all(
        right <= next_left for (_, right), (next_left, _) in zip(edges, edges[1:], strict=False)
    )
    assert edges[0][0] >= 0 and edges[-1][1] <= WIDTH


def test_the_table_gives_each_years_counts_by_status_and_total():
    chart = status_by_year_chart(
        [row(2021, Status.DELIVERED, 2), row(2020, Status.ANNOUNCED, 3), row(2021, "lapsed", 5)]
    )
    assert [r["year"] for r in chart["table"]] == [2020, 2021]
    by_status = [dict(zip(Status.values, r["counts"], strict=True)) for r in chart["table"]]
    assert by_status[0][Status.ANNOUNCED] == 3
    assert by_status[1][Status.DELIVERED] == 2
    assert by_status[1][Status.LAPSED] == 5
    assert [r["total"] for r in chart["table"]] == [3, 7]
    assert [label for label, _ in chart["statuses"]] == Status.labels


def test_every_year_is_labelled_while_they_fit():
    years = range(2010, 2010 + WIDTH // LABEL_SPACING)
    chart = status_by_year_chart([row(year, Status.ANNOUNCED, 1) for year in years])
    assert [label["text"] for label in chart["labels"]] == [str(year) for year in years]


@pytest.mark.parametrize("count", [17, 20, 23, 30, 40, 80])
def test_year_labels_are_thinned_when_there_are_many_years(count):
    chart = status_by_year_chart([row(1950 + n, Status.ANNOUNCED, 1) for n in range(count)])
    labels = chart["labels"]
    assert 1 < len(labels) < count
    assert labels[0]["text"] == "1950"
    gaps = [b["x"] - a["x"] for a, b in zip(labels, labels[1:], strict=False)]
    assert min(gaps) >= LABEL_SPACING, f"{count} years: labels {min(gaps):.1f} apart"
    # Evenly thinned: every step-th year.
    assert len({round(gap, 6) for gap in gaps}) == 1


def test_no_data_draws_nothing():
    chart = status_by_year_chart([])
    assert chart["bars"] == []
    assert chart["labels"] == []
    assert chart["table"] == []
    assert chart["tallest"] == 0
    assert chart["width"] == WIDTH
