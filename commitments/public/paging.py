"""Pages of the public listing, whose matches are counted only up to a cap.

Counting every match costs as much as the page itself once there are many: at a million
pledges, counting the published ones read 600,000 index entries for a page that shows 25
(bench/README.md). So the listing counts up to COUNT_CAP matches and no further, and when
there are more it says so ("More than 10,000 commitments", "Page 3", with no "of N"). The
pages go on past the cap all the same: a shared address with `?page=23999` shows that page,
and one past the end of the list says so.

A deep page by its number costs an OFFSET: the database skips every row before it (43 ms
for page 23,990 at a million pledges, against 20 for the first). So the page's own links
also name the row they continue from, `?page=4&after=<id>` (Next: the last row shown) or
`?page=2&before=<id>` (Previous: the first), and that page is read from that row along the
list's order (keyset pagination: as cheap as the first page, however deep). The number is
then only what the page is called. A row that has left the list since, or an id that is
not one, leaves the page to its number, so an old link still shows a page.
"""

import re

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import F, Q, QuerySet
from django.utils.functional import cached_property

from commitments.public import kept
from commitments.public.kept import Counted

COUNT_CAP = 10_000
# More rows than any list will hold; an OFFSET beyond it would overflow SQLite's integers.
MAX_OFFSET = 10**12
# A row's id in `after=` and `before=`: a positive whole number that fits in 64 bits.
ROW_ID = re.compile(r"[1-9][0-9]{0,17}")


class CappedPaginator(Paginator):
    """A Paginator whose `count` stops at COUNT_CAP + 1 (`capped` is then true and
    `num_pages` None). Below the cap it is Django's Paginator, unchanged. `count_list`:
    the same rows in a form cheaper to count, if there is one (a search on SQLite).
    `count_key`: what names this list's count (its filters), so that a slow one is kept
    a while (commitments/public/kept.py; `counted` says when it was counted)."""

    cap = COUNT_CAP

    def __init__(self, object_list, per_page, *, count_list=None, count_key=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_list = object_list if count_list is None else count_list
        self.count_key = count_key

    @cached_property
    def counted(self) -> Counted:
        def count() -> int:
            # COUNT(*) over a LIMITed subquery: it stops reading at the cap. In the page's
            # order, so that it reads the entries of the index the page reads, which all
            # match (unordered, SQLite picked a worse index: 8 ms rather than 1 at a
            # million pledges).
            return self.count_list[: self.cap + 1].count()

        if self.count_key is None:
            return Counted(count(), None)
        return kept.counted(("listing count", *self.count_key), count)

    @cached_property
    def count(self) -> int:
        return self.counted.value

    @cached_property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self):
        return None if self.capped else super().num_pages

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        # Django's checks but the last page's, which a capped count does not know.
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom > MAX_OFFSET:
            # Past the end of any list, and past what the database takes as an OFFSET.
            return CappedPage([], number, self, more=False)
        # One row more than the page holds says whether there is a next page.
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def get_page(self, number):
        """As Django's: the first page for a number that is not one."""
        if not self.capped:
            return super().get_page(number)
        try:
            return self.page(number)
        except (PageNotAnInteger, EmptyPage):
            return self.page(1)

    def page_beside(self, number, *, after: str = "", before: str = "") -> Page:
        """The page `number`, read on from the row whose id is `after` (the last of the
        page before it) or back from `before` (the first of the page after it) while that
        row is in the list; else `get_page(number)`. Either way the page knows its first
        and last rows' ids (`first_id`, `last_id`), for its links. `object_list` must be
        a queryset of ids in a total order (the listing's, id last)."""
        for text, forwards in ((after, True), (before, False)):
            if text and ROW_ID.fullmatch(text):
                tiers = rows_beyond(self.object_list, int(text), forwards=forwards)
                if tiers is not None:
                    return self.keyset_page(number, tiers, forwards=forwards)
        page = self.get_page(number)
        page.object_list = list(page.object_list)
        return with_row_ids(page)

    def keyset_page(self, number, tiers: list[tuple[Q, list[str]]], *, forwards: bool):
        # A query a tier, each read up to a page and one row (which says whether there is
        # another page that way). One OR of them let the database bound its index by the
        # first key only and step through that key's ties: 85,000 rows of one status at a
        # million pledges (60 ms), against two seeks. Every tier is read, even when the
        # first fills the page, so that a page always costs the same queries.
        rows = []
        for condition, order in tiers:
            rows += self.object_list.filter(condition).order_by(*order)[: self.per_page + 1]
        rows = rows[: self.per_page + 1]
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if not forwards:
            rows.reverse()
        # Only what the page is called: any whole number from 1 (past the end too, for
        # "the list ends before page 4"), else the least it can be.
        number = whole_number(number, default=2 if forwards else 1)
        if not forwards and not more:
            number = 1  # back at the start, whatever the link called it
        # Read forwards, the row it was read from comes before; read back, after.
        previous, following = (True, more) if forwards else (more, True)
        return with_row_ids(KeysetPage(rows, number, self, previous=previous, more=following))


