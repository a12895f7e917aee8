"""The exchange format of data/README.md, declared once: what a file may hold, record by
record and field by field, and the limits of one import.

Every import goes through it (`validate_dataset` in commitments/exchange/validation.py
runs it on each record before anything is written). It says, for each kind of record,
which keys there are (any other is refused, by name), which are required, what type each
value has, how long a text may be and what it may not hold. Nesting follows from the
types: the format nests seven levels (file, commitments, a commitment, its follow-ups, a
follow-up, its sources, a source) and any list or object where text belongs is refused
where it stands, without being looked into.

Declared with Django REST framework's serializers, which the project already has for
its API: one class per kind of record, nested as the format nests, each error kept
under its field, the project's own checks (partial dates, web addresses, ratings) as
fields and `validate` methods that call the rules' homes, and no new dependency. A JSON
Schema library (jsonschema) or pydantic would need the same project checks as plug-ins
and their messages translated; pydantic would be a new compiled dependency.
DRF's own fields are not used for text: its CharField turns 42 into "42" and quotes the
value in its messages, whatever its length. The fields here take JSON strings only,
quote at most QUOTE_LENGTH characters of any value and never repr() a list or an object.

The lengths are the models' own `max_length` (read from the models, so they have one
home); the text fields the models leave unbounded (summaries, descriptions) are bounded
only by the size of the file.
"""

from difflib import get_close_matches

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty
from rest_framework.settings import api_settings

from commitments.dates import (
    EARLIEST_DATE,
    EARLIEST_LAUNCH_DATE,
    date_range_problem,
    parse_partial_date,
)
from commitments.models import Commitment, FollowUp, Initiative, Person, Platform, Source, Status
from commitments.models.evidence import rating_problems
from commitments.web_addresses import validate_http_url

# The largest file one import reads: checked before reading. Importing a file of this
# size takes about 450 MB at its peak (measured on SQLite: data/README.md).
MAX_FILE_BYTES = 50 * 1024 * 1024
# The problems one refusal lists; the rest are counted.
MAX_PROBLEMS = 50
# The characters of a value a message quotes.
QUOTE_LENGTH = 80
# How many containers deep the format nests (see the module's docstring).
DEPTH = 7
# The longest text a date may be ("2020-03-05"); a longer one is not read as a date.
DATE_LENGTH = len("YYYY-MM-DD")

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


