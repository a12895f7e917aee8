"""What keeps the admin's commitment list quick at a million pledges: filters that stay
cheap, and a row's checkbox written out rather than drawn by a form widget.

Django's ready-made ones read every pledge to draw themselves: RelatedOnlyFieldListFilter
asks for the distinct platforms (initiatives, owners) of all pledges, and date_hierarchy
for their distinct years, each a scan of the whole table (34-81 ms apiece at a million
pledges, and the years 2.7 s), and the platforms' list then held 2,000 links. These read
only the small tables, or the two ends of an index:

- a platform or an initiative is typed into a box (its name, or its slug), as on the
  public listing, instead of chosen from a list of all of them;
- the owner is chosen from the staff, who are few;
- the year announced is chosen from the years between the first pledge and the last.

The list counts its pledges up to COUNT_CAP and no further, as the public listing does
("More than 10,000 commitments"): on PostgreSQL a count of all million took 34-47 ms,
more than the rest of the page, and a status's 150,000 nearly as long.

Each row's checkbox (for the actions) was a CheckboxInput rendered through the form
renderer's templates: a quarter of the list's time at 100 rows. `QuickCheckboxes` writes
the same element out. Each row's link was a reverse() and, on a filtered list, a resolve()
(to tell whether it led back to the list itself): 3.6 ms of a page of 50 filtered rows.
`QuickLinksChangeList` writes the same links from one reverse() a page.

The parameters are the ones the lists have always taken (`platform__id__exact`, the
owner's, `announced_on__year`), so that links into the list keep working; typed names
come as `platform` and `initiative`.
"""

import datetime

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Max, Min
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from commitments.addresses import KEY, around_key
from commitments.models import Initiative, Platform
from commitments.public.filters import TEXT_FILTER_MAX, record_named
from commitments.public.paging import COUNT_CAP


class TypedRecordFilter(admin.ListFilter):
    """A box for a record's name or slug, read as the public listing reads its platform
    (`record_named`). An unknown one is said so and shows no pledges."""

    template = "admin/commitments/typed_filter.html"
    model = None  # Platform or Initiative
    parameter_name = ""  # the pledge's field

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        values = params.pop(self.parameter_name, [""])
        self.typed = values[-1].strip() if isinstance(values, list) else values.strip()
        if self.typed:
            self.used_parameters[self.parameter_name] = self.typed

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return [self.parameter_name]

    def choices(self, changelist):
        # The template draws one box; these are what it needs.
        yield {
            "name": self.parameter_name,
            "value": self.typed,
            "others": [
                (name, value)
                for name, values in changelist.filter_params.items()
                if name != self.parameter_name
                for value in values
            ],
            "clear_url": changelist.get_query_string(remove=[self.parameter_name]),
        }

    def queryset(self, request, queryset):
        if not self.typed:
            return queryset
        # No name is longer than the public filters take (and none is looked up).
        fits = len(self.typed) <= TEXT_FILTER_MAX
        record = record_named(self.model, self.typed) if fits else None
        if record is None:
            messages.warning(
                request,
                f"No {self.title} is called “{self.typed[:40]}”: give its name or its slug.",
            )
            return queryset.none()
        return queryset.filter(**{self.parameter_name: record})


class PlatformFilter(TypedRecordFilter):
    title = "platform"
    model = Platform
    parameter_name = "platform"


class InitiativeFilter(TypedRecordFilter):
    title = "initiative"
    model = Initiative
    parameter_name = "initiative"


class OwnerFilter(admin.RelatedFieldListFilter):
    """Owners are staff (the owner box offers only them): the staff, not the distinct
    owners of every pledge."""

    def field_choices(self, field, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(user.pk, str(user)) for user in staff]


class AnnouncedYearFilter(admin.SimpleListFilter):
    """The years from the first pledge announced to the last, newest first: two reads
    of an index's ends, where date_hierarchy read every pledge's year."""

    title = "year announced"
    parameter_name = "announced_on__year"

    def lookups(self, request, model_admin):
        # One aggregate each: SQLite reads an index's end for a lone MIN or MAX, but the
        # whole index for both at once (80 ms at a million pledges).
        pledges = model_admin.model.objects
        first = pledges.aggregate(first=Min("announced_on"))["first"]
        if first is None:
            return []
        last = pledges.aggregate(last=Max("announced_on"))["last"]
        years = range(last.year, first.year - 1, -1)
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        year = int(value) if value.isdigit() and len(value) <= 4 else 0
        if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
            messages.warning(request, f"“{value[:10]}” is not a year.")
            return queryset.none()
        # A range of dates (BETWEEN), which the index of the list's order serves.
        return queryset.filter(announced_on__year=year)


class CappedCountPaginator(Paginator):
    """The admin list's pages: `count` stops at `cap` (`capped` is then true), so the
    list has at most cap / per_page pages, each full; Django's Paginator below the cap.
    The list's templates say "more than" for a capped count (the actions' "select all"
    too, which acts on every matching pledge, not only those counted)."""

    cap = COUNT_CAP

    @cached_property
    def counted(self) -> int:
        # COUNT(*) over a LIMITed subquery of the keys alone: it stops reading at the cap.
        return self.object_list.values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self.counted > self.cap


class QuickCheckboxes:
    """ModelAdmin.action_checkbox's element, written out: the same attributes, in the
    same order, escaped by format_html (tests/test_admin_lists.py compares the two)."""

    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Select this object for an action - {}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            obj,
        )


class QuickLinksChangeList(ChangeList):
    """Django's ChangeList, with each row's link to its change page written from one
    reverse() for the whole page, and the list's filters (which that page's "Save"
    returns to) already on it. The links are those Django makes (tests/test_admin_lists.py
    compares them).

    Django's items_for_result adds `preserved_filters` to each row's link through
    add_preserved_filters, which resolves the link to see whether it leads back to the
    list (then its filters would be nested once more): a change page's never does. So
    the filters go on the links here, and none are left for it to add; nothing else
    reads a ChangeList's `preserved_filters` (the page's own come from the view).
    For models with an integer primary key.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_filters, self.preserved_filters = self.preserved_filters, ""

    @cached_property
    def around_pk(self) -> tuple[str, str]:
        """What comes before and after the key in a change page's address."""
        address = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[KEY],
            current_app=self.model_admin.admin_site.name,
        )
        before, after = around_key(address)
        return before, after + (f"?{self.row_filters}" if self.row_filters else "")

    def url_for_result(self, result) -> str:
        # An integer key, which needs no quoting; a text one would need reverse()'s.
        before, after = self.around_pk
        return f"{before}{int(getattr(result, self.pk_attname))}{after}"


class QuickLinks:
    """A ModelAdmin whose list's rows link as QuickLinksChangeList writes them."""

    def get_changelist(self, request, **kwargs):
        return QuickLinksChangeList
