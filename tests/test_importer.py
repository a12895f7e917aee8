import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
from tests.factories import SHIPPED

RECORDS = [Platform, Initiative, Source, Person, Commitment, FollowUp, Citation]


def small_dataset() -> dict:
    """Two pledges by one platform, one of them followed up, in the exchange format."""
    source = {
        "url": "https://newsroom.tiktok.com/en-gb/tiktok-joins-weprotect",
        "publisher": "TikTok Newsroom (UK)",
        "published_on": "2020-06-22",
        "title": "TikTok joins WeProtect Global Alliance",
    }
    return {
        "initiatives": [
            {
                "name": "WeProtect Global Alliance",
                "kind": "alliance",
                "founded_on": "2014-12",
                "url": "https://www.weprotect.org/",
                "description": "An alliance.",
                "sources": [],
            }
        ],
        "platforms": [{"name": "TikTok", "operator": "ByteDance", "category": "video"}],
        "commitments": [
            {
                "platform": "TikTok",
                "initiative": "WeProtect Global Alliance",
                "kind": "membership",
                "title": "TikTok joins the WeProtect Global Alliance",
                "summary": "TikTok became a member.",
                "announced_on": "2020-06-22",
                "effective_on": None,
                "sources": [source],
                "people": [{"name": "Jeff Collins", "role": "Director", "organisation": "TikTok"}],
                "confidence": "verified",
                "follow_ups": [
                    {
                        "happened_on": "2021-07",
                        "kind": "progress_report",
                        "summary": "Reported progress.",
                        "status_after": "in_progress",
                        "sources": [source],
                    }
                ],
            },
            {
                "platform": "TikTok",
                "initiative": None,
                "kind": "age_restriction",
                "title": "TikTok limits direct messages to users aged 16 and over",
                "summary": "",
                "announced_on": "2020-04",
                "effective_on": "2020-04-30",
                "sources": [source],
                "people": [],
                "confidence": "verified",
            },
        ],
    }


def write(tmp_path, data, name="data.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def run_import(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_commitments", path, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in RECORDS}


def history_counts() -> dict:
    return {model.__name__: model.history.count() for model in RECORDS}


@pytest.mark.django_db
def test_it_imports_the_shipped_dataset_with_sources_people_and_follow_ups():
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))

    run_import(str(SHIPPED))

    assert Commitment.objects.count() == len(shipped["commitments"])
    assert Platform.objects.count() == len(shipped["platforms"])
    assert Initiative.objects.count() == len(shipped["initiatives"])
    assert FollowUp.objects.count() == sum(
        len(c.get("follow_ups", [])) for c in shipped["commitments"]
    )
    pledge = Commitment.objects.get(
        platform__name="TikTok", initiative__name="WeProtect Global Alliance"
    )
    assert pledge.announced_display == "22 June 2020"
    assert pledge.published
    assert pledge.citations.count() == len(
        next(c for c in shipped["commitments"] if c["title"] == pledge.title)["sources"]
    )
    assert pledge.people.filter(name="Arjun Narayan Bettadapur").exists()
    assert Commitment.objects.get(title__contains="Five Country").announced_display == "March 2020"


@pytest.mark.django_db
def test_a_second_import_changes_nothing_and_says_so(tmp_path):
    path = write(tmp_path, small_dataset())
    run_import(path)
    before, history_before = counts(), history_counts()

    out, _ = run_import(path)

    assert "Nothing to change" in out
    assert counts() == before
    assert history_counts() == history_before


@pytest.mark.django_db
def test_it_sets_dates_status_people_and_publishes_verified_pledges(tmp_path):
    run_import(write(tmp_path, small_dataset()))

    membership = Commitment.objects.get(kind="membership")
    assert membership.status == Status.IN_PROGRESS
    assert membership.published
    assert [p.name for p in membership.people.all()] == ["Jeff Collins"]
    restriction = Commitment.objects.get(kind="age_restriction")
    assert restriction.initiative is None
    assert restriction.announced_display == "April 2020"
    assert restriction.effective_display == "30 April 2020"
    # One source cited by a pledge, a follow-up and another pledge is one row.
    assert Source.objects.count() == 1
    assert Citation.objects.count() == 3


