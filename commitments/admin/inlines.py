"""The base of every inline: a formset that builds a bounded number of rows.

Django builds as many forms as a posted TOTAL_FORMS asks for, up to `absolute_max`
(2,000 by default): a forged count of 100,000 took 12 s and answered 8 MB. A pledge has a
handful of sources, follow-ups, reviews and requests, so a page takes at most
MAX_INLINE_ROWS of each; a post asking for more is refused with the formset's own error
("Please submit at most 100 forms") before any row is built beyond that.

The commitment's page nests a follow-up's sources inside the follow-up (django-nested-admin),
so its inlines are the nested kind, all stacked: nested-admin's tabular template points
fields at help texts it does not render (aria-describedby to ids not on the page). The
other pages keep Django's own.
"""

import nested_admin
from django.contrib import admin

from commitments.admin.widgets import SafeAutocompleteAdmin

MAX_INLINE_ROWS = 100


class Bounded(SafeAutocompleteAdmin):
    max_num = MAX_INLINE_ROWS

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", MAX_INLINE_ROWS)
        return super().get_formset(request, obj, **kwargs)


class BoundedInline(Bounded, admin.TabularInline):
    pass


class BoundedStackedInline(Bounded, admin.StackedInline):
    pass


class NestedBoundedStackedInline(Bounded, nested_admin.NestedStackedInline):
    pass
