"""The API docs (/api/docs/) tell the truth: each operation's example request, asked of a
database holding the examples' records (commitments/api/examples.py), gets the example's
answer, and every example keeps to the schema. The enums are named for what they are,
with no BlankEnum or NullEnum, and the docs page links back to the site."""

import datetime
import re
from urllib.parse import parse_qsl, urlsplit

import jsonschema
import pytest
import time_machine
from django.urls import reverse

from commitments.api.examples import EXAMPLES, INITIATIVE, PLATFORM, PLEDGE
from commitments.curation.evidence import follow_up_record
from commitments.dates import DatePrecision, parse_partial_date
from commitments.models import Citation, Commitment, FollowUp, Initiative, Platform, Source
from commitments.refresh import commitments_refresh
from tests.clock import NOW

HOST = "127.0.0.1:8000"  # the examples' site, as `make run` serves it


def cited(record_field: str, record, example: dict) -> None:
    """A citation of the source an example's answer shows."""
    published = example["published_on"]
    on, precision = parse_partial_date(published) if published else (None, DatePrecision.DAY)
    source, _ = Source.objects.get_or_create(
        url=example["url"],
        defaults={
            "title": example["title"],
            "publisher": example["publisher"],
            "published_on": on,
            "published_precision": precision,
        },
    )
    Citation.objects.create(**{record_field: record}, source=source)


@pytest.fixture
def examples_world(db):
    """TikTok, its two pledges (one followed up) and the WeProtect Global Alliance, all
    made at the tests' NOW, which is also when they are asked for."""
    with time_machine.travel(NOW, tick=False):
        tiktok = Platform.objects.create(
            name="TikTok",
            kind=Platform.Kind.VIDEO,
            operator=PLATFORM["operator"],
            category=PLATFORM["category"],
            website=PLATFORM["website"],
        )
        weprotect = Initiative.objects.create(
            name="WeProtect Global Alliance",
            kind=Initiative.Kind.ALLIANCE,
            url=INITIATIVE["website"],
            founded_on=datetime.date(2014, 12, 1),
            founded_precision=DatePrecision.MONTH,
            description=INITIATIVE["description"],
        )
        cited("initiative", weprotect, INITIATIVE["sources"][0])
        pledge = Commitment.objects.create(
            platform=tiktok,
            kind=Commitment.Kind.AGE_RESTRICTION,
            title=PLEDGE["title"],
            summary=PLEDGE["summary"],
            announced_on=datetime.date(2020, 4, 1),
            announced_precision=DatePrecision.MONTH,
            effective_on=datetime.date(2020, 4, 30),
            products=PLEDGE["products"],
            worldwide=True,
            age_max=15,
            default_setting=Commitment.Default.ON_BY_DEFAULT,
            published=True,
        )
        cited("commitment", pledge, PLEDGE["sources"][0])
        (evidence,) = PLEDGE["follow_ups"]
        follow_up = follow_up_record(
            approve=True,
            follow_up=FollowUp(
                commitment=pledge,
                happened_on=datetime.date(2021, 8, 1),
                happened_precision=DatePrecision.MONTH,
                kind=FollowUp.Kind.STATEMENT,
                summary=evidence["summary"],
                status_after="delivered",
            ),
        )
        cited("follow_up", follow_up, evidence["sources"][0])
        membership = Commitment.objects.create(
            platform=tiktok,
            initiative=weprotect,
            kind=Commitment.Kind.MEMBERSHIP,
            title="TikTok joins the WeProtect Global Alliance",
            announced_on=datetime.date(2020, 6, 22),
            published=True,
        )
        cited("commitment", membership, INITIATIVE["sources"][0])
        commitments_refresh(commitments=[pledge.pk, membership.pk])
        yield


def without_ids(value):
    """The answer with each follow-up's id (a database sequence's) left out."""
    if isinstance(value, list):
        return [without_ids(item) for item in value]
    if isinstance(value, dict):
        return {key: without_ids(item) for key, item in value.items() if key != "id"}
    return value


def shape(value):
    """Keys and types, all the way down."""
    if isinstance(value, list):
        return [shape(item) for item in value]
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    return type(value).__name__


def answer_content(schema: dict, path: str) -> dict:
    """What the schema says of the JSON answer to `path`'s GET."""
    return schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]