@pytest.mark.django_db
def test_a_changed_record_is_updated_not_duplicated(tmp_path):
    data = small_dataset()
    run_import(write(tmp_path, data))
    before = counts()

    data["commitments"][0]["summary"] = "TikTok became a member in June 2020."
    data["commitments"][0]["follow_ups"][0]["status_after"] = "delivered"
    out, _ = run_import(write(tmp_path, data))

    assert counts() == before
    assert "commitments: 0 created, 1 updated" in out
    assert "follow-ups: 0 created, 1 updated" in out
    membership = Commitment.objects.get(kind="membership")
    assert membership.summary == "TikTok became a member in June 2020."
    assert membership.status == Status.DELIVERED


@pytest.mark.django_db
def test_it_reuses_records_that_exist_by_name_and_normalised_url(tmp_path, platform, source):
    data = small_dataset()
    # The same address as the existing source, spelled with a capitalised host and a fragment.
    data["commitments"][1]["sources"] = [
        {"url": "https://NEWSROOM.tiktok.com/en-gb/tiktok-joins-weprotect#top", "title": "x"}
    ]
    data["platforms"] = []  # TikTok exists already

    run_import(write(tmp_path, data))

    assert Platform.objects.count() == 1
    assert Source.objects.count() == 1
    assert Commitment.objects.filter(platform=platform).count() == 2


@pytest.mark.django_db
def test_added_follow_ups_and_sources_are_added_and_nothing_is_removed(tmp_path):
    data = small_dataset()
    run_import(write(tmp_path, data))
    data["commitments"][1]["follow_ups"] = [
        {
            "happened_on": "2021",
            "kind": "independent_test",
            "summary": "A test account aged 13 could not receive messages.",
            "status_after": "verified",
            "sources": [{"url": "https://example.org/test", "title": "Test"}],
        }
    ]
    data["commitments"][0]["sources"] = []

    run_import(write(tmp_path, data))

    restriction = Commitment.objects.get(kind="age_restriction")
    assert restriction.status == Status.VERIFIED
    assert Source.objects.filter(url="https://example.org/test").exists()
    assert Commitment.objects.get(kind="membership").citations.count() == 1


def bad_inputs():
    """(what is wrong, how to break the second pledge, words the message must hold)."""

    def setter(key, value, follow_up=False):
        def apply(record):
            target = record.setdefault("follow_ups", [{}])[0] if follow_up else record
            if value is KeyError:
                target.pop(key, None)
            else:
                target[key] = value

        return apply

    return [
        ("missing title", setter("title", KeyError), ["'title'", "is missing"]),
        ("unknown kind", setter("kind", "pinky_promise"), ["'kind'", "'pinky_promise'"]),
        ("bad date", setter("announced_on", "2020-13"), ["'announced_on'", "not a real date"]),
        (
            "impossible date",
            setter("announced_on", "2021-02-29"),
            ["'announced_on'", "not a real date"],
        ),
        ("not a date", setter("announced_on", "spring 2020"), ["'announced_on'", "not a date"]),
        (
            "unknown platform",
            setter("platform", "MySpace"),
            ["'platform'", "unknown platform 'MySpace'"],
        ),
        (
            "non-http URL",
            setter("sources", [{"url": "ftp://example.org/x", "title": "x"}]),
            ["'sources[0].url'", "http"],
        ),
        (
            "URL with a password",
            setter("sources", [{"url": "https://editor:secret@example.org/x", "title": "x"}]),
            ["'sources[0].url'", "Remove the user name and password from the address"],
        ),
        (
            "unknown status",
            lambda record: record.update(
                follow_ups=[
                    {
                        "happened_on": "2021",
                        "kind": "statement",
                        "summary": "s",
                        "status_after": "done",
                    }
                ]
            ),
            ["'follow_ups[0].status_after'", "'done'"],
        ),
        (
            "effective before announced",
            setter("effective_on", "2019-01-01"),
            ["effective date cannot be before"],
        ),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("problem, breaks, words", bad_inputs(), ids=[b[0] for b in bad_inputs()])
def test_a_bad_record_writes_nothing_and_names_position_title_and_field(
    tmp_path, problem, breaks, words
):
    data = small_dataset()
    breaks(data["commitments"][1])

    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, data))

    message = str(error.value)
    assert "Nothing was imported" in message
    assert "commitments[1]" in message
    if problem != "missing title":
        assert "TikTok limits direct messages" in message
    for word in words:
        assert word in message
    assert all(n == 0 for n in counts().values()), counts()


