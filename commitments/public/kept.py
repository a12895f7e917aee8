"""Counts that cost more than a page should: kept a while, and the page says when they
were counted.

On a small tracker counting takes milliseconds and is done afresh for every request. At a
million pledges the overview's figures took 420 ms, the platforms' directory's counts
45 ms for a page of them, and on PostgreSQL the listing's count of a search 60-70 ms. So
a count that took longer than SLOW is kept for KEPT_FOR seconds in the default cache
(each process its own, unless CACHES says otherwise) and the page shows when it was
counted (templates/commitments/_counted_at.html); a quicker one is not kept, and the
page says nothing.
"""

import datetime
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

# Seconds: half the target for a whole page (50 ms), so that a count that costs as much
# as the rest of its page is kept (the platforms' counts for the API's page of 50: 45-50
# ms at a million on PostgreSQL, sometimes just over 50 and kept, sometimes not).
SLOW = 0.025
KEPT_FOR = 300  # seconds


@dataclass(frozen=True)
class Counted:
    value: object
    # When it was counted, if it was kept; None when counted for this request.
    counted_at: datetime.datetime | None

    @property
    def minutes_kept(self) -> int:
        return KEPT_FOR // 60


def counted(key: tuple, count: Callable[[], object]) -> Counted:
    """What `count()` returns, from the cache while a slow count is kept. `key` names
    what is counted (a name, then whatever tells one such count from another, such as
    the ids of a page's records); it is hashed, so it may be long."""
    key = "kept:" + hashlib.sha256(repr(key).encode()).hexdigest()
    kept = cache.get(key)
    if kept is not None:
        return kept
    started = time.monotonic()
    value = count()
    if time.monotonic() - started <= SLOW:
        return Counted(value, None)
    result = Counted(value, timezone.now())
    cache.set(key, result, KEPT_FOR)
    return result
