import datetime
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db.models import Prefetch
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.request import Request

from commitments.api.rows import public_pledge_rows
from commitments.api.serializers import (
    CitationSerializer,
    CommitmentSerializer,
    FollowUpSerializer,
)
from commitments.dates import parse_partial_date
from commitments.models import Citation, Commitment, FollowUp, Initiative, Platform
from commitments.public.filters import CommitmentFilterSet
from commitments.public.selectors import public_commitments
from tests.factories import (
    DRAFT_TITLE,
    LISTING_QUERIES,
    add_follow_up,
    listing_slugs,
    make_commitment,
    make_commitments,
    make_listing_mix,
    make_source,
    queries_for,
)

COMMITMENTS = "/api/commitments/"
PLATFORMS = "/api/platforms/"
INITIATIVES = "/api/initiatives/"


@pytest.fixture
def mix(commitment, initiative):
    make_listing_mix(initiative)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def slugs(response) -> list[str]:
    return [row["slug"] for row in results(response)]


def test_the_api_root_lists_the_endpoints(client, db):
    data = client.get("/api/", HTTP_ACCEPT="application/json").json()
    assert data == {
        "commitments": "http://testserver/api/commitments/",
        "platforms": "http://testserver/api/platforms/",
        "initiatives": "http://testserver/api/initiatives/",
        "schema": "http://testserver/api/schema/",
        "docs": "http://testserver/api/docs/",
        "license": {
            "name": "CC BY 4.0",
            "url": "https://creativecommons.org/licenses/by/4.0/",
            "attribution": "the child-safety commitment tracker, with a link to the pledge's page",
        },
    }


def test_a_commitment_comes_with_its_sources_and_follow_ups(client, commitment, source):
    source.published_on, source.published_precision = commitment.announced_on, "month"
    source.save()
    commitment.citations.update(quote="We are proud to join.")
    follow_up = add_follow_up(commitment, status_after="in_progress", summary="Report.")
    data = client.get(f"{COMMITMENTS}{commitment.slug}/").json()
    assert data["url"] == f"http://testserver/api/commitments/{commitment.slug}/"
    assert data["html_url"] == f"http://testserver/commitments/{commitment.slug}/"
    assert data["platform"] == {"slug": "tiktok", "name": "TikTok"}
    assert data["initiative"] == {
        "slug": "weprotect-global-alliance",
        "name": "WeProtect Global Alliance",
    }
    assert (data["kind"], data["status"]) == ("membership", "in_progress")
    assert data["announced_on"] == "2020-06-22"
    assert data["latest_follow_up_on"] == follow_up.happened_on.isoformat()
    assert data["lacks_follow_up"] is False
    assert data["sources"] == [
        {
            "url": source.url,
            "title": source.title,
            "publisher": "TikTok Newsroom (UK)",
            "published_on": "2020-06",
            "archived_url": None,
            "quote": "We are proud to join.",
        }
    ]
    (given,) = data["follow_ups"]
    assert given["status_after"] == "in_progress"
    assert given["summary"] == "Report."
    assert len(given["sources"]) == 1
    assert "owner" not in data and "published" not in data


def test_a_sensitive_source_shows_no_quote_or_archive(client, commitment, source):
    source.sensitive, source.archived_url = True, "https://web.archive.org/web/2020/x"
    source.save()
    commitment.citations.update(quote="Words near abusive material.")
    (cited,) = client.get(f"{COMMITMENTS}{commitment.slug}/").json()["sources"]
    assert cited["url"] == source.url
    assert cited["quote"] is None and cited["archived_url"] is None
    assert b"Words near abusive material." not in client.get(COMMITMENTS).content


def walked(serializer_class, record, context) -> dict:
    """What DRF's walk over a serializer's declared fields gives for `record`."""
    return serializers.Serializer.to_representation(serializer_class(context=context), record)


