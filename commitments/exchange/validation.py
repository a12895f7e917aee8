"""Reading and checking a file in the exchange format of data/README.md.

`validate_dataset()` reads the whole file without touching the database beyond name
look-ups and raises one DatasetError listing every problem, each naming the record (its
position and title), the field and the reason. Only a file without problems reaches the
importer (commitments/exchange/importer.py).
"""

import datetime
import json

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from commitments.dates import (
    EARLIEST_DATE,
    EARLIEST_LAUNCH_DATE,
    date_range_problem,
    parse_partial_date,
)
from commitments.models import Commitment, FollowUp, Initiative, Platform, Status
from commitments.models.evidence import rating_problems
from commitments.web_addresses import validate_http_url


class DatasetError(Exception):
    """The file cannot be imported; `problems` lists every reason, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


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

    def date(
        self, record: dict, name: str, prefix: str = "", earliest: datetime.date = EARLIEST_DATE
    ) -> None:
        value = record.get(name)
        if value is None:
            return
        try:
            day, _precision = parse_partial_date(value)
        except ValueError as e:
            self.fail(prefix + name, str(e))
            return
        if problem := date_range_problem(day, earliest=earliest):
            self.fail(prefix + name, problem)

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


def label(kind: str, n: int, record) -> str:
    name = record.get("title") or record.get("name") if isinstance(record, dict) else None
    return f"{kind}[{n}]" + (f" “{name}”" if name else "")


def initiative_kind(value: str) -> str:
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
        check = _Checker(label("platforms", n, record), problems)
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
            check = _Checker(label("platforms", n, record), problems)
            if parent == record.get("name"):
                check.fail("parent", "a platform cannot be its own parent")
            elif parent not in platform_names:
                check.fail("parent", f"unknown platform {parent!r}: list it under 'platforms'")
    for n, record in enumerate(data.get("initiatives", [])):
        check = _Checker(label("initiatives", n, record), problems)
        if not isinstance(record, dict):
            check.fail("", "must be an object")
            continue
        check.require(record, INITIATIVE_FIELDS)
        check.text(record, "name")
        kind = initiative_kind(record.get("kind"))
        if kind and kind not in Initiative.Kind.values:
            allowed = ", ".join(value.replace("_", " ") for value in Initiative.Kind.values)
            check.fail("kind", f"unknown value {record['kind']!r} (expected one of: {allowed})")
        check.date(record, "founded_on", earliest=EARLIEST_LAUNCH_DATE)
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
            _Checker(label("commitments", n, record), problems),
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
        status = follow_up.get("status_after") or ""
        if status in ["", *Status.values]:
            sources = follow_up.get("sources")
            for name, reason in rating_problems(
                status=status,
                kind=follow_up.get("kind"),
                has_sources=isinstance(sources, list) and bool(sources),
            ).items():
                check.fail(prefix + name, reason)


def problems_of(where: str, error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return [f"{where}: {message}" for message in error.messages]
    return [
        f"{where}: {message}" if name == NON_FIELD_ERRORS else f"{where}, field '{name}': {message}"
        for name, messages in error.message_dict.items()
        for message in messages
    ]
