"""What every part of the generator shares: the random stream, the ids, the rows of a
batch, and partial dates."""

import datetime
import random
from dataclasses import dataclass, field
from itertools import accumulate

from commitments.dates import DatePrecision, truncate
from commitments.models import Citation, Commitment, FollowUp, Source
from commitments.refresh import commitments_refresh

FIRST_DAY = datetime.date(2010, 1, 1)
# Fixed rather than today, so that a seed gives the same rows on any day.
LAST_DAY = datetime.date(2026, 10, 31)
PRECISION_WEIGHTS = {DatePrecision.DAY: 70, DatePrecision.MONTH: 22, DatePrecision.YEAR: 8}


class Weighted:
    """A repeated weighted choice, with the cumulative weights worked out once."""

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cum = list(accumulate(weights.values()))

    def pick(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cum)[0]


PRECISIONS = Weighted(PRECISION_WEIGHTS)


@dataclass
class World:
    """The random stream, the next free id of each table, and the rows made up front
    that every batch draws on."""

    rng: random.Random
    next_id: dict
    platforms: list = field(default_factory=list)  # Platform instances
    platform_weights: list = field(default_factory=list)  # cumulative
    initiatives: list = field(default_factory=list)  # (id, short name)
    initiative_weights: list = field(default_factory=list)  # cumulative
    people: list = field(default_factory=list)  # ids
    owners: list = field(default_factory=list)  # user ids

    def take_id(self, model) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value


@dataclass
class Batch:
    """Rows written together. `pool` maps a platform's name to the sources cited about
    it in this batch, for reuse (one article often reports several pledges)."""

    sources: list = field(default_factory=list)
    commitments: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    citations: list = field(default_factory=list)
    people_links: list = field(default_factory=list)
    pool: dict = field(default_factory=dict)

    def write(self, batch_size: int) -> None:
        # PostgreSQL checks foreign keys at commit; this order also suits SQLite.
        Source.objects.bulk_create(self.sources, batch_size=batch_size)
        Commitment.objects.bulk_create(self.commitments, batch_size=batch_size)
        FollowUp.objects.bulk_create(self.follow_ups, batch_size=batch_size)
        Citation.objects.bulk_create(self.citations, batch_size=batch_size)
        Commitment.people.through.objects.bulk_create(self.people_links, batch_size=batch_size)
        # What a pledge stores about its evidence and sources, once they all exist; load
        # data has no history.
        written = Commitment.objects.filter(pk__in=[c.id for c in self.commitments])
        commitments_refresh(commitments=written, record_history=False)


def random_day(rng: random.Random, first: datetime.date = FIRST_DAY) -> datetime.date:
    """A day from `first` to LAST_DAY, more of them recent (as pledges are)."""
    span = LAST_DAY.toordinal() - first.toordinal()
    return datetime.date.fromordinal(first.toordinal() + int(span * rng.random() ** 0.7))


def partial_date(
    rng: random.Random, day: datetime.date, earliest: datetime.date | None = None
) -> tuple[datetime.date, str]:
    """`day` at a random precision, stored as the models store it (the first day of its
    period); the day itself where that would land before `earliest`."""
    precision = PRECISIONS.pick(rng)
    value = truncate(day, precision)
    if earliest is not None and value < earliest:
        return day, DatePrecision.DAY
    return value, precision