@pytest.mark.parametrize("suffix", ["", ".json"])
def test_records_are_written_out_as_their_declared_fields_say(rf, client, mix, source, suffix):
    # The serializers write a pledge, its follow-ups and sources out by hand, for speed;
    # the declared fields (which make the schema) must give the same, key for key.
    pledge = Commitment.objects.get(title="Teen DMs restricted in the UK")
    add_follow_up(pledge, summary="A test with a 13-year-old's account.", test_account_age=13)
    source.sensitive, source.archived_url = True, "https://web.archive.org/web/2020/x"
    source.save()
    Citation.objects.filter(source=source).update(quote="Words near abusive material.")
    context = {
        "request": Request(rf.get(f"{COMMITMENTS}{suffix}")),
        "format": suffix.lstrip(".") or None,
    }
    # The records read as instances, by Django's own prefetch (the API reads plain rows,
    # commitments/api/rows.py): the walk over the declared fields is the reference.
    cited = Prefetch("citations", Citation.objects.select_related("source").order_by("id"))
    public_follow_ups = Prefetch("follow_ups", FollowUp.objects.public().prefetch_related(cited))
    pledges = list(public_commitments().order_by("pk").prefetch_related(cited, public_follow_ups))
    follow_ups = [f for p in pledges for f in p.follow_ups.all()]
    citations = [c for r in [*pledges, *follow_ups] for c in r.citations.all()]
    assert follow_ups and any(c.source.sensitive for c in citations)
    assert any(p.initiative is None for p in pledges)
    for serializer, records in [
        (CommitmentSerializer, pledges),
        (FollowUpSerializer, follow_ups),
        (CitationSerializer, citations),
    ]:
        for record in records:
            given = serializer(record, context=context).data
            assert list(given.items()) == list(walked(serializer, record, context).items())
    # And the API's pages are those records.
    expected = {p.slug: CommitmentSerializer(p, context=context).data for p in pledges}
    address = f"/api/commitments{suffix}" if suffix else COMMITMENTS
    listed = client.get(address, {"page_size": 200}).json()["results"]
    assert sorted(row["slug"] for row in listed) == sorted(expected)
    assert listed == [expected[row["slug"]] for row in listed]
    for slug, shown in expected.items():
        one = f"/api/commitments/{slug}{suffix}" if suffix else f"{COMMITMENTS}{slug}/"
        assert client.get(one).json() == shown


def test_a_pledge_unpublished_after_its_page_was_found_is_left_out(platform):
    # Between reading a page's ids and its rows, a pledge may be taken off the site:
    # its row and its evidence are then not read, and the others still are.
    shown, hidden = make_commitments(platform, 2)
    Commitment.objects.filter(pk=hidden.pk).update(published=False)
    rows = public_pledge_rows([hidden.pk, shown.pk])
    assert [row.slug for row in rows] == [shown.slug]
    assert [len(rows[0].citations), len(rows[0].follow_ups)] == [1, 1]
    assert len(rows[0].follow_ups[0].citations) == 1


@pytest.mark.parametrize("params", LISTING_QUERIES)
def test_the_listing_holds_what_the_public_listing_shows(client, mix, params):
    assert slugs(client.get(COMMITMENTS, {**params, "page_size": 200})) == listing_slugs(params)


def test_sort_is_the_ordering(client, mix):
    by_platform = [
        row["platform"]["name"] for row in results(client.get(COMMITMENTS, {"sort": "platform"}))
    ]
    assert by_platform == sorted(by_platform)
    assert slugs(client.get(COMMITMENTS, {"sort": "-platform"})) == listing_slugs(
        {"sort": "-platform"}
    )


def test_it_pages_by_50_and_at_most_200(client, platform):
    make_commitments(platform, 205)
    first = client.get(COMMITMENTS).json()
    assert first["count"] == 205
    assert len(first["results"]) == 50
    assert first["next"] == "http://testserver/api/commitments/?page=2"
    assert len(results(client.get(COMMITMENTS, {"page_size": 200}))) == 200
    assert len(results(client.get(COMMITMENTS, {"page_size": 10, "page": 3}))) == 10
    # Empty, as a form sends them: the defaults.
    assert len(results(client.get(COMMITMENTS, {"page_size": "", "page": ""}))) == 50
    # A page past the last is a 404, as DRF has it.
    response = client.get(COMMITMENTS, {"page": 6})
    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


