"""The admin's autocomplete widgets, safe with any posted value.

When a form is shown again with its errors, Django's autocomplete widget looks up the
posted value to show it as chosen; a value that cannot be an id ("abc" for a number) made
that look-up raise, a 500 in place of the form's own "Select a valid choice" error.
These widgets look up only the values that can be ids, and say what to do when empty.
`SafeAutocompleteAdmin`, a base of every admin and inline here, gives each autocomplete
field one of them.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class ReadableValuesMixin:
    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        return super().optgroups(name, [v for v in value if can_be(target, v)], attr)


def can_be(field, value) -> bool:
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class PlaceholderMixin:
    """A box with nothing chosen says what to do. Without it select2 names the box by an
    empty element, and its search field has no name at all (axe-core's
    aria-input-field-name and label rules); the box where the choice shows is named
    after the field's label by a small script."""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-placeholder"] = "Type to search"
        return attrs

    @property
    def media(self):
        # A name for each box, from its label (static/js/admin_autocomplete_names.js).
        return super().media + forms.Media(js=["js/admin_autocomplete_names.js"])


class SafeAutocompleteSelect(ReadableValuesMixin, PlaceholderMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(
    ReadableValuesMixin, PlaceholderMixin, AutocompleteSelectMultiple
):
    pass


class SafeAutocompleteAdmin:
    """For a ModelAdmin or an inline: its autocomplete fields get the safe widgets."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
