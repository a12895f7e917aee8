"""Pages of the public listing, whose matches are counted only up to a cap.

Counting every match costs as much as the page itself once there are many: at a million
pledges, counting the published ones read 600,000 index entries for a page that shows 25
(bench/README.md). So the listing counts up to COUNT_CAP matches and no further, and when
there are more it says so ("More than 10,000 commitments", "Page 3", with no "of N"). The
pages go on past the cap all the same: a shared address with `?page=23999` shows that page,
and one past the end of the list says so.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000
# More rows than any list will hold; an OFFSET beyond it would overflow SQLite's integers.
MAX_OFFSET = 10**12


class CappedPaginator(Paginator):
    """A Paginator whose `count` stops at COUNT_CAP + 1 (`capped` is then true and
    `num_pages` None). Below the cap it is Django's Paginator, unchanged. `count_list`:
    the same rows in a form cheaper to count, if there is one (a search on SQLite)."""

    cap = COUNT_CAP

    def __init__(self, object_list, per_page, *, count_list=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_list = object_list if count_list is None else count_list

    @cached_property
    def count(self) -> int:
        # COUNT(*) over a LIMITed subquery: it stops reading at the cap. In the page's
        # order, so that it reads the entries of the index the page reads, which all match
        # (unordered, SQLite picked a worse index: 8 ms rather than 1 at a million pledges).
        return self.count_list[: self.cap + 1].count()

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


def rows_in_order(queryset, ids: list) -> list:
    """The rows of `queryset` with these primary keys, in the order of `ids`: a page found
    by id first (in an index), then only its own rows read whole."""
    rows = queryset.in_bulk(ids)
    return [rows[pk] for pk in ids]