@pytest.mark.parametrize("listing", [COMMITMENTS, PLATFORMS, INITIATIVES])
@pytest.mark.parametrize(
    "name, value",
    [
        ("page_size", "1.5"),
        ("page_size", "0"),
        ("page_size", "-5"),
        ("page_size", "201"),
        ("page_size", "ten"),
        ("page_size", "٣"),  # a digit, but not an ASCII one
        ("page_size", "9" * 5000),  # longer than int() reads
        ("page", "0"),
        ("page", "2.0"),
        ("page", "last"),
        ("page", " 1"),
    ],
)
def test_page_and_page_size_are_whole_numbers_in_range(client, db, listing, name, value):
    """DRF's pagination took a page size it could not read as its default (page_size=1.5
    gave 50 rows) and called a page it could not read a 404; both are a 400 that says why."""
    response = client.get(listing, {name: value})
    assert response.status_code == 400, response.content
    (reason,) = response.json()[name]
    assert reason.startswith("Enter a whole number from 1")


def test_a_draft_appears_nowhere_in_the_api(client, mix):
    draft = Commitment.objects.get(title=DRAFT_TITLE)
    for url in [COMMITMENTS, f"{COMMITMENTS}?q=draft", PLATFORMS, INITIATIVES]:
        assert DRAFT_TITLE.encode() not in client.get(url).content
    assert client.get(f"{COMMITMENTS}{draft.slug}/").status_code == 404


def test_invalid_filters_are_a_400_with_reasons(client, commitment):
    response = client.get(COMMITMENTS, {"announced_after": "soon", "sort": "popularity"})
    assert response.status_code == 400
    reasons = response.json()
    assert set(reasons) == {"announced_after", "sort"}
    assert "YYYY" in reasons["announced_after"][0]
    assert client.get(PLATFORMS, {"kind": "spaceship"}).status_code == 400
    assert client.get(INITIATIVES, {"kind": "spaceship"}).status_code == 400


@pytest.mark.parametrize("listing", [COMMITMENTS, PLATFORMS, INITIATIVES])
def test_an_unknown_slug_is_a_404(client, db, listing):
    assert client.get(f"{listing}nothing-here/").status_code == 404


def test_platforms_count_published_pledges_with_their_childrens(client, mix):
    counts = {
        row["slug"]: (row["pledges"], row["followed_up"]) for row in results(client.get(PLATFORMS))
    }
    # Meta's own pledge and Instagram's two, both followed up; Roblox's draft is not counted.
    assert counts == {"meta": (3, 2), "instagram": (2, 2), "roblox": (2, 1), "tiktok": (1, 0)}
    meta = client.get(f"{PLATFORMS}meta/").json()
    assert meta["html_url"] == "http://testserver/platforms/meta/"
    instagram = client.get(f"{PLATFORMS}instagram/").json()
    assert instagram["parent"] == "meta"
    # The count is what the linked listing holds.
    assert client.get(COMMITMENTS, {"platform": "meta"}).json()["count"] == meta["pledges"]


def meta_pledges(client) -> tuple[int, str | None]:
    """Meta's count of published pledges in the platforms' list, and the list's
    X-Counted-At header."""
    response = client.get(PLATFORMS)
    counts = {row["slug"]: row["pledges"] for row in results(response)}
    return counts["meta"], response.headers.get("X-Counted-At")


def test_platforms_counts_are_kept_a_while_only_when_slow_and_say_when(client, mix, monkeypatch):
    from django.core.cache import cache

    from commitments.public import kept

    meta = Platform.objects.get(slug="meta")
    # Quick: counted afresh, and no header.
    assert meta_pledges(client) == (3, None)
    make_commitment(meta, "Another Meta pledge")
    assert meta_pledges(client) == (4, None)

    monkeypatch.setattr(kept, "SLOW", -1)  # as at a million pledges on PostgreSQL
    before = timezone.now().replace(microsecond=0)
    count, counted_at = meta_pledges(client)
    assert count == 4
    when = datetime.datetime.fromisoformat(counted_at)
    assert when.utcoffset() == datetime.timedelta(0)
    assert before <= when <= timezone.now()
    make_commitment(meta, "Yet another Meta pledge")
    assert meta_pledges(client) == (4, counted_at)  # kept, and it says since when
    cache.clear()  # its time is up
    assert meta_pledges(client)[0] == 5


