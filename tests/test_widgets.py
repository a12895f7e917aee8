"""The filter forms' menus (commitments/public/widgets.py) write exactly what Django's
Select, and django-filter's CSVSelect, write from their templates."""

import pytest
from django import forms
from django.utils.translation import gettext_lazy
from django_filters.widgets import BaseCSVWidget

from commitments.public.filters import CommitmentFilterSet
from commitments.public.widgets import FilterSelect

CHOICES = [
    ("", "Any status"),
    ("verified", "Verified"),
    ("falls_short", 'Falls "short" & <late>'),
    (3, gettext_lazy("A number, lazily named")),
]
GROUPS = [("", "Any"), ("Group", [("a", "A"), ("b", "B")])]


@pytest.mark.parametrize(
    ("choices", "value", "attrs"),
    [
        (CHOICES, None, None),
        (CHOICES, "verified", {"id": "id_status"}),
        (CHOICES, "3", {"id": "id_n", "required": True, "disabled": False}),
        (CHOICES, "not-a-choice", {"aria-describedby": 'x" onload="y', "data-n": 0}),
        ([], "", None),
        (GROUPS, "b", {"id": "id_g"}),  # groups: Django's own templates
    ],
)
def test_a_menu_is_what_django_writes(choices, value, attrs):
    ours = FilterSelect(choices=choices).render("status", value, attrs)
    django = forms.Select(choices=choices).render("status", value, attrs)
    assert ours == django
    assert "<option" in ours or not choices


@pytest.mark.parametrize("value", [None, "", ["-announced"], ["platform", "-announced"]])
def test_the_sort_menu_is_what_django_filter_writes(value):
    choices = [("-announced", "Newest"), ("platform", "Platform")]
    # What django-filter's OrderingFilter makes of the widget it is given.
    ours = type("CSVFilterSelect", (BaseCSVWidget, FilterSelect), {})(choices=choices)
    theirs = type("CSVSelect", (BaseCSVWidget, forms.Select), {})(choices=choices)
    assert ours.render("sort", value, {"id": "id_sort"}) == theirs.render(
        "sort", value, {"id": "id_sort"}
    )


def test_the_labels_and_values_are_escaped():
    html = FilterSelect(choices=CHOICES).render("status", '"><script>', None)
    assert "<script>" not in html and "<late>" not in html
    assert "&lt;late&gt;" in html and "&quot;short&quot; &amp;" in html


@pytest.mark.django_db
def test_the_listings_menus_are_written_by_these_widgets():
    form = CommitmentFilterSet({"status": "verified"}).form
    menus = {name: type(field.widget) for name, field in form.fields.items()}
    for name in ("initiative", "kind", "status", "follow_up"):
        assert menus[name] is FilterSelect
    assert issubclass(menus["sort"], FilterSelect)
    assert '<option value="verified" selected>' in str(form["status"])
