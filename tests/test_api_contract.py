"""The API keeps its own contract: what /api/schema/ says is what the API answers.

Schemathesis reads the schema from the app itself (in-process, through WSGI) and, for
each operation, sends requests the schema allows and requests it forbids, checking every
answer with all its checks: no 500, every status code and header documented, every body
as its schema says (nulls, URIs, error bodies), the documented content type, forbidden
values refused with a 4xx and allowed ones accepted. The budget of examples is fixed and
the generation deterministic, so a run is the same every time and takes seconds.

The database holds a small cast that differs in every way the schema could get wrong:
platforms with and without a parent or a website, initiatives with and without one,
pledges with and without an initiative, with and without follow-ups, a draft. The
throttle is raised for the run (its 429 is checked on its own, below).
"""

import datetime
import zlib

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.utils.timezone import localdate
from hypothesis import HealthCheck, settings
from rest_framework.throttling import AnonRateThrottle

from commitments.api.examples import EXAMPLES
from commitments.dates import EARLIEST_DATE
from commitments.models import Initiative, Platform
from tests.factories import add_follow_up, make_listing_mix

# Random cases per operation, after Schemathesis's examples and its coverage of each
# parameter's edges; every phase is deterministic.
MAX_EXAMPLES = 30

# Loaded at import, from the app itself: the schema view needs no database.
# (schemathesis.pytest.from_fixture, which would load it in a fixture, fails under
# pytest 9.2: it sets the test item's _nodeid, which pytest no longer has.)
SCHEMA = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json",
    WSGIHandler(),
    config=schemathesis.Config.from_dict(
        {
            "seed": 11,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                # No example database written into the work tree: every run is the same.
                "database": "none",
            },
        }
    ),
)


@pytest.fixture
def in_process_app():
    """Requests through WSGIHandler in the test's transaction: Django would close the
    connection at the end of each request (the test client does the same as this)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def cast(in_process_app, commitment, initiative):
    """TikTok's pledge to WeProtect (no website); Meta, its child Instagram and Roblox with
    pledges of every kind (make_listing_mix); an initiative and a platform with websites."""
    make_listing_mix(initiative)
    add_follow_up(commitment, status_after="in_progress")
    Initiative.objects.create(
        name="Tech Coalition",
        kind=Initiative.Kind.INDUSTRY_COALITION,
        url="https://www.technologycoalition.org/",
    )
    Platform.objects.filter(slug="roblox").update(website="https://www.roblox.com/")
    assert Platform.objects.filter(slug__in=DOCUMENTED).exists()


@pytest.fixture
def unthrottled(monkeypatch):
    # DRF's throttle classes read their rates once, at import: raised here for the test.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1000000/minute"})


# The schema's example requests (commitments/api/examples.py) name slugs the cast holds
# (tiktok); Schemathesis makes cases of them while collecting, before any database is
# open, so they go as written.
DOCUMENTED = {value for example in EXAMPLES.values() for value in example.query.values()}


@SCHEMA.hook
def map_case(context, case):
    """Which platforms and initiatives exist is data, which no schema can say: an unknown
    slug is a 400 ('Select a valid choice'). A request the schema allows names an
    existing one, drawn from the generated text (the same every run)."""
    if case.meta is None or not case.meta.generation.mode.is_positive or not case.query:
        return case
    for name, model in [("platform", Platform), ("initiative", Initiative)]:
        value = case.query.get(name)
        if isinstance(value, str) and value and value not in DOCUMENTED:
            slugs = sorted(model.objects.values_list("slug", flat=True))
            if value not in slugs:
                checksum = zlib.crc32(value.encode("utf-8", "surrogatepass"))
                case.query[name] = slugs[checksum % len(slugs)]
    # Which day is today is data too: a day after it is a 400, so an allowed request
    # asks for one up to today; and "overdue" has no past (as_of.py refuses it).
    value = case.query.get("as_of")
    if isinstance(value, str) and value:
        if datetime.date.fromisoformat(value) > localdate():
            days = (localdate() - EARLIEST_DATE).days
            case.query["as_of"] = (
                EARLIEST_DATE + datetime.timedelta(days=zlib.crc32(value.encode()) % days)
            ).isoformat()
        if case.query.get("follow_up") == "overdue":
            case.query["follow_up"] = ""
    return case


@SCHEMA.parametrize()
@settings(
    database=None,
    # The cast is only read; Schemathesis's examples may take a while on a busy machine.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_contract(case, cast, unthrottled):
    # All of Schemathesis's checks: none is left out.
    case.call_and_validate()


def answer(path: str, *, slug: str | None = None, **query):
    """One request to an operation of the schema, its answer checked by every check that
    applies to a request made by hand (status code, headers, content type, body)."""
    case = SCHEMA[path]["GET"].Case(
        path_parameters={"slug": slug} if slug is not None else None, query=query
    )
    response = case.call()
    case.validate_response(response)
    return response


def test_a_platform_without_a_parent_is_answered_as_documented(cast):
    (tiktok,) = [
        row for row in answer("/api/platforms/").json()["results"] if row["slug"] == "tiktok"
    ]
    assert tiktok["parent"] is None
    assert answer("/api/platforms/{slug}/", slug="instagram").json()["parent"] == "meta"
    assert answer("/api/platforms/{slug}/", slug="tiktok").json()["parent"] is None


def test_a_missing_website_is_null_as_documented(cast):
    """An empty website is no URI: null, as a source's missing archived_url is."""
    weprotect = answer("/api/initiatives/{slug}/", slug="weprotect-global-alliance").json()
    assert weprotect["website"] is None
    coalition = answer("/api/initiatives/{slug}/", slug="tech-coalition").json()
    assert coalition["website"] == "https://www.technologycoalition.org/"
    rows = {row["slug"]: row["website"] for row in answer("/api/platforms/").json()["results"]}
    assert rows["tiktok"] is None and rows["roblox"] == "https://www.roblox.com/"


@pytest.mark.parametrize(
    "path, slug, query, status, body",
    [
        ("/api/commitments/", None, {"kind": "spaceship"}, 400, "kind"),
        ("/api/commitments/", None, {"page_size": "1.5"}, 400, "page_size"),
        ("/api/platforms/", None, {"page": "0"}, 400, "page"),
        ("/api/initiatives/", None, {"q": "a\x00b"}, 400, "detail"),
        ("/api/commitments/{slug}/", "tiktok\x00", {}, 400, "detail"),
        ("/api/platforms/", None, {"page": "99"}, 404, "detail"),
        ("/api/commitments/{slug}/", "nothing-here", {}, 404, "detail"),
        # No slug can hold this: no route matches, and the 404 is the API's JSON all the same.
        ("/api/initiatives/{slug}/", "\x84", {}, 404, "detail"),
    ],
)
def test_each_error_is_answered_as_documented(cast, path, slug, query, status, body):
    response = answer(path, slug=slug, **query)
    assert response.status_code == status
    assert body in response.json()


def test_a_throttled_client_is_answered_as_documented(cast):
    limit = int(AnonRateThrottle.THROTTLE_RATES["anon"].split("/")[0])
    for _ in range(limit):
        answer("/api/platforms/")
    response = answer("/api/platforms/")
    assert response.status_code == 429
    (retry_after,) = response.headers["retry-after"]  # Schemathesis: lower case, a list
    assert int(retry_after) > 0