def test_a_value_a_record_lacks_is_null_not_empty(client, mix, initiative):
    """An empty website is no URI: null, as a source's missing archive link is."""
    tiktok = client.get(f"{PLATFORMS}tiktok/").json()
    assert (tiktok["parent"], tiktok["website"]) == (None, None)
    assert client.get(f"{INITIATIVES}{initiative.slug}/").json()["website"] is None
    Initiative.objects.filter(pk=initiative.pk).update(url="https://www.weprotect.org/")
    Platform.objects.filter(slug="tiktok").update(website="https://www.tiktok.com/")
    assert client.get(f"{INITIATIVES}{initiative.slug}/").json()["website"] == (
        "https://www.weprotect.org/"
    )
    assert client.get(f"{PLATFORMS}tiktok/").json()["website"] == "https://www.tiktok.com/"


def test_platforms_filter_with_their_filterset(client, mix):
    assert slugs(client.get(PLATFORMS, {"q": "insta"})) == ["instagram"]


def test_initiatives_count_published_pledges(client, mix, initiative):
    Citation.objects.create(initiative=initiative, source=make_source(title="Founding"))
    (data,) = results(client.get(INITIATIVES, {"q": "weprotect"}))
    # TikTok's, Meta's and Roblox's; the draft is not counted.
    assert (data["pledges"], data["followed_up"]) == (3, 1)
    assert [s["title"] for s in data["sources"]] == ["Founding"]
    assert data["url"] == "http://testserver/api/initiatives/weprotect-global-alliance/"
    one = client.get(data["url"]).json()
    assert (one["pledges"], one["followed_up"]) == (3, 1)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("which", ["commitment-list", "commitment-detail", "platform-detail"])
def test_it_refuses_to_write(client, commitment, method, which):
    slug = commitment.slug if which.startswith("commitment") else "tiktok"
    url = reverse(f"api:{which}", args=[slug] if which.endswith("detail") else [])
    response = getattr(client, method)(url, {"title": "Hacked"}, content_type="application/json")
    assert response.status_code == 405
    assert Commitment.objects.filter(title="Hacked").count() == 0
    assert Platform.objects.filter(slug="tiktok").exists()


@pytest.mark.parametrize(
    "name",
    [
        "commitment-list",
        "commitment-detail",
        "platform-list",
        "platform-detail",
        "initiative-list",
        "initiative-detail",
    ],
)
def test_the_query_count_does_not_grow_with_the_rows(client, platform, initiative, name):
    make_commitments(platform, 5)
    Commitment.objects.update(initiative=initiative)
    slug = {
        "commitment-detail": Commitment.objects.earliest("id").slug,
        "platform-detail": platform.slug,
        "initiative-detail": initiative.slug,
    }.get(name)
    url = reverse(f"api:{name}", args=[slug] if slug else [])
    few = queries_for(client, url)
    make_commitments(platform, 195)
    Commitment.objects.update(initiative=initiative)
    assert queries_for(client, url) == few


def test_the_schema_is_openapi_3(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/commitments/", "/api/commitments/{slug}/", "/api/platforms/"} <= set(
        schema["paths"]
    )


def schema_of(client) -> dict:
    return client.get("/api/schema/", {"format": "json"}).json()


