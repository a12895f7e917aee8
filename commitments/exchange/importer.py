"""Import the exchange format of data/README.md: initiatives, platforms, commitments.

Two passes. `validate_dataset()` reads the whole file without touching the database
beyond name look-ups and returns every problem, each naming the record, the field and
the reason. Only a file without problems reaches `dataset_import()`, which writes
everything in one transaction: any error there (a rule only the database knows) rolls
all of it back. Records are matched by name, URL or (platform, initiative, kind, title),
so a second import of the same file changes nothing, and nothing is ever deleted.
"""

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from commitments.dates import parse_partial_date
from commitments.models import (
    Citation,
    Commitment,
    FollowUp,
    Initiative,
    Person,
    Platform,
    Source,
    Status,
)
from commitments.web_addresses import normalise_url, validate_http_url

# What the summary counts, in the order it reports them: (singular, plural).
RECORD_NAMES = [
    ("platform", "platforms"),
    ("initiative", "initiatives"),
    ("source", "sources"),
    ("person", "people"),
    ("commitment", "commitments"),
    ("follow-up", "follow-ups"),
    ("citation", "citations"),
]


class DatasetError(Exception):
    """The file cannot be imported; `problems` lists every reason, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def record(self, name: str, outcome: str | None) -> None:
        if outcome == "created":
            self.created[name] += 1
        elif outcome == "updated":
            self.updated[name] += 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> list[str]:
        lines = []
        for name, plural in RECORD_NAMES:
            created, updated = self.created[name], self.updated[name]
            if created or updated:
                lines.append(f"{plural}: {created} created, {updated} updated")
        return lines


def read_dataset(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise DatasetError([f"{path}: cannot read the file: {e.strerror}"]) from e
    except UnicodeDecodeError as e:
        raise DatasetError([f"{path}: not UTF-8 text ({e.reason} at byte {e.start})"]) from e
    except json.JSONDecodeError as e:
        raise DatasetError(
            [f"{path}: not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}"]
        ) from e
    return data


# -- Validation -------------------------------------------------------------------------

COMMITMENT_FIELDS = ["platform", "kind", "title", "announced_on", "sources"]
FOLLOW_UP_FIELDS = ["happened_on", "kind", "summary"]
INITIATIVE_FIELDS = ["name", "kind"]


class _Checker:
    """Collects problems for one record, prefixed with where the record stands."""

    def __init__(self, where: str, problems: list[str]):
        self.where = where
        self.problems = problems

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(f"{self.where}, field '{path}': {reason}")

    def require(self, record: dict, names: list[str], prefix: str = "") -> None:
        for name in names:
            value = record.get(name)
            if value is None or value == "" or value == []:
                if name == "sources" and isinstance(value, list):
                    continue  # an empty list of sources is allowed: the pledge stays a draft
                self.fail(prefix + name, "is missing")

    def text(self, record: dict, name: str, prefix: str = "") -> None:
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            self.fail(prefix + name, f"must be text, not {type(value).__name__}")

    def choice(self, record: dict, name: str, allowed: list[str], prefix: str = "") -> None:
        value = record.get(name)
        if value not in (None, "") and value not in allowed:
            self.fail(
                prefix + name, f"unknown value {value!r} (expected one of: {', '.join(allowed)})"
            )

    def date(self, record: dict, name: str, prefix: str = "") -> None:
        value = record.get(name)
        if value is None:
            return
        try:
            parse_partial_date(value)
        except ValueError as e:
            self.fail(prefix + name, str(e))

    def sources(self, record: dict, prefix: str = "") -> None:
        sources = record.get("sources", [])
        if not isinstance(sources, list):
            self.fail(prefix + "sources", "must be a list")
            return
        for n, source in enumerate(sources):
            path = f"{prefix}sources[{n}]."
            if not isinstance(source, dict):
                self.fail(path[:-1], "must be an object")
                continue
            self.require(source, ["url", "title"], path)
            self.text(source, "title", path)
            self.text(source, "publisher", path)
            self.date(source, "published_on", path)
            url = source.get("url")
            if isinstance(url, str) and url:
                try:
                    validate_http_url(url)
                except ValidationError as e:
                    self.fail(path + "url", f"{url!r}: {e.messages[0]}")


def _label(kind: str, n: int, record) -> str:
    name = record.get("title") or record.get("name") if isinstance(record, dict) else None
    return f"{kind}[{n}]" + (f" “{name}”" if name else "")


def _initiative_kind(value: str) -> str:
    """The file spells initiative kinds in words ("industry coalition")."""
    return value.strip().lower().replace(" ", "_") if isinstance(value, str) else value


def validate_dataset(data) -> None:
    """Raise DatasetError listing every problem in the file, or return None."""
    if not isinstance(data, dict):
        raise DatasetError(
            ["the file must hold a JSON object with initiatives, platforms and commitments"]
        )
    problems: list[str] = []
    for key in ("initiatives", "platforms", "commitments"):
        if not isinstance(data.get(key, []), list):
            problems.append(f"'{key}' must be a list")
    if problems:
        raise DatasetError(problems)

    platform_names = set(Platform.objects.values_list("name", flat=True))
    initiative_names = set(Initiative.objects.values_list("name", flat=True))
    for n, record in enumerate(data.get("platforms", [])):
        check = _Checker(_label("platforms", n, record), problems)
        if not isinstance(record, dict):
            check.fail("", "must be an object")
            continue
        check.require(record, ["name"])
        for name in ("name", "operator", "category", "parent"):
            check.text(record, name)
        platform_names.add(record.get("name"))
    for n, record in enumerate(data.get("platforms", [])):
        parent = record.get("parent") if isinstance(record, dict) else None
        if isinstance(parent, str) and parent:
            check = _Checker(_label("platforms", n, record), problems)
            if parent == record.get("name"):
                check.fail("parent", "a platform cannot be its own parent")
            elif parent not in platform_names:
                check.fail("parent", f"unknown platform {parent!r}: list it under 'platforms'")
    for n, record in enumerate(data.get("initiatives", [])):
        check = _Checker(_label("initiatives", n, record), problems)
        if not isinstance(record, dict):
            check.fail("", "must be an object")
            continue
        check.require(record, INITIATIVE_FIELDS)
        check.text(record, "name")
        kind = _initiative_kind(record.get("kind"))
        if kind and kind not in Initiative.Kind.values:
            allowed = ", ".join(value.replace("_", " ") for value in Initiative.Kind.values)
            check.fail("kind", f"unknown value {record['kind']!r} (expected one of: {allowed})")
        check.date(record, "founded_on")
        if record.get("url"):
            try:
                validate_http_url(record["url"])
            except ValidationError as e:
                check.fail("url", f"{record['url']!r}: {e.messages[0]}")
        check.sources(record)
        initiative_names.add(record.get("name"))
    for n, record in enumerate(data.get("commitments", [])):
        _validate_commitment(
            record,
            _Checker(_label("commitments", n, record), problems),
            platform_names,
            initiative_names,
        )
    if problems:
        raise DatasetError(problems)


def _validate_commitment(record, check: _Checker, platform_names, initiative_names) -> None:
    if not isinstance(record, dict):
        check.fail("", "must be an object")
        return
    check.require(record, COMMITMENT_FIELDS)
    for name in ("platform", "initiative", "title", "summary"):
        check.text(record, name)
    check.choice(record, "kind", Commitment.Kind.values)
    check.choice(record, "confidence", Commitment.Confidence.values)
    check.date(record, "announced_on")
    check.date(record, "effective_on")
    platform = record.get("platform")
    if isinstance(platform, str) and platform and platform not in platform_names:
        check.fail("platform", f"unknown platform {platform!r}: list it under 'platforms' first")
    initiative = record.get("initiative")
    if isinstance(initiative, str) and initiative not in initiative_names:
        check.fail(
            "initiative", f"unknown initiative {initiative!r}: list it under 'initiatives' first"
        )
    check.sources(record)
    people = record.get("people", [])
    if not isinstance(people, list):
        check.fail("people", "must be a list")
        people = []
    for n, person in enumerate(people):
        if not isinstance(person, dict):
            check.fail(f"people[{n}]", "must be an object")
            continue
        check.require(person, ["name"], f"people[{n}].")
    follow_ups = record.get("follow_ups", [])
    if not isinstance(follow_ups, list):
        check.fail("follow_ups", "must be a list")
        follow_ups = []
    for n, follow_up in enumerate(follow_ups):
        prefix = f"follow_ups[{n}]."
        if not isinstance(follow_up, dict):
            check.fail(prefix[:-1], "must be an object")
            continue
        check.require(follow_up, FOLLOW_UP_FIELDS, prefix)
        check.text(follow_up, "summary", prefix)
        check.choice(follow_up, "kind", FollowUp.Kind.values, prefix)
        check.choice(follow_up, "status_after", Status.values, prefix)
        check.date(follow_up, "happened_on", prefix)
        check.sources(follow_up, prefix)


# -- Writing ----------------------------------------------------------------------------


def _partial(value) -> tuple:
    return parse_partial_date(value) if value else (None, "day")


class _Writer:
    """Writes validated records, reusing what exists and counting what it changed."""

    def __init__(self, report: ImportReport):
        self.report = report
        # First occurrence wins within one file, so two spellings of one source's
        # title cannot flip it back and forth and a second run stays a no-op.
        self.sources: dict[str, Source] = {}
        self.people: dict[str, Person] = {}

    def create(self, name: str, obj):
        obj.full_clean()
        obj.save()
        self.report.record(name, "created")
        return obj

    def update(self, name: str, obj, values: dict):
        changed = {key: value for key, value in values.items() if getattr(obj, key) != value}
        if changed:
            for key, value in changed.items():
                setattr(obj, key, value)
            obj.full_clean()
            obj.save()
            self.report.record(name, "updated")
        return obj

    def upsert(self, name: str, model, lookup: dict, values: dict):
        """The row matching `lookup`, brought up to `values`; and whether it is new."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            return self.create(name, model(**lookup, **values)), True
        return self.update(name, obj, values), False

    def source(self, data: dict) -> Source:
        url = normalise_url(data["url"])
        if url not in self.sources:
            published_on, precision = _partial(data.get("published_on"))
            self.sources[url], _ = self.upsert(
                "source",
                Source,
                {"url": url},
                {
                    "title": data["title"],
                    "publisher": data.get("publisher") or "",
                    "published_on": published_on,
                    "published_precision": precision,
                },
            )
        return self.sources[url]

    def person(self, data: dict) -> Person:
        name = data["name"]
        if name not in self.people:
            self.people[name], _ = self.upsert(
                "person",
                Person,
                {"name": name},
                {"role": data.get("role") or "", "organisation": data.get("organisation") or ""},
            )
        return self.people[name]

    def cite(self, sources: list[dict], **target) -> bool:
        """Add the citations `target` lacks; True when any was added."""
        added = False
        for data in sources:
            _, created = Citation.objects.get_or_create(source=self.source(data), **target)
            if created:
                self.report.record("citation", "created")
                added = True
        return added

    def platform(self, data: dict) -> None:
        self.upsert(
            "platform",
            Platform,
            {"name": data["name"]},
            {"operator": data.get("operator") or "", "category": data.get("category") or ""},
        )

    def platform_parent(self, data: dict) -> None:
        # Only a parent the file names is set: one that staff set is never cleared.
        if data.get("parent"):
            platform = Platform.objects.get(name=data["name"])
            self.update("platform", platform, {"parent": Platform.objects.get(name=data["parent"])})

    def initiative(self, data: dict) -> None:
        founded_on, precision = _partial(data.get("founded_on"))
        initiative, _ = self.upsert(
            "initiative",
            Initiative,
            {"name": data["name"]},
            {
                "kind": _initiative_kind(data["kind"]),
                "founded_on": founded_on,
                "founded_precision": precision,
                "url": data.get("url") or "",
                "description": data.get("description") or "",
            },
        )
        self.cite(data.get("sources", []), initiative=initiative)

    def commitment(self, data: dict) -> None:
        announced_on, announced_precision = _partial(data["announced_on"])
        effective_on, effective_precision = _partial(data.get("effective_on"))
        lookup = {
            "platform": Platform.objects.get(name=data["platform"]),
            "initiative": Initiative.objects.get(name=data["initiative"])
            if data.get("initiative")
            else None,
            "kind": data["kind"],
            "title": data["title"],
        }
        commitment, created = self.upsert(
            "commitment",
            Commitment,
            lookup,
            {
                "summary": data.get("summary") or "",
                "announced_on": announced_on,
                "announced_precision": announced_precision,
                "effective_on": effective_on,
                "effective_precision": effective_precision,
                "confidence": data.get("confidence") or Commitment.Confidence.UNVERIFIED,
            },
        )
        self.cite(data.get("sources", []), commitment=commitment)
        people = [self.person(p) for p in data.get("people", [])]
        new_people = set(people) - set(commitment.people.all())
        if new_people:
            commitment.people.add(*new_people)
        self.follow_ups(commitment, data.get("follow_ups", []))
        if created:
            self.publish_if_verified(commitment)

    def follow_ups(self, commitment: Commitment, records: list[dict]) -> None:
        # A follow-up has no name of its own: it is the n-th of its kind on its date.
        existing = defaultdict(list)
        for follow_up in commitment.follow_ups.order_by("id"):
            existing[(follow_up.happened_on, follow_up.happened_precision, follow_up.kind)].append(
                follow_up
            )
        for data in records:
            happened_on, precision = _partial(data["happened_on"])
            values = {"summary": data["summary"], "status_after": data.get("status_after") or ""}
            same = existing[(happened_on, precision, data["kind"])]
            if same:
                follow_up = self.update("follow-up", same.pop(0), values)
            else:
                follow_up = self.create(
                    "follow-up",
                    FollowUp(
                        commitment=commitment,
                        happened_on=happened_on,
                        happened_precision=precision,
                        kind=data["kind"],
                        **values,
                    ),
                )
            self.cite(data.get("sources", []), follow_up=follow_up)

    def publish_if_verified(self, commitment: Commitment) -> None:
        """A new pledge checked against its sources goes public; staff decide the rest."""
        if commitment.confidence == Commitment.Confidence.VERIFIED and commitment.has_sources():
            commitment.published = True
            commitment.save(update_fields=["published"])


