"""Admin form data as a browser would post it, built from a GET of the page itself.

Tests start from `page_data(response)` (the form unchanged, with every inline's
management form), change the fields they are about, and post it back.
"""

import datetime

from django import forms
from django.contrib.messages import get_messages
from django.urls import reverse

from commitments.models import Commitment


def post_value(value):
    """A form value in the shape a browser sends; None means "leave the key out"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, (list, tuple)):
        return [str(getattr(item, "pk", item)) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def form_values(form) -> dict:
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
            value = list(value or [])  # a select-multiple with nothing chosen sends nothing
        value = post_value(value)
        if value is not None:
            data[form[name].html_name] = value
    return data


def management_form(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def inline_prefixes(response) -> list[str]:
    return [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]


def page_data(response) -> dict:
    """The add or change page's main form and inlines' existing rows, unchanged.

    Blank extra rows are left out, as a browser sends them but the admin ignores them.
    """
    data = form_values(response.context["adminform"].form)
    # simple-history's revert page has no inlines.
    for inline in response.context.get("inline_admin_formsets", []):
        data.update(formset_values(inline.formset))
    return data


def formset_values(formset) -> dict:
    """A formset's management form and existing rows, with the formsets nested in each
    row (the sources of a follow-up on its commitment's page, django-nested-admin)."""
    existing = formset.initial_form_count()
    data = management_form(formset.prefix, total=existing, initial=existing)
    for form in formset.initial_forms:
        data.update(form_values(form))
        for nested in getattr(form, "nested_formsets", []):
            data.update(formset_values(nested))
    return data


def add_inline_row(data: dict, prefix: str, **fields) -> None:
    """Append a new row to the inline with `prefix`, as "Add another" does."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


def message_texts(response) -> list[str]:
    """The messages the admin showed after a request."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def new_pledge_data(client, platform, **fields) -> dict:
    """The commitment add page as posted with a new pledge of `platform` filled in (and
    no source yet), `fields` changed."""
    response = client.get(reverse("admin:commitments_commitment_add"))
    assert response.status_code == 200
    data = page_data(response)
    data.update(
        platform=str(platform.pk),
        kind=Commitment.Kind.POLICY,
        title="Direct messages off for under-16s",
        announced_on="2020-04-16",
    )
    data.update(fields)
    return data