def test_every_operation_documents_its_errors(client, db):
    schema = schema_of(client)
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        responses = operations["get"]["responses"]
        assert set(responses) == {"200", "400", "404", "429"}, path
        body = {code: r["content"]["application/json"]["schema"] for code, r in responses.items()}
        # Every operation takes as_of, so each may refuse a parameter by name.
        assert body["400"] == {"$ref": "#/components/schemas/InvalidParameters"}, path
        assert body["404"] == body["429"] == error
        assert responses["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_the_schema_says_what_may_be_null(client, db):
    properties = {
        name: schema_of(client)["components"]["schemas"][name]["properties"]
        for name in ("Platform", "Initiative")
    }
    assert properties["Platform"]["parent"]["nullable"] is True
    for model in ("Platform", "Initiative"):
        assert properties[model]["website"] == {
            "type": "string",
            "format": "uri",
            "readOnly": True,
            "nullable": True,
        }


@pytest.mark.parametrize("listing", [COMMITMENTS, PLATFORMS, INITIATIVES])
def test_the_schema_says_how_pages_are_asked_for(client, db, listing):
    parameters = {p["name"]: p for p in schema_of(client)["paths"][listing]["get"]["parameters"]}
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
    # Every query parameter may be sent empty, meaning what leaving it out means.
    assert all(p["allowEmptyValue"] for p in parameters.values())


def test_the_date_filters_pattern_is_what_they_take(client, db):
    """The schema's pattern for announced_after/_before holds exactly the dates the filter
    reads: the listing refuses '0000', '2021-02-29' or '2021-04-31' with a 400."""
    (parameter,) = [
        p
        for p in schema_of(client)["paths"][COMMITMENTS]["get"]["parameters"]
        if p["name"] == "announced_after"
    ]
    pattern = re.compile(parameter["schema"]["pattern"])
    texts = [f"{year:04}" for year in (0, 1, 4, 100, 400, 1900, 2000, 2023, 2024, 9999)]
    texts += [f"{year}-{month:02}" for year in texts for month in range(14)]
    texts += [f"{text}-{day:02}" for text in list(texts) if len(text) == 7 for day in range(33)]
    for text in texts:
        try:
            parse_partial_date(text)
            real = True
        except ValueError:
            real = False
        assert bool(pattern.match(text)) == real, text


def test_the_schema_documents_exactly_the_filters(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/commitments/"]["get"]["parameters"]
    documented = {p["name"] for p in parameters}
    # The filters, the pages, and the day the records are shown as of (as_of.py).
    assert documented == set(CommitmentFilterSet.base_filters) | {"page", "page_size", "as_of"}
    types = {p["name"]: p["schema"]["type"] for p in parameters}
    assert types["platform"] == "string"


class AssetLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.addresses = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.addresses.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.addresses.append(attrs["href"])


def test_the_docs_load_only_local_assets_and_no_inline_script(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    parser = AssetLinks()
    parser.feed(html)
    assert parser.addresses, "the docs page loads its scripts and styles"
    *assets, start_up = parser.addresses
    for address in assets:
        assert not re.match(r"^(https?:)?//", address), address
        assert address.startswith(static("")), address
        assert finders.find(address.removeprefix(static("")).split("?")[0]), address
    # Swagger UI's start-up script is a file of its own: the page has no inline script or
    # style for the Content-Security-Policy to refuse.
    assert start_up == "/api/docs/?script="
    assert not re.search(r"<script>|<style|style=", html)
    script = client.get(start_up)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    # Nor from the script: every http(s) address named is this site's.
    code = script.content.decode()
    for address in re.findall(r"https?://[^\s\"'<>)]+", html + code):
        assert address.startswith("http://testserver/"), address
    # Nor behind its back: Swagger UI's default online validator is switched off.
    assert '"validatorUrl": null' in code


def test_anonymous_clients_are_throttled(client, db):
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"].split("/")[0])
    for _ in range(limit):
        assert client.get("/api/").status_code == 200
    response = client.get("/api/")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_a_new_follow_up_changes_the_listing(client, commitment):
    assert results(client.get(COMMITMENTS, {"follow_up": "lacks"}))
    add_follow_up(commitment)
    assert results(client.get(COMMITMENTS, {"follow_up": "lacks"})) == []


def test_the_browsable_api_renders_for_people(client, commitment):
    response = client.get(COMMITMENTS, {"kind": "membership"}, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert commitment.title.encode() in response.content


def test_the_schema_is_generated_without_warnings_and_validates(db, tmp_path):
    # Raises on any warning (an undocumentable filter, say) or an invalid schema.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
