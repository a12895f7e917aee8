"""Server-rendered charts: plain SVG drawn from numbers, shown beside a data table, so
they need no JavaScript and no chart library, and print as they look."""

import math
from dataclasses import dataclass

from commitments.models import Status

# Colours chosen for contrast with white and with each other; the table carries the
# numbers for anyone who cannot tell them apart.
STATUS_COLOURS = {
    Status.ANNOUNCED: "#6b7280",
    Status.IN_PROGRESS: "#2563eb",
    Status.DELIVERED: "#0f766e",
    Status.VERIFIED: "#15803d",
    Status.FALLS_SHORT: "#9d174d",
    Status.STALLED: "#b45309",
    Status.LAPSED: "#b91c1c",
    Status.WITHDRAWN: "#7c3aed",
}
WIDTH, HEIGHT, AXIS = 640, 240, 28


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str


def status_by_year_chart(rows: list[dict]) -> dict:
    """Stacked bars, one per year of announcement, split by current status."""
    years = sorted({row["year"] for row in rows})
    counts = {(row["year"], row["status"]): row["count"] for row in rows}
    table = [
        {"year": year, "counts": [counts.get((year, s), 0) for s in Status.values]}
        for year in years
    ]
    for row in table:
        row["total"] = sum(row["counts"])
    tallest = max((row["total"] for row in table), default=0)
    return {
        "width": WIDTH,
        "height": HEIGHT + AXIS,
        "bars": _bars(table, tallest),
        "labels": _year_labels(years),
        "tallest": tallest,
        "statuses": [(label, STATUS_COLOURS[value]) for value, label in Status.choices],
        "table": table,
    }


def _slot(years_count: int) -> float:
    return WIDTH / max(years_count, 1)


def _bars(table: list[dict], tallest: int) -> list[Bar]:
    bars = []
    slot = _slot(len(table))
    for i, row in enumerate(table):
        y = HEIGHT
        for (value, label), count in zip(Status.choices, row["counts"], strict=True):
            if not count:
                continue
            height = HEIGHT * count / tallest
            y -= height
            bars.append(
                Bar(
                    i * slot + slot * 0.15,
                    y,
                    slot * 0.7,
                    height,
                    STATUS_COLOURS[value],
                    f"{row['year']}: {count} {label.lower()}",
                )
            )
    return bars


def _year_labels(years: list[int]) -> list[dict]:
    slot = _slot(len(years))
    # Label every year while they fit, else every few, so that labels never overlap.
    # Rounded up: rounding to nearest put 23 years' labels 28 units apart, touching.
    step = max(1, math.ceil(len(years) * 40 / WIDTH))
    return [
        {"x": i * slot + slot / 2, "text": str(year)}
        for i, year in enumerate(years)
        if i % step == 0
    ]
