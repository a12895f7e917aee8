"""Server-rendered charts: plain SVG drawn from numbers, shown with a data table, so they
need no JavaScript and no chart library, and print as they look.

The chart of pledges by year is a horizontal stacked bar per year. It has no viewBox:
positions along the bars are percentages of the chart's width and everything across
them is in pixels, so the bars stretch to the page while the text keeps its size; a
viewBox would scale the text with the drawing, to about 5 px on a phone. Colours come
from the status classes in static/css/site.css (`fill-<status>`), the one home of the
status palette.
"""

import math
from dataclasses import dataclass

from commitments.models import Status

# In pixels (the SVG's user units, as it has no viewBox).
ROW_HEIGHT = 26
BAR_HEIGHT = 18
TOP = 26  # room for the "Year" heading above the year labels
AXIS_ROOM = 50  # tick labels and the axis title below the bars
# At most this many intervals between ticks: their labels fit at 360 px.
MAX_INTERVALS = 5


@dataclass(frozen=True)
class Segment:
    """One status's part of a year's bar, as percentages of the plot's width."""

    status: str
    count: int
    x: float
    width: float
    label: str


@dataclass(frozen=True)
class Year:
    year: int
    total: int
    y: int  # top of the bar
    segments: list[Segment]
    end: float  # where the bar ends, in percent: its total is written just after


def year_status_table(rows: list[dict]) -> list[dict]:
    """[{"year", "counts" (one per status, in Status order), "total"}] for every year
    from the first to the last, with zeros for the years that have no pledge: a year
    left out would read as if the tracker had not looked at it."""
    if not rows:
        return []
    counts = {(row["year"], row["status"]): row["count"] for row in rows}
    first, last = min(row["year"] for row in rows), max(row["year"] for row in rows)
    table = []
    for year in range(first, last + 1):
        year_counts = [counts.get((year, status), 0) for status in Status.values]
        table.append({"year": year, "counts": year_counts, "total": sum(year_counts)})
    return table


def axis_ticks(tallest: int) -> list[int]:
    """Ticks at a round step (1, 2 or 5 times a power of ten) from 0 to a maximum at or
    above `tallest`, at most MAX_INTERVALS intervals."""
    if tallest <= 0:
        return [0, 1]
    power = 10 ** math.floor(math.log10(tallest / MAX_INTERVALS)) if tallest > 5 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power * MAX_INTERVALS >= tallest)
    return list(range(0, step * math.ceil(tallest / step) + 1, step))


def status_by_year_chart(rows: list[dict]) -> dict:
    """The chart and its table from count_by_year_and_status() rows."""
    table = year_status_table(rows)
    tallest = max((row["total"] for row in table), default=0)
    ticks = axis_ticks(tallest)
    scale = 100 / ticks[-1]
    years = []
    for i, row in enumerate(table):
        segments, x = [], 0.0
        for (value, label), count in zip(Status.choices, row["counts"], strict=True):
            if count:
                width = count * scale
                segments.append(
                    Segment(value, count, x, width, f"{row['year']}: {count} {label.lower()}")
                )
                x += width
        years.append(Year(row["year"], row["total"], TOP + i * ROW_HEIGHT + 4, segments, x))
    axis_y = TOP + len(table) * ROW_HEIGHT
    # Only statuses that some pledge has: a legend entry with nothing to point at
    # would send a reader looking for a colour that is not there.
    present = [i for i in range(len(Status.values)) if any(r["counts"][i] for r in table)]
    return {
        "years": years,
        "ticks": [{"value": tick, "x": tick * scale} for tick in ticks],
        "top": TOP,
        "axis_y": axis_y,
        "height": axis_y + AXIS_ROOM,
        "tallest": tallest,
        "bar_height": BAR_HEIGHT,
        "first_year": table[0]["year"] if table else None,
        "last_year": table[-1]["year"] if table else None,
        "statuses": [(Status.values[i], Status.labels[i]) for i in present],
        "table": [
            {
                "year": row["year"],
                "counts": [row["counts"][i] for i in present],
                "total": row["total"],
            }
            for row in table
        ],
    }
