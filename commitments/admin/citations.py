"""A citation row: an existing source chosen, or a new one typed in the row itself.

The pop-up Django offers for a new related record took five fields on a page of its own;
here the new source's address, title, publisher, date and kind sit in the citation's
row, are validated as the source's own page validates them (`NewSourceForm`: http(s)
only, normalised, one source per address, a partial date) and are saved, through
`source_record`, just before the citation that cites them. A row already saved cites
its source: the new-source boxes are not shown for it.
"""

from django import forms

from commitments.admin.dates import HELP_TEXT, PartialDateForm
from commitments.curation.sources import source_record
from commitments.models import Citation, Source

NEW = "new_source_"
NEW_SOURCE_FIELDS = ["url", "title", "publisher", "published_on", "kind"]
# The rows of a citation, as an inline's `fields`: the source, or a new one, then the quote.
CITATION_FIELDS = [
    "source",
    (f"{NEW}url", f"{NEW}title"),
    (f"{NEW}publisher", f"{NEW}published_on", f"{NEW}kind"),
    ("quote", "person"),
]


class NewSourceForm(PartialDateForm):
    class Meta:
        model = Source
        fields = NEW_SOURCE_FIELDS


class CitationForm(forms.ModelForm):
    new_source_url = forms.CharField(
        label="or a new source: URL",
        required=False,
        widget=forms.URLInput(attrs={"size": 40}),
        help_text="http or https only.",
    )
    new_source_title = forms.CharField(
        label="its title", required=False, widget=forms.TextInput(attrs={"size": 40})
    )
    new_source_publisher = forms.CharField(label="its publisher", required=False)
    new_source_published_on = forms.CharField(
        label="its date",
        required=False,
        help_text=HELP_TEXT,
        widget=forms.TextInput(attrs={"size": 10, "inputmode": "numeric"}),
    )
    new_source_kind = forms.ChoiceField(
        label="its kind", required=False, choices=[("", "---------"), *Source.Kind.choices]
    )

    class Meta:
        model = Citation
        fields = ["source", "quote", "person"]
        widgets = {"quote": forms.Textarea(attrs={"rows": 2, "cols": 40})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_source = None
        if "source" in self.fields:
            self.fields["source"].required = False
        if self.instance.pk:
            for name in NEW_SOURCE_FIELDS:
                self.fields[NEW + name].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        typed = {name: cleaned.get(NEW + name) or "" for name in NEW_SOURCE_FIELDS}
        chosen = cleaned.get("source")
        if not any(typed.values()):
            if not chosen and self.has_changed() and "source" not in self.errors:
                self.add_error("source", "Choose a source, or type a new one's URL and title.")
            return cleaned
        if chosen:
            self.add_error("source", "Choose a source or type a new one, not both.")
            return cleaned
        source_form = NewSourceForm(data=typed)
        if not source_form.is_valid():
            for name, errors in source_form.errors.items():
                for error in errors:
                    if name == "url" and "already exists" in error:
                        error = "A source with this URL is recorded already: choose it above."
                    self.add_error(NEW + name if name in typed else None, error)
            return cleaned
        self.new_source = source_form.instance
        return cleaned

    def cites_a_source(self) -> bool:
        return bool(self.cleaned_data.get("source") or self.new_source)

    def _get_validation_exclusions(self):
        # The source is saved only with the page; until then the citation's own checks
        # leave it out.
        exclude = super()._get_validation_exclusions()
        if self.new_source is not None:
            exclude.add("source")
        return exclude

    def save(self, commit=True):
        if self.new_source is not None:
            self.instance.source = source_record(source=self.new_source)
        return super().save(commit)