@pytest.mark.django_db
def test_malformed_json_writes_nothing_and_says_where(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"platforms": [', encoding="utf-8")

    with pytest.raises(CommandError, match=r"not valid JSON: .* line 1, column 16"):
        run_import(str(path))


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        run_import(str(tmp_path / "nope.json"))


@pytest.mark.django_db
def test_a_dry_run_reports_what_would_change_and_writes_nothing(tmp_path):
    path = write(tmp_path, small_dataset())

    out, _ = run_import(path, "--dry-run")

    assert "Dry run" in out
    assert "commitments: 2 created, 0 updated" in out
    assert all(n == 0 for n in counts().values())


@pytest.mark.django_db
def test_if_empty_leaves_a_database_with_commitments_alone(tmp_path, commitment):
    before = counts()

    out, _ = run_import(write(tmp_path, small_dataset()), "--if-empty")

    assert "already holds commitments" in out
    assert counts() == before


@pytest.mark.django_db
def test_it_shows_progress_on_large_files(tmp_path):
    data = small_dataset()
    template = data["commitments"][1]
    data["commitments"] = []
    for n in range(600):
        record = copy.deepcopy(template)
        record["title"] = f"Pledge number {n}"
        data["commitments"].append(record)

    out, err = run_import(write(tmp_path, data))

    assert "500/600 commitments" in err
    assert "600/600 commitments (100%)" in err
    assert Commitment.objects.count() == 600


@pytest.mark.django_db
def test_it_links_a_platform_to_a_parent_named_later_in_the_file(tmp_path):
    data = small_dataset()
    data["platforms"] = [
        {"name": "Instagram", "operator": "Meta Platforms", "category": "", "parent": "Meta"},
        {"name": "Meta", "operator": "Meta Platforms", "category": ""},
    ] + data["platforms"]

    run_import(write(tmp_path, data))

    assert Platform.objects.get(name="Instagram").parent == Platform.objects.get(name="Meta")


@pytest.mark.django_db
def test_a_file_without_a_parent_leaves_the_one_staff_set(tmp_path):
    meta = Platform.objects.create(name="Meta")
    Platform.objects.create(name="TikTok", parent=meta)

    run_import(write(tmp_path, small_dataset()))

    assert Platform.objects.get(name="TikTok").parent == meta


@pytest.mark.django_db
def test_an_unknown_parent_writes_nothing(tmp_path):
    data = small_dataset()
    data["platforms"][0]["parent"] = "MySpace"

    with pytest.raises(CommandError, match=r"platforms\[0\] “TikTok”, field 'parent': unknown"):
        run_import(write(tmp_path, data))
    assert Platform.objects.count() == 0


@pytest.mark.django_db
def test_platforms_naming_each_other_as_parents_write_nothing(tmp_path):
    data = small_dataset()
    data["platforms"] = [
        {"name": "TikTok", "operator": "", "category": "", "parent": "Douyin"},
        {"name": "Douyin", "operator": "", "category": "", "parent": "TikTok"},
    ]

    with pytest.raises(CommandError, match="cannot be its own parent"):
        run_import(write(tmp_path, data))
    assert Platform.objects.count() == 0


def many_pledges(n: int) -> dict:
    """The small dataset with `n` pledges, each with its own source, person and follow-up."""
    data = small_dataset()
    template = data["commitments"][0]
    data["commitments"] = []
    for i in range(n):
        record = copy.deepcopy(template)
        record["title"] = f"Pledge number {i}"
        record["sources"] = [dict(record["sources"][0], url=f"https://example.org/p/{i}")]
        record["people"] = [{"name": f"Person {i}", "role": "", "organisation": ""}]
        data["commitments"].append(record)
    return data


def import_queries(path) -> int:
    with CaptureQueriesContext(connection) as queries:
        run_import(path)
    return len(queries)


@pytest.mark.django_db
def test_a_second_import_runs_the_same_queries_whatever_the_files_size(tmp_path):
    small, large = write(tmp_path, many_pledges(3), "small.json"), write(tmp_path, many_pledges(40))
    run_import(small)
    run_import(large)

    assert import_queries(small) == import_queries(large)


@pytest.mark.django_db
def test_a_first_import_costs_at_most_ten_queries_a_commitment(tmp_path):
    assert import_queries(write(tmp_path, many_pledges(40))) <= 10 * 40


@pytest.mark.django_db
def test_the_history_of_an_imported_pledge_names_its_people(tmp_path):
    run_import(write(tmp_path, small_dataset()))

    first = Commitment.objects.get(kind="membership").history.earliest()
    assert first.history_type == "+"
    assert [p.person.name for p in first.people.all()] == ["Jeff Collins"]


@pytest.mark.django_db
def test_names_that_make_the_same_slug_get_numbered_slugs_past_those_taken(tmp_path):
    Platform.objects.create(name="Foo 2")  # takes the slug "foo-2"
    data = small_dataset()
    data["platforms"] += [
        {"name": "Foo", "operator": "", "category": ""},
        {"name": "Foo!", "operator": "", "category": ""},
    ]

    run_import(write(tmp_path, data))

    slugs = dict(Platform.objects.values_list("name", "slug"))
    assert (slugs["Foo"], slugs["Foo!"]) == ("foo", "foo-3")


@pytest.mark.django_db
def test_a_changed_record_is_kept_in_its_history(tmp_path):
    data = small_dataset()
    run_import(write(tmp_path, data))
    data["commitments"][0]["summary"] = "TikTok became a member in June 2020."

    run_import(write(tmp_path, data))

    latest = Commitment.objects.get(kind="membership").history.latest()
    assert (latest.history_type, latest.summary) == ("~", "TikTok became a member in June 2020.")


@pytest.mark.django_db
def test_a_persons_note_is_imported_and_a_file_without_one_leaves_the_staffs(tmp_path):
    data = small_dataset()
    (person,) = data["commitments"][0]["people"]
    person["note"] = "Also spelled Geoff Collins."
    run_import(write(tmp_path, data))
    assert Person.objects.get(name="Jeff Collins").note == "Also spelled Geoff Collins."

    Person.objects.filter(name="Jeff Collins").update(note="Staff's own note.")
    del person["note"]
    run_import(write(tmp_path, data, "again.json"))

    assert Person.objects.get(name="Jeff Collins").note == "Staff's own note."


@pytest.mark.django_db
def test_the_shipped_dataset_keeps_curators_notes_out_of_roles():
    run_import(str(SHIPPED))
    arjun = Person.objects.get(name="Arjun Narayan Bettadapur")
    assert arjun.role == "Director, Trust and Safety, Asia-Pacific"
    assert "Arjun Manjunath" in arjun.note
    assert not Person.objects.filter(role__icontains="also reported as").exists()