def documented_example(schema: dict, path: str) -> dict:
    """The example answer the schema shows for `path`'s GET (there is one)."""
    (example,) = answer_content(schema, path)["examples"].values()
    return example["value"]


def documented_request(schema: dict, path: str) -> dict:
    """Each parameter's example value, by where it goes."""
    request = {"path": {}, "query": {}}
    for parameter in schema["paths"][path]["get"]["parameters"]:
        for example in parameter.get("examples", {}).values():
            request[parameter["in"]][parameter["name"]] = example["value"]
    return request


@pytest.fixture
def schema(client, db):
    return client.get("/api/schema/", {"format": "json"}).json()


OPERATIONS = [
    pytest.param(listing, action, id=f"{listing}:{action}") for listing, action in EXAMPLES
]


def schema_path(listing: str, action: str) -> str:
    return listing + ("{slug}/" if action == "retrieve" else "")


@pytest.mark.parametrize(("listing", "action"), OPERATIONS)
def test_each_example_request_gets_its_example_answer(
    client, schema, examples_world, listing, action
):
    example = EXAMPLES[listing, action]
    path = schema_path(listing, action)
    # The request as the description writes it out, and as the parameters' examples
    # (what Swagger UI's "Try it out" fills in) make it: one and the same.
    (address,) = re.findall(r"`GET ([^`]+)`", schema["paths"][path]["get"]["description"])
    request = documented_request(schema, path)
    parts = urlsplit(address)
    assert parts.path == path.format(**request["path"])
    assert dict(parse_qsl(parts.query)) == request["query"] == example.query
    documented = documented_example(schema, path)

    with time_machine.travel(NOW, tick=False):
        response = client.get(address, HTTP_HOST=HOST)

    assert response.status_code == 200, response.content
    answer = response.json()
    assert shape(answer) == shape(documented)
    assert without_ids(answer) == without_ids(documented)
    if action == "list":
        assert documented["results"] == [example.answer]


def json_schema(node):
    """OpenAPI 3.0's schema objects as JSON Schema: `nullable` becomes a null alternative."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: json_schema(item) for key, item in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@pytest.mark.parametrize(("listing", "action"), OPERATIONS)
def test_each_example_keeps_to_the_schema(schema, listing, action):
    path = schema_path(listing, action)
    validator = jsonschema.Draft202012Validator(
        {**answer_content(schema, path)["schema"], "components": json_schema(schema["components"])},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    validator.validate(documented_example(schema, path))
    # and a broken example would not pass
    broken = {**documented_example(schema, path)}
    broken.pop(next(iter(broken)))
    assert not validator.is_valid(broken)


def test_a_missing_choice_is_null_as_documented(client, schema, examples_world):
    """A pledge with no cadence answers null, and the schema says it may."""
    cadence = schema["components"]["schemas"]["Commitment"]["properties"]["cadence"]
    assert cadence["nullable"] is True
    assert cadence["allOf"] == [{"$ref": "#/components/schemas/Cadence"}]
    answer = client.get(f"/api/commitments/{PLEDGE['slug']}/").json()
    assert answer["cadence"] is None
    tiktok = Platform.objects.get(slug="tiktok")
    tiktok.kind = ""
    tiktok.save()
    assert client.get("/api/platforms/tiktok/").json()["kind"] is None


def test_the_enums_are_named_for_what_they_are(schema):
    components = schema["components"]["schemas"]
    enums = {name for name, component in components.items() if "enum" in component}
    assert enums == {
        "Status",
        "CommitmentKind",
        "DefaultSetting",
        "Cadence",
        "FollowUpKind",
        "PlatformKind",
        "InitiativeKind",
    }
    assert components["Status"]["enum"] == [
        "announced",
        "in_progress",
        "delivered",
        "verified",
        "falls_short",
        "stalled",
        "lapsed",
        "withdrawn",
    ]
    # No choice set holds an empty string or null: a missing one is the field's null.
    for name in enums:
        assert "" not in components[name]["enum"] and None not in components[name]["enum"]
    text = str(schema)
    assert "BlankEnum" not in text and "NullEnum" not in text
    assert not re.search(r"\w+Enum\b", text)


def test_the_docs_link_back_to_the_site_and_the_methodology(client, db):
    html = client.get("/api/docs/").content.decode()
    assert f'href="{reverse("commitments:overview")}"' in html
    assert f'href="{reverse("commitments:methodology")}"' in html
    assert "BlankEnum" not in html and "NullEnum" not in html
