"""The exchange format's schema (commitments/exchange/schema.py), as the importer holds it
(issue 11): every bad file is a CommandError naming the record, the field and the reason
in a message of bounded length, and writes nothing; never a traceback."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commitments.exchange.schema import MAX_FILE_BYTES, MAX_PROBLEMS
from tests.test_importer import RECORDS, counts, history_counts, run_import, small_dataset, write

# The most a line of the command's message may take: a label (kind, position and the
# first 80 characters of the record's title), a field path and a reason.
LONGEST_LINE = 500
PLEDGE = "commitments[1] “TikTok limits direct messages"


def everything() -> dict:
    return {"rows": counts(), "history": history_counts()}


def setter(*path_and_value):
    """A change to the small dataset: the value at `path` set (KeyError: taken out)."""
    *path, key, value = path_and_value

    def apply(data):
        target = data
        for step in path:
            target = target[step]
        if value is KeyError:
            del target[key]
        else:
            target[key] = value
        return data

    return apply


def replaced(value):
    return lambda data: value


def raw(text: str):
    """A file that is not json.dumps of anything: written as it stands."""
    return lambda data: raw_text(text)


class raw_text(str):
    pass


DEEP = 100_000
TEN_MB = "x" * 10_000_000

BAD_FILES = [
    # Numbers, lists and objects where text belongs: refused, never str() of them.
    (
        "a number as a title",
        setter("commitments", 1, "title", 42),
        ["commitments[1], field 'title': must be text", "a number"],
    ),
    (
        "a number as a source's url",
        setter("commitments", 1, "sources", 0, "url", 5),
        [PLEDGE, "field 'sources[0].url': must be text", "a number"],
    ),
    (
        "a number as an initiative's url",
        setter("initiatives", 0, "url", 5),
        ["initiatives[0] “WeProtect Global Alliance”, field 'url': must be text"],
    ),
    (
        "a list as a platform's name",
        setter("platforms", 0, "name", ["TikTok"]),
        ["platforms[0], field 'name': must be text", "a list"],
    ),
    (
        "a list as a pledge's platform",
        setter("commitments", 1, "platform", ["TikTok"]),
        [PLEDGE, "field 'platform': must be text", "a list"],
    ),
    (
        "an object as a title",
        setter("commitments", 1, "title", {"en": "TikTok limits direct messages"}),
        ["commitments[1], field 'title': must be text", "an object"],
    ),
    (
        "a number as a person's name",
        setter("commitments", 0, "people", 0, "name", 7),
        ["commitments[0] “TikTok joins", "field 'people[0].name': must be text"],
    ),
    (
        "an object as a description",
        setter("initiatives", 0, "description", {"en": "An alliance."}),
        ["initiatives[0] “WeProtect Global Alliance”, field 'description': must be text"],
    ),
    (
        "true as an operator",
        setter("platforms", 0, "operator", True),
        ["platforms[0] “TikTok”, field 'operator': must be text", "true or false"],
    ),
    # Text no database keeps as it was given.
    (
        "a NUL character in a title",
        setter("commitments", 1, "title", "TikTok limits\x00 direct messages"),
        ["commitments[1] “TikTok limits\\x00 direct", "field 'title'", "NUL character"],
    ),
    (
        "a NUL character in a source's publisher",
        setter("commitments", 1, "sources", 0, "publisher", "TikTok\x00"),
        [PLEDGE, "field 'sources[0].publisher'", "NUL character"],
    ),
    (
        "a lone surrogate in a title",
        setter("commitments", 1, "title", "TikTok limits direct messages \ud800"),
        [PLEDGE, "\\ud800", "field 'title'", "lone surrogate"],
    ),
    (
        "a lone surrogate in a person's name",
        setter("commitments", 0, "people", 0, "name", "Jeff \udfff Collins"),
        ["field 'people[0].name'", "lone surrogate"],
    ),
    # Nesting: the format nests seven levels; a file nested far deeper is refused whole.
    (
        "nesting 100,000 levels deep",
        raw('{"commitments": [{"title": ' + "[" * DEEP + "]" * DEEP + "}]}"),
        ["nested deeper than"],
    ),
    (
        "a list of lists as a summary",
        setter("commitments", 1, "summary", json.loads("[" * 500 + "]" * 500)),
        [PLEDGE, "field 'summary': must be text", "a list"],
    ),
    (
        "a platform's name of spaces",
        setter("platforms", 0, "name", "   "),
        ["platforms[0] “   ”, field 'name': is missing"],
    ),
    (
        "a date of spaces",
        setter("commitments", 1, "effective_on", "  "),
        [PLEDGE, "field 'effective_on': '  ' is not a date"],
    ),
    (
        "a web address of spaces",
        setter("initiatives", 0, "url", " "),
        ["initiatives[0] “WeProtect Global Alliance”, field 'url'", "http"],
    ),
    # Keys the format does not have.
    (
        "a file whose only key is a typo",
        replaced({"commitment": small_dataset()["commitments"]}),
        ["unknown key 'commitment'", "did you mean 'commitments'", "holds no initiatives"],
    ),
    ("an empty object", replaced({}), ["holds no initiatives, platforms or commitments"]),
    (
        "an unknown key in a pledge",
        setter("commitments", 1, "titel", "TikTok limits direct messages"),
        [PLEDGE, "unknown key 'titel'", "did you mean 'title'"],
    ),
    (
        "an unknown key in a source",
        setter("commitments", 1, "sources", 0, "uri", "https://example.org/"),
        [PLEDGE, "field 'sources[0]': unknown key 'uri'"],
    ),
    (
        "an unknown key in a follow-up",
        setter("commitments", 0, "follow_ups", 0, "status", "delivered"),
        ["commitments[0] “TikTok joins", "field 'follow_ups[0]': unknown key 'status'"],
    ),
    # Lengths: the models' own.
    (
        "a title one character too long",
        setter("commitments", 1, "title", "t" * 251),
        ["commitments[1] “ttttt", "field 'title': is too long", "251 characters", "at most 250"],
    ),
    (
        "a 10 MB title",
        setter("commitments", 1, "title", TEN_MB),
        ["commitments[1] “xxxxx", "field 'title': is too long", "at most 250"],
    ),
    (
        "a 10 MB platform name",
        setter("commitments", 1, "platform", TEN_MB),
        [PLEDGE, "field 'platform': is too long", "at most 120"],
    ),
    (
        "a 10 MB unknown key",
        setter("commitments", 1, TEN_MB, "x"),
        [PLEDGE, "unknown key 'xxxxxxxx"],
    ),
    (
        "a 10 MB date",
        setter("commitments", 1, "announced_on", TEN_MB),
        [PLEDGE, "field 'announced_on'", "is not a date"],
    ),
    (
        "a 10 MB web address",
        setter("commitments", 1, "sources", 0, "url", "https://example.org/" + TEN_MB),
        [PLEDGE, "field 'sources[0].url': is too long", "at most 500"],
    ),
    (
        "a number of 5,000 digits",
        raw('{"commitments": [{"title": ' + "9" * 5000 + "}]}"),
        ["cannot be read as JSON"],
    ),
    # Lists that are not lists, and records that are not objects.
    (
        "text as the sources",
        setter("commitments", 1, "sources", "https://example.org/"),
        [PLEDGE, "field 'sources': must be a list", "text"],
    ),
    (
        "an object as the people",
        setter("commitments", 1, "people", {"name": "Jeff Collins"}),
        [PLEDGE, "field 'people': must be a list", "an object"],
    ),
    (
        "text as the follow-ups",
        setter("commitments", 1, "follow_ups", "soon"),
        [PLEDGE, "field 'follow_ups': must be a list"],
    ),
    (
        "an object as the commitments",
        setter("commitments", {"0": small_dataset()["commitments"][0]}),
        ["'commitments': must be a list", "an object"],
    ),
    (
        "text as a source",
        setter("commitments", 1, "sources", ["https://example.org/"]),
        [PLEDGE, "field 'sources[0]': must be an object", "text"],
    ),
    (
        "null as a pledge",
        setter("commitments", 1, None),
        ["commitments[1]: must be an object", "null"],
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("problem, breaks, words", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_is_refused_with_record_field_and_reason_and_writes_nothing(
    tmp_path, problem, breaks, words
):
    data = breaks(small_dataset())
    path = tmp_path / "bad.json"
    if isinstance(data, raw_text):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(json.dumps(data), encoding="utf-8")
    before = everything()

    with pytest.raises(CommandError) as error:
        run_import(str(path))

    message = str(error.value)
    assert message.startswith(f"Nothing was imported from {path}:")
    for word in words:
        assert word in message, message[:2000]
    assert len(message) < 2000, message[:2000]
    message.encode("utf-8")  # printable: no lone surrogate reaches the terminal
    assert everything() == before


@pytest.mark.django_db
def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no time spent writing it

    with pytest.raises(CommandError) as error:
        run_import(str(path))

    assert f"{MAX_FILE_BYTES + 1:,} bytes" in str(error.value)
    assert "larger than the limit" in str(error.value)
    assert all(n == 0 for n in counts().values())


@pytest.mark.django_db
def test_a_file_with_many_problems_lists_the_first_ones_and_counts_the_rest(tmp_path):
    data = small_dataset()
    pledge = data["commitments"][1]
    data["commitments"] = [dict(pledge, title=f"Pledge {n}", kind="wish") for n in range(120)]

    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, data))

    lines = str(error.value).splitlines()
    assert len(lines) == 1 + MAX_PROBLEMS + 1
    assert "commitments[0] “Pledge 0”, field 'kind': unknown value 'wish'" in lines[1]
    assert lines[-1] == f"  … and {120 - MAX_PROBLEMS} more problems"
    assert all(len(line) <= LONGEST_LINE for line in lines)
    assert all(n == 0 for n in counts().values())


@pytest.mark.django_db
def test_an_export_passes_the_schema(tmp_path):
    """What the exporter writes, `license` included, is what the schema takes."""
    run_import(write(tmp_path, small_dataset()))
    exported = tmp_path / "export.json"
    call_command("export_commitments", str(exported), stdout=io.StringIO())
    assert "license" in json.loads(exported.read_text(encoding="utf-8"))
    before = everything()

    out, _ = run_import(str(exported))

    assert "Nothing to change" in out
    assert everything() == before


# Fuzzing: the small dataset with some of its values replaced by any JSON value, keys
# taken out or added. Whatever the file, the import succeeds or is a CommandError, and a
# refused import writes nothing.

ODD_TEXT = st.sampled_from(
    ["", " ", "\x00", "a\x00b", "\ud800", "x\udfff", "２０２０", "2020-02-30", "ftp://x", "t" * 251]
)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.text(st.sampled_from("a\x00\ud83d é-0:/"), max_size=12)
    | ODD_TEXT
)
# Mostly single values, which reach the checks of one field; sometimes lists and objects.
JSON_VALUES = LEAVES | st.recursive(
    LEAVES,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def places(value, path=()) -> list[tuple]:
    """Every path into `value`: keys of objects, positions in lists."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += places(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found += places(item, (*path, n))
    return found


