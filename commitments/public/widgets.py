"""The filter forms' menus, written out in Python rather than a template per option.

Django's Select renders a template for the menu and includes one more for each option:
at a million pledges the listing's five menus (50 initiatives in the load data, the
kinds, statuses, follow-up states and sorts) took 2-3 ms of a 20 ms page, nearly all in
those includes. These give exactly Django's markup (tests/test_widgets.py checks it
against Select's own) for a menu without option groups, the only kind the filters have;
one with groups is left to Django's templates.
"""

from django import forms
from django.utils.html import format_html, format_html_join


def attributes(attrs: dict) -> str:
    """An element's attributes as Django's widgets/attrs.html writes them: in their
    order, True as the bare name, False left out, anything else as its text."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class FilterSelect(forms.Select):
    # Given to an OrderingFilter, django-filter makes it a CSV widget (sort=a,b) of its own.
    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        groups = context["optgroups"]
        if any(group_name for group_name, _, _ in groups):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "",
            '\n  <option value="{}"{}>{}</option>\n',  # each include ends in a newline
            (
                (option["value"], attributes(option["attrs"]), option["label"])
                for _, group_options, _ in groups
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            context["name"],
            attributes(context["attrs"]),
            options,
        )
