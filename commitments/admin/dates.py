"""One box for a date and how precisely it is known: staff type "2021", "2021-03" or
"2021-03-05" and the precision follows from what they typed, instead of a date and a
separate menu.

The model keeps both columns (commitments/dates.py); the box reads and writes the pair
through `PartialDateField`, the field the public listing's date filters use, so a date
means the same thing to staff and to the public.
"""

import datetime

from django import forms

from commitments.dates import DatePrecision, PartialDateField, iso_partial_date

HELP_TEXT = 'A year, a month or a day: "2021", "2021-03" or "2021-03-05".'


def precision_name(date_name: str) -> str:
    """`announced_on` -> `announced_precision`, as every partial date of the models has it."""
    return date_name.removesuffix("_on") + "_precision"


class PartialDateForm(forms.ModelForm):
    """A ModelForm whose dates with a precision column beside them are one box each."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.partial_date_names():
            old = self.fields[name]
            self.fields[name] = PartialDateField(
                label=old.label,
                required=old.required,
                help_text=HELP_TEXT,
                widget=forms.TextInput(attrs={"size": 10, "inputmode": "numeric"}),
            )
            initial = self.initial.get(name)
            if isinstance(initial, datetime.date):
                precision = getattr(self.instance, precision_name(name), DatePrecision.DAY)
                self.initial[name] = iso_partial_date(initial, precision)

    def partial_date_names(self) -> list[str]:
        model_fields = {field.name for field in self._meta.model._meta.get_fields()}
        return [
            name
            for name in self.fields
            if name.endswith("_on") and precision_name(name) in model_fields
        ]

    def _post_clean(self):
        # Before the model instance is built and validated: the date column gets the
        # first day of the period, the precision column what was typed.
        for name in self.partial_date_names():
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            day, precision = value if value else (None, DatePrecision.DAY)
            self.cleaned_data[name] = day
            setattr(self.instance, precision_name(name), precision)
        super()._post_clean()