def kind_of(value) -> str:
    """What a JSON value is, in words: "a number", "an object"..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean (true or false)"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def shown(text: str, limit: int = QUOTE_LENGTH) -> str:
    """At most `limit` characters of `text`, with what a terminal cannot show (control
    characters, a NUL, a lone surrogate) escaped, and "…" when it was cut."""
    cut = text[:limit]
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)
    return escaped + ("…" if len(text) > limit else "")


def quote(text: str) -> str:
    return f"'{shown(text)}'"


def text_problems(value: str, max_length: int | None) -> list[str]:
    """Why `value` cannot be stored as it is: too long, a NUL (which PostgreSQL refuses
    and SQLite keeps), a lone surrogate (which no database can encode)."""
    problems = []
    if max_length is not None and len(value) > max_length:
        problems.append(f"is too long: {len(value):,} characters, at most {max_length}")
    if (at := value.find("\x00")) >= 0:
        problems.append(f"holds a NUL character (\\x00) at character {at + 1}: take it out")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        problems.append(
            f"holds a lone surrogate (U+{ord(value[e.start]):04X}) at character "
            f"{e.start + 1}, which is not text: write the whole character"
        )
    return problems


def unknown_key_problem(key: str, known, noun: str) -> str:
    guess = get_close_matches(key, list(known), n=1) if len(key) <= 40 else []
    hint = f", did you mean {quote(guess[0])}?" if guess else ""
    return f"unknown key {quote(key)}{hint} ({noun} has: {', '.join(known)})"


# Fields ------------------------------------------------------------------------------


class Text(serializers.Field):
    """A JSON string, never a number or an object made into one, that a database can
    store. Optional text may be null or blank; required text may be neither."""

    default_error_messages = {"required": "is missing"}
    # Whether text of nothing but spaces counts as blank: for words, but not for a value
    # the importer reads further (a date, an address, a choice), which must then be one.
    spaces_are_blank = True

    def __init__(self, *, max_length: int | None = None, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def run_validation(self, data=empty):
        if data is empty:
            if self.required:
                self.fail("required")
            raise SkipField()
        if data is None:
            if self.required:
                self.fail("required")
            return data
        if not isinstance(data, str):
            raise ValidationError(f"must be text, not {kind_of(data)}", code="type")
        if data == "" or (self.spaces_are_blank and not data.strip()):
            if self.required:  # a name of spaces names nothing
                self.fail("required")
            return data
        if problems := text_problems(data, self.max_length):
            raise ValidationError(problems)
        value = self.to_internal_value(data)
        self.run_validators(value)
        return value

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


def text(model, name: str, **kwargs) -> Text:
    """A text field as long as the model's field `name`, and required where it may not
    be blank."""
    field = model._meta.get_field(name)
    kwargs.setdefault("required", not field.blank)
    return Text(max_length=field.max_length, **kwargs)


def name_of(model, **kwargs) -> Text:
    """A record named by another: the name of a platform or an initiative."""
    return Text(max_length=model._meta.get_field("name").max_length, **kwargs)


class Choice(Text):
    """One of `values`, compared after `normalise` (the file may spell a value in words)."""

    spaces_are_blank = False

    def __init__(self, values, *, normalise=None, spelled=None, **kwargs):
        self.values = list(values)
        self.normalise = normalise or (lambda value: value)
        self.spelled = spelled or (lambda value: value)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = self.normalise(data)
        if value not in self.values:
            allowed = ", ".join(self.spelled(v) for v in self.values)
            raise ValidationError(f"unknown value {quote(data)} (expected one of: {allowed})")
        return value


class PartialDate(Text):
    """ "YYYY", "YYYY-MM" or "YYYY-MM-DD", within the bounds of commitments/dates.py."""

    spaces_are_blank = False

    def __init__(self, *, earliest=EARLIEST_DATE, **kwargs):
        self.earliest = earliest
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if len(data.strip()) > DATE_LENGTH:
            raise ValidationError(
                f"{quote(data)} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"
            )
        try:
            day, _precision = parse_partial_date(data)
        except ValueError as e:
            raise ValidationError(str(e)) from None
        if problem := date_range_problem(day, earliest=self.earliest):
            raise ValidationError(problem)
        return data


class WebAddress(Text):
    """An http(s) address (commitments/web_addresses.py)."""

    spaces_are_blank = False

    def to_internal_value(self, data):
        try:
            validate_http_url(data)
        except DjangoValidationError as e:
            raise ValidationError(f"{quote(data)}: {e.messages[0]}") from None
        return data


def web_address(model, name: str, **kwargs) -> WebAddress:
    field = model._meta.get_field(name)
    kwargs.setdefault("required", not field.blank)
    return WebAddress(max_length=field.max_length, **kwargs)


class ListOf(serializers.ListField):
    """A JSON list of `child`; required means present and not null (it may be empty)."""

    default_error_messages = {"required": "is missing"}

    def run_validation(self, data=empty):
        if data is empty:
            if self.required:
                self.fail("required")
            raise SkipField()
        if data is None and self.required:
            self.fail("required")
        if not isinstance(data, list):
            raise ValidationError(f"must be a list, not {kind_of(data)}", code="type")
        return self.run_child_validation(data)


class AnyObject(Text):
    """A JSON object whose content the importer ignores (the export's `license`)."""

    def run_validation(self, data=empty):
        if data is empty:
            raise SkipField()
        if not isinstance(data, dict):
            raise ValidationError(f"must be an object, not {kind_of(data)}", code="type")
        return data


# Records -----------------------------------------------------------------------------

# Keys of a record reported one by one; past them, counted.
UNKNOWN_KEYS_SHOWN = 3


class Record(serializers.Serializer):
    """A JSON object with exactly the keys declared: an unknown key is refused by name."""

    noun = "a record"
    default_error_messages = {"required": "is missing"}

    def run_validation(self, data=empty):
        if data is empty:
            if self.required:
                self.fail("required")
            raise SkipField()
        if not isinstance(data, dict):
            raise ValidationError(f"must be an object, not {kind_of(data)}", code="type")
        errors = {}
        try:
            value = super().run_validation(data)
        except ValidationError as e:
            errors = dict(e.detail)
        unknown = [key for key in data if key not in self.fields]
        if unknown:
            problems = [
                unknown_key_problem(key, self.fields, self.noun)
                for key in unknown[:UNKNOWN_KEYS_SHOWN]
            ]
            if len(unknown) > UNKNOWN_KEYS_SHOWN:
                problems.append(f"and {len(unknown) - UNKNOWN_KEYS_SHOWN:,} more unknown keys")
            errors[NON_FIELD] = [*errors.get(NON_FIELD, []), *problems]
        if errors:
            raise ValidationError(errors)
        return value


class SourceSchema(Record):
    noun = "a source"
    url = web_address(Source, "url")
    publisher = text(Source, "publisher")
    published_on = PartialDate(required=False)
    title = text(Source, "title")


def source_list(**kwargs) -> ListOf:
    return ListOf(child=SourceSchema(), **kwargs)


class PersonSchema(Record):
    noun = "a person"
    name = text(Person, "name")
    role = text(Person, "role")
    organisation = text(Person, "organisation")
    note = text(Person, "note")  # the curators' own: never shown to the public


class FollowUpSchema(Record):
    noun = "a follow-up"
    happened_on = PartialDate(required=True)
    kind = Choice(FollowUp.Kind.values, required=True)
    summary = text(FollowUp, "summary")
    status_after = Choice(Status.values, required=False)
    sources = source_list(required=False)

    def validate(self, attrs):
        # commitments/models/evidence.py: a rating cites a source, and only evidence from
        # outside the platform rates it verified or falling short.
        if problems := rating_problems(
            status=attrs.get("status_after") or "",
            kind=attrs["kind"],
            has_sources=bool(attrs.get("sources")),
        ):
            raise ValidationError(problems)
        return attrs


class CommitmentSchema(Record):
    noun = "a commitment"
    platform = name_of(Platform, required=True)
    initiative = name_of(Initiative, required=False)
    kind = Choice(Commitment.Kind.values, required=True)
    title = text(Commitment, "title")
    summary = text(Commitment, "summary")
    announced_on = PartialDate(required=True)
    effective_on = PartialDate(required=False)
    sources = source_list(required=True)  # it may be empty: the pledge stays a draft
    people = ListOf(child=PersonSchema(), required=False)
    follow_ups = ListOf(child=FollowUpSchema(), required=False)
    confidence = Choice(Commitment.Confidence.values, required=False)

    def validate_platform(self, value):
        if value not in self.context["platforms"]:
            raise ValidationError(
                f"unknown platform {quote(value)}: list it under 'platforms' first"
            )
        return value

    def validate_initiative(self, value):
        if value and value not in self.context["initiatives"]:
            raise ValidationError(
                f"unknown initiative {quote(value)}: list it under 'initiatives' first"
            )
        return value


class PlatformSchema(Record):
    noun = "a platform"
    name = text(Platform, "name")
    operator = text(Platform, "operator")
    category = text(Platform, "category")
    parent = name_of(Platform, required=False)  # the platform it belongs to

    def validate_parent(self, value):
        if value and value not in self.context["platforms"]:
            raise ValidationError(f"unknown platform {quote(value)}: list it under 'platforms'")
        return value

    def validate(self, attrs):
        if attrs.get("parent") and attrs["parent"] == attrs["name"]:
            raise ValidationError({"parent": "a platform cannot be its own parent"})
        return attrs


def initiative_kind(value: str) -> str:
    """The file spells initiative kinds in words ("industry coalition")."""
    return value.strip().lower().replace(" ", "_") if isinstance(value, str) else value


class InitiativeSchema(Record):
    noun = "an initiative"
    name = text(Initiative, "name")
    kind = Choice(
        Initiative.Kind.values,
        normalise=initiative_kind,
        spelled=lambda value: value.replace("_", " "),
        required=True,
    )
    founded_on = PartialDate(earliest=EARLIEST_LAUNCH_DATE, required=False)
    url = web_address(Initiative, "url")
    description = text(Initiative, "description")
    sources = source_list(required=False)


class DatasetSchema(Record):
    """The whole file. `validate_dataset` checks its keys and runs each list's record
    schema one record at a time (so that no copy of the file is built), with the names
    the records may refer to in the context: {"platforms": set, "initiatives": set}."""

    noun = "the file"
    RECORDS = ("initiatives", "platforms", "commitments")
    initiatives = ListOf(child=InitiativeSchema(), required=False)
    platforms = ListOf(child=PlatformSchema(), required=False)
    commitments = ListOf(child=CommitmentSchema(), required=False)
    license = AnyObject(required=False)  # written by the export; the import ignores it


def error_paths(detail, path: str = ""):
    """(field path, reason) for every error in a DRF error `detail`: "sources[0].url"."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == NON_FIELD:
                yield from error_paths(value, path)
            elif isinstance(key, int):
                yield from error_paths(value, f"{path}[{key}]")
            else:
                yield from error_paths(value, f"{path}.{key}" if path else key)
    elif isinstance(detail, list):
        for item in detail:
            yield from error_paths(item, path)
    else:
        yield path, str(detail)