def dataset_import(
    data: dict,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Write a validated dataset in one transaction; a dry run rolls it back at the end."""
    validate_dataset(data)
    report = ImportReport()
    writer = _Writer(report)
    commitments = data.get("commitments", [])
    with transaction.atomic():
        for n, record in enumerate(data.get("platforms", [])):
            _write(writer.platform, record, _label("platforms", n, record))
        # Parents once every platform exists, as a file may name a parent after its child.
        for n, record in enumerate(data.get("platforms", [])):
            _write(writer.platform_parent, record, _label("platforms", n, record))
        for n, record in enumerate(data.get("initiatives", [])):
            _write(writer.initiative, record, _label("initiatives", n, record))
        for n, record in enumerate(commitments):
            _write(writer.commitment, record, _label("commitments", n, record))
            if progress:
                progress(n + 1, len(commitments))
        if dry_run:
            transaction.set_rollback(True)
    return report


def _write(write: Callable[[dict], None], record: dict, where: str) -> None:
    """Run one record's writes, turning a rule the database enforces into a named problem."""
    try:
        write(record)
    except ValidationError as e:
        raise DatasetError(_problems(where, e)) from e


def _problems(where: str, error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return [f"{where}: {message}" for message in error.messages]
    return [
        f"{where}: {message}" if name == NON_FIELD_ERRORS else f"{where}, field '{name}': {message}"
        for name, messages in error.message_dict.items()
        for message in messages
    ]
