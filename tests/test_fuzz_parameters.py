"""Any query string on a public address is answered, never with a 500 (issue 11).

Hypothesis sends every public GET parameter of the pages, downloads, feeds and API
listings, alone, together and repeated, holding random text (any character a URL can
carry, percent-encoded: NUL, '%', other scripts, up to 300 characters), raw bytes that
are not UTF-8, numbers, dates real and not. The answer is a 200, a 400 with the reason
or a 404 (a page past the last), and a download answered with a 200 is whole: its CSV
parses and ends with a line break, its JSON and Atom parse.

The budget is fixed and the generation derandomized, so each run sends the same
requests; the cache (the API's throttle counts) is emptied before each one.
"""

import csv
import io
import json
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commitments.public.filters import CommitmentFilterSet, InitiativeFilterSet, PlatformFilterSet
from tests.factories import add_follow_up, content_of, make_listing_mix

LISTING = [*CommitmentFilterSet.base_filters, "page"]
ADDRESSES = {
    "/commitments/": LISTING,
    "/commitments.csv": LISTING,
    "/commitments.json": LISTING,
    "/feeds/commitments.atom": LISTING,
    "/platforms/": [*PlatformFilterSet.base_filters, "page"],
    "/initiatives/": [*InitiativeFilterSet.base_filters, "page"],
    "/matrix/": [],
    "/platforms/compare/": ["sort"],
    "/platforms/compare.csv": ["sort"],
    "/api/commitments/": [*LISTING, "page_size"],
    "/api/platforms/": [*PlatformFilterSet.base_filters, "page", "page_size"],
    "/api/initiatives/": [*InitiativeFilterSet.base_filters, "page", "page_size"],
}
# Random query strings an address, after PAST_FAILURES: 180 requests in all.
EXAMPLES_PER_ADDRESS = 10

# What a URL can carry: any character but a lone surrogate, which has no UTF-8; often
# one that means something in a URL, a filter's message or SQL.
TEXT = st.text(
    st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from("%\x00&=+#;,-_./:?'\"\\<> "),
    ),
    max_size=300,
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
EDGES = st.sampled_from(
    [
        "",
        "%",
        "%%",
        "\x00",
        "0",
        "-1",
        "1.5",
        "9" * 300,
        "0000",
        "2021-02-30",
        "2021-13",
        "2024-02-29",
        "meta",
        "instagram",
        "weprotect-global-alliance",
        "-announced,platform",
        "-last_evidence",
        "announced,",
        "GB",
        "delivered",
        "last",
        " ",
        "ß",
        "２０２１",
    ]
)
VALUE = st.one_of(
    EDGES.map(quote),
    st.tuples(EDGES, TEXT, EDGES).map("".join).map(quote),
    TEXT.map(quote),
    NUMBERS.map(quote),
    st.binary(max_size=40),
)
# Query strings that once took an address down, or nearly: always sent, before the
# random ones (a '%' in a date, a NUL, a search longer than any real one, raw bytes).
PAST_FAILURES = [
    "announced_after=%25&announced_before=20%2521",
    "q=a%00b",
    "q=" + "x" * 201,
    "page=0&page_size=1.5",
    "kind=%FF%FE&platform=%C0%80",
]


def encoded(value: str | bytes) -> str:
    """Raw bytes go percent-encoded byte by byte (so %FF, which is no UTF-8, reaches the
    site as sent); text was encoded by `quote` already."""
    if isinstance(value, bytes):
        return "".join(f"%{byte:02X}" for byte in value)
    return value


def query_strings(names: list[str]):
    """Each of the address's parameters or not, then more pairs: its parameters again
    (repeated keys) or names it does not take."""
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(names, VALUE)).map(
        lambda params: list(params.items())
    )
    keys = st.one_of(st.sampled_from(names), TEXT.map(quote)) if names else TEXT.map(quote)
    more = st.lists(st.tuples(keys, VALUE), max_size=3)
    pairs = st.tuples(known, more).map(lambda both: both[0] + both[1])
    return pairs.map(lambda pairs: "&".join(f"{k}={encoded(v)}" for k, v in pairs))


@pytest.fixture
def cast(commitment, initiative):
    make_listing_mix(initiative)
    add_follow_up(commitment, status_after="in_progress")


def assert_whole(address: str, body: bytes):
    if address.endswith(".csv"):
        text = body.decode("utf-8-sig")
        assert text.endswith("\n")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows and all(len(row) == len(rows[0]) for row in rows)
    elif address.endswith(".json"):
        json.loads(body)
    elif address.endswith(".atom"):
        ElementTree.fromstring(body)


def example_each(queries: list[str]):
    def decorate(test):
        for query in reversed(queries):
            test = example(query=query)(test)
        return test

    return decorate


@pytest.mark.parametrize("address", ADDRESSES)
def test_no_query_string_is_a_500(client, cast, address):
    @settings(
        max_examples=EXAMPLES_PER_ADDRESS,
        deadline=None,
        derandomize=True,
        database=None,
        # The cast is read only; only the cache is emptied between examples.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(query=query_strings(ADDRESSES[address]))
    @example_each(PAST_FAILURES)
    def answered(query):
        cache.clear()
        response = client.get(f"{address}?{query}")
        body = content_of(response)
        assert response.status_code in (200, 400, 404), (query, response.status_code, body[:300])
        if response.status_code == 200:
            assert_whole(address, body)

    answered()
