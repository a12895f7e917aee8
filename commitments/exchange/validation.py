"""Reading and checking a file in the exchange format of data/README.md.

`read_dataset()` reads a file of at most MAX_FILE_BYTES, checked before reading, and
parses it. `validate_dataset()` holds it to the format's schema
(commitments/exchange/schema.py), one record at a time, touching the database only for
name look-ups, and raises one DatasetError listing the problems, each naming the record
(its position and title), the field and the reason, in a line of bounded length: the
first MAX_PROBLEMS of them, and how many more. Only a file without problems reaches the
importer (commitments/exchange/importer.py).
"""

import json
import os

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from rest_framework.exceptions import ValidationError as SchemaError

from commitments.exchange.schema import (
    DEPTH,
    MAX_FILE_BYTES,
    MAX_PROBLEMS,
    UNKNOWN_KEYS_SHOWN,
    DatasetSchema,
    error_paths,
    kind_of,
    shown,
    unknown_key_problem,
)
from commitments.models import Initiative, Platform


class DatasetError(Exception):
    """The file cannot be imported; `problems` lists the reasons, one line each: the
    first MAX_PROBLEMS, then a line counting the `more` left out."""

    def __init__(self, problems: list[str], more: int = 0):
        self.problems = list(problems)
        if more:
            self.problems.append(f"… and {more:,} more problem{'s' if more > 1 else ''}")
        super().__init__("\n".join(self.problems))


class Problems:
    """Collects problem lines, keeping the first `limit` and counting the rest."""

    def __init__(self, limit: int = MAX_PROBLEMS):
        self.limit = limit
        self.lines: list[str] = []
        self.more = 0

    def add(self, line: str) -> None:
        if len(self.lines) < self.limit:
            self.lines.append(line)
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.lines)

    def error(self) -> DatasetError:
        return DatasetError(self.lines, self.more)


def too_large(path: str, size: int | None) -> DatasetError:
    limit = f"{MAX_FILE_BYTES:,} bytes ({MAX_FILE_BYTES / 2**20:g} MiB)"
    what = f"the file is {size:,} bytes" if size is not None else "the file is"
    return DatasetError(
        [f"{path}: {what}, larger than the limit of {limit} for one import: split it"]
    )


def read_dataset(path: str):
    """The parsed content of the file at `path`: a file larger than MAX_FILE_BYTES is
    refused before it is read, and one that is not UTF-8 JSON, or that is nested so deep
    that it cannot be read, with the reason."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise too_large(path, size)
            # A pipe or a device has no size: read one byte past the limit to tell.
            content = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise DatasetError([f"{path}: cannot read the file: {e.strerror}"]) from e
    if len(content) > MAX_FILE_BYTES:
        raise too_large(path, None)
    try:
        content = content.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DatasetError([f"{path}: not UTF-8 text ({e.reason} at byte {e.start})"]) from e
    try:
        return json.loads(content)
    except json.JSONDecodeError as e:
        raise DatasetError(
            [f"{path}: not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}"]
        ) from e
    except RecursionError:
        # json.loads recurses once per level: hundreds of levels exhaust Python's stack.
        raise DatasetError(
            [f"{path}: nested deeper than any exchange file (the format nests {DEPTH} levels)"]
        ) from None
    except ValueError as e:  # a number of more than 4,300 digits, say
        raise DatasetError([f"{path}: cannot be read as JSON: {shown(str(e), limit=200)}"]) from e


def label(kind: str, n: int, record) -> str:
    """ "commitments[3] “Title”": where a record stands, and its title or name, if it has
    one that is text (at most QUOTE_LENGTH characters of it)."""
    name = (record.get("title") or record.get("name")) if isinstance(record, dict) else None
    return f"{kind}[{n}]" + (f" “{shown(name)}”" if isinstance(name, str) and name else "")


def names(model, records: list, key: str = "name") -> set[str]:
    """The names a file's records may refer to: those in the database, and those of the
    file's own records of that kind whose name is text."""
    known = set(model.objects.values_list("name", flat=True))
    for record in records:
        name = record.get(key) if isinstance(record, dict) else None
        if isinstance(name, str) and name:
            known.add(name)
    return known


def validate_dataset(data) -> None:
    """Raise DatasetError listing the problems in the file, or return None."""
    schema = DatasetSchema()
    problems = Problems()
    if not isinstance(data, dict):
        raise DatasetError(
            [
                "the file must hold a JSON object with initiatives, platforms and "
                f"commitments, not {kind_of(data)}"
            ]
        )
    unknown = [key for key in data if key not in schema.fields]
    for key in unknown[:UNKNOWN_KEYS_SHOWN]:
        problems.add(f"the file: {unknown_key_problem(key, schema.fields, schema.noun)}")
    if len(unknown) > UNKNOWN_KEYS_SHOWN:
        problems.add(f"the file: and {len(unknown) - UNKNOWN_KEYS_SHOWN:,} more unknown keys")
    if not any(key in data for key in DatasetSchema.RECORDS):
        problems.add("the file holds no initiatives, platforms or commitments")
    for key, field in schema.fields.items():
        value = data.get(key)
        if key in DatasetSchema.RECORDS and key in data and not isinstance(value, list):
            problems.add(f"the file, field '{key}': must be a list, not {kind_of(value)}")
        elif key not in DatasetSchema.RECORDS and key in data:
            try:
                field.run_validation(value)
            except SchemaError as e:
                for path, reason in error_paths(e.detail, key):
                    problems.add(f"the file, field '{path}': {reason}")
    if problems:
        raise problems.error()

    schema = DatasetSchema(
        context={
            "platforms": names(Platform, data.get("platforms", [])),
            "initiatives": names(Initiative, data.get("initiatives", [])),
        }
    )
    for kind in ("platforms", "initiatives", "commitments"):
        record_schema = schema.fields[kind].child
        for n, record in enumerate(data.get(kind, [])):
            try:
                record_schema.run_validation(record)
            except SchemaError as e:
                where = label(kind, n, record)
                for path, reason in error_paths(e.detail):
                    field = f", field '{path}'" if path else ""
                    problems.add(f"{where}{field}: {reason}")
    if problems:
        raise problems.error()


def problems_of(where: str, error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return [f"{where}: {message}" for message in error.messages]
    return [
        f"{where}: {message}" if name == NON_FIELD_ERRORS else f"{where}, field '{name}': {message}"
        for name, messages in error.message_dict.items()
        for message in messages
    ]