class CappedPage(Page):
    """A page of a list counted only up to the cap: whether a next page exists is known
    from the rows read, not from a page count."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    @property
    def past_the_end(self) -> bool:
        return not self.object_list and self.number > 1

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class KeysetPage(CappedPage):
    """A page read from a row of the list, not by its number: whether there are rows
    before it is known from the row it was read from, or read with it."""

    def __init__(self, object_list, number, paginator, *, previous: bool, more: bool):
        super().__init__(object_list, number, paginator, more=more)
        self.previous = previous

    def has_previous(self) -> bool:
        return self.previous

    def previous_page_number(self) -> int:
        return max(self.number - 1, 1)

    def next_page_number(self) -> int:
        return self.number + 1


def whole_number(text, *, default: int) -> int:
    try:
        number = int(text)
    except (TypeError, ValueError):  # not a number, or more digits than int() takes
        return default
    return number if number >= 1 else default


def with_row_ids(page: Page) -> Page:
    """`page` with the ids of its first and last rows (None on an empty page)."""
    ids = page.object_list
    page.first_id, page.last_id = (ids[0], ids[-1]) if ids else (None, None)
    return page


def rows_beyond(ids: QuerySet, pk: int, *, forwards: bool) -> list[tuple[Q, list[str]]] | None:
    """The rows after the row `pk` in the order of `ids` (before it, if not `forwards`),
    from that row's own values of the order's keys, in tiers: level with it on every key
    but the last and past it on the last (for the listing, the same day and a lower id),
    then level on all but the last two, and so on to past it on the first key. Each tier
    is a condition and the order to read it in (without the keys it holds level, which
    SQLite does not see are constant when they are expressions, and sorts by), one range
    of an index; its rows come before the next tier's in the list's order. None when
    `ids` does not hold that row (or its order is not one this can follow)."""
    keys = list(ids.query.order_by)
    if not keys or not all(isinstance(key, str) for key in keys):
        return None
    names = [key.lstrip("-") for key in keys]
    # Through annotations, since an alias (the status's rank) cannot be selected itself.
    values = {f"key_{n}": F(name) for n, name in enumerate(names)}
    found = list(ids.filter(pk=pk).annotate(**values).values_list(*values)[:1])
    if not found or None in found[0]:  # (no key of the listing's orders can be NULL)
        return None
    descending = [key.startswith("-") != (not forwards) for key in keys]
    order = list(zip(names, descending, found[0], strict=True))
    return [tier(order[: n + 1], order[n:]) for n in range(len(order) - 1, -1, -1)]


def tier(keys: list[tuple[str, bool, object]], rest) -> tuple[Q, list[str]]:
    """Rows level with the values of these (name, descending, value) keys but the last and
    strictly past the last one's value, and the order of `rest` to read them in."""
    *level, (name, descending, value) = keys
    way = "lt" if descending else "gt"
    condition = Q(**{key: key_value for key, _, key_value in level}, **{f"{name}__{way}": value})
    return condition, [f"-{key}" if down else key for key, down, _ in rest]


def rows_in_order(queryset, ids: list) -> list:
    """The rows of `queryset` with these primary keys, in the order of `ids`: a page found
    by id first (in an index), then only its own rows read whole."""
    rows = queryset.in_bulk(ids)
    return [rows[pk] for pk in ids]