PLACES = places(small_dataset())
EXTRA = "extra "  # how an added key starts: the format has none such
MUTATIONS = st.lists(
    st.tuples(st.sampled_from(["replace", "remove", "add"]), st.sampled_from(PLACES), JSON_VALUES),
    min_size=1,
    max_size=3,
)


def well_formed(value) -> bool:
    """What any file the import takes must be: objects, lists, null and text (the format
    has no numbers), no NUL or lone surrogate in the text and no key the format lacks."""
    if isinstance(value, dict):
        return all(not key.startswith(EXTRA) and well_formed(v) for key, v in value.items())
    if isinstance(value, list):
        return all(well_formed(item) for item in value)
    if isinstance(value, str):
        return "\x00" not in value and not any("\ud800" <= c <= "\udfff" for c in value)
    return value is None


def mutated(mutations) -> object:
    data = small_dataset()
    for action, path, value in mutations:
        if not path:
            data = value if action == "replace" else data
            continue
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            if action == "replace":
                parent[path[-1]] = value
            elif action == "remove":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[f"{EXTRA}{path[-1]}"] = value
            else:
                parent.append(value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change took this place away
    return data


@pytest.mark.django_db
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutations=MUTATIONS)
def test_any_mutation_of_a_valid_file_imports_or_is_refused_cleanly(tmp_path, mutations):
    data = mutated(mutations)
    path = write(tmp_path, data, "fuzzed.json")
    # Each example in a savepoint of its own, rolled back: examples share the test's
    # transaction, so one that imports must not change what the next one starts from.
    with transaction.atomic():
        before = everything()
        try:
            run_import(path)
            assert well_formed(data), "imported a file the format refuses"
        except CommandError as error:
            message = str(error)
            message.encode("utf-8")
            assert all(len(line) <= LONGEST_LINE for line in message.splitlines()), message
            assert everything() == before
        transaction.set_rollback(True)
    assert all(model.objects.count() == 0 for model in RECORDS)
