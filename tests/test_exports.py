import csv
import io
import json
import threading

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.urls import reverse

from commitments.models import Commitment
from commitments.public import downloads
from commitments.public.fields import PLEDGE_FIELD_NAMES
from tests.factories import (
    DRAFT_TITLE,
    LISTING_QUERIES,
    add_follow_up,
    content_of,
    listing_slugs,
    make_commitment,
    make_commitments,
    make_listing_mix,
    make_platform,
    make_source,
    queries_for,
)

CSV = reverse("commitments:export_csv")
JSON = reverse("commitments:export_json")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content_of(response).decode())))


def json_rows(response) -> list[dict]:
    return json.loads(content_of(response))


def slug_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def mix(commitment, initiative):
    make_listing_mix(initiative)


def test_it_streams_a_csv_with_a_filename(client, commitment):
    response = client.get(CSV)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="commitments-')
    assert response["Content-Disposition"].endswith('.csv"')


def test_a_csv_row_says_what_the_page_says(client, commitment, source):
    commitment.effective_on = commitment.announced_on
    commitment.effective_precision = "month"
    commitment.save()
    (row,) = csv_rows(client.get(CSV))
    assert list(row) == downloads.COLUMNS
    assert row == {
        "url": f"http://testserver/commitments/{commitment.slug}/",
        "platform": "TikTok",
        "initiative": "WeProtect Global Alliance",
        "kind": "membership",
        "title": "TikTok joins the WeProtect Global Alliance",
        "summary": "",
        "status": "announced",
        "announced_on": "2020-06-22",
        "effective_on": "2020-06",
        "deadline": "",
        "latest_follow_up_on": "",
        "lacks_follow_up": "true",
        # A membership is due a year after its last evidence (announced, 22 June 2020).
        "follow_up_due_on": "2021-06-22",
        "follow_up_overdue": "true",
        "source_urls": source.url,
    }


def test_a_csv_row_lists_every_source_and_the_latest_follow_up(client, commitment, source):
    commitment.citations.create(source=make_source())
    add_follow_up(commitment, happened_on=commitment.announced_on.replace(month=9))
    row = next(r for r in csv_rows(client.get(CSV)) if slug_of(r["url"]) == commitment.slug)
    assert row["source_urls"].split(" ")[0] == source.url
    assert len(row["source_urls"].split(" ")) == 2
    assert row["latest_follow_up_on"] == "2020-09-22"
    assert row["lacks_follow_up"] == "false"


def test_it_guards_csv_cells_against_formulas(client, platform):
    for title in ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tTabbed"]:
        make_commitment(platform, title)
    titles = {row["title"] for row in csv_rows(client.get(CSV))}
    assert titles == {"'=HYPERLINK(1)", "'+1", "'-1", "'@SUM(A1)", "'\tTabbed"}


def test_a_formula_behind_leading_spaces_or_a_newline_is_guarded_too(client, platform):
    # Spreadsheets skip the blanks before a formula (issue 11, defect 11).
    pledge = make_commitment(platform, "Spaced")
    Commitment.objects.filter(pk=pledge.pk).update(title=" =1+2", summary="\n@SUM(A1)")
    (row,) = csv_rows(client.get(CSV))
    assert (row["title"], row["summary"]) == ("' =1+2", "'\n@SUM(A1)")


def test_the_json_export_is_an_array_of_the_same_fields(client, commitment, source):
    response = client.get(JSON)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.json"')
    (row,) = json_rows(response)
    assert list(row) == downloads.COLUMNS
    assert row["source_urls"] == [source.url]
    assert row["initiative"] == "WeProtect Global Alliance"
    assert row["effective_on"] is None
    assert row["lacks_follow_up"] is True
    # No formula guard in JSON: it is data, not a spreadsheet.
    make_commitment(commitment.platform, "=1")
    assert "=1" in {r["title"] for r in json_rows(client.get(JSON))}


def test_an_empty_json_export_is_an_empty_array(client, db):
    assert json_rows(client.get(JSON)) == []


@pytest.mark.parametrize("params", LISTING_QUERIES)
def test_the_exports_hold_what_the_listing_shows_in_its_order(client, mix, params):
    expected = listing_slugs(params)
    assert expected, "each case shows something"
    from_csv = [slug_of(r["url"]) for r in csv_rows(client.get(CSV, params))]
    from_json = [slug_of(r["url"]) for r in json_rows(client.get(JSON, params))]
    assert from_csv == expected
    assert from_json == expected


def test_the_exports_hold_every_page_of_the_listing(client, platform):
    make_commitments(platform, 60)
    assert len(csv_rows(client.get(CSV))) == 60
    assert len(json_rows(client.get(JSON))) == 60


@pytest.mark.parametrize("url, rows", [(CSV, csv_rows), (JSON, json_rows)])
def test_the_row_count_header_says_how_many_pledges_the_download_holds(client, platform, url, rows):
    make_commitments(platform, 30)
    make_commitments(platform, 4, published=False)
    other = make_platform("Other")
    make_commitments(other, 3)

    everything = client.get(url)
    assert everything["X-Row-Count"] == "33"
    assert len(rows(everything)) == 33
    filtered = client.get(url, {"platform": other.slug})
    assert filtered["X-Row-Count"] == "3"
    assert len(rows(filtered)) == 3


def publish_a_pledge_meanwhile(platform) -> None:
    """Another client's write, committed on a connection of its own."""
    try:
        make_commitment(platform, "Published while the download streamed")
    finally:
        connection.close()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets no write in while a download reads"
)
@pytest.mark.django_db(transaction=True)
def test_a_pledge_published_while_a_download_streams_is_in_neither_its_count_nor_its_rows(
    client, platform
):
    make_commitments(platform, 3)
    response = client.get(CSV)  # counted, and no row read yet
    writer = threading.Thread(target=publish_a_pledge_meanwhile, args=[platform])
    writer.start()
    writer.join()

    assert response["X-Row-Count"] == "3"
    assert len(csv_rows(response)) == 3, "the rows come from the snapshot the count read"
    assert Commitment.objects.published().count() == 4


@pytest.mark.parametrize("url", [CSV, JSON])
def test_a_draft_appears_in_no_export(client, mix, url):
    assert DRAFT_TITLE.encode() not in content_of(client.get(url))
    assert DRAFT_TITLE.encode() not in content_of(client.get(url, {"q": "draft"}))


@pytest.mark.parametrize("url", [CSV, JSON])
def test_invalid_parameters_are_a_400_with_reasons(client, commitment, url):
    response = client.get(url, {"announced_after": "last year", "kind": "rumour"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert len(lines) == 2
    assert any(line.startswith("announced_after: ") and "YYYY" in line for line in lines)
    assert any(line.startswith("kind: ") and "rumour" in line for line in lines)


@pytest.mark.parametrize("url", [CSV, JSON])
def test_the_query_count_does_not_grow_with_the_rows(client, platform, url):
    make_commitments(platform, 5)
    few = queries_for(client, url)
    make_commitments(platform, 195)
    assert queries_for(client, url) == few


def test_the_sources_are_fetched_once_a_chunk(client, platform, monkeypatch):
    make_commitments(platform, 25)
    one_chunk = queries_for(client, CSV)
    monkeypatch.setattr(downloads, "CHUNK_SIZE", 10)
    # Two more chunks: two more queries for their sources, not 20 more for their rows.
    assert queries_for(client, CSV) == one_chunk + 2


def test_the_download_and_the_api_say_the_same_of_a_pledge(client, commitment):
    add_follow_up(commitment, status_after="delivered")
    commitment.effective_on, commitment.effective_precision = commitment.announced_on, "month"
    commitment.save()
    (download,) = json_rows(client.get(JSON))
    (api,) = client.get(reverse("api:commitment-list")).json()["results"]
    # Both take their core fields from commitments/public/fields.py.
    core = {name: download[name] for name in PLEDGE_FIELD_NAMES}
    assert core == {name: api[name] for name in PLEDGE_FIELD_NAMES}
    assert core["status"] == "delivered" and core["effective_on"] == "2020-06"


@pytest.mark.parametrize("url", [CSV, JSON])
def test_the_body_is_sent_in_blocks_not_a_line_at_a_time(client, platform, monkeypatch, url):
    make_commitments(platform, 40)
    whole = b"".join(client.get(url).streaming_content)
    monkeypatch.setattr(downloads, "BLOCK_SIZE", 2000)
    sent = list(client.get(url).streaming_content)
    assert b"".join(sent) == whole
    lines = whole.count(b"\n")
    assert 1 < len(sent) < lines / 4
    # Every block but the last holds at least BLOCK_SIZE characters.
    assert all(len(block.decode()) >= 2000 for block in sent[:-1])


def test_the_whole_list_points_to_its_newest_release_compressed(
    client, commitment, settings, tmp_path
):
    from commitments.releases.making import release_make

    settings.RELEASES_DIR = tmp_path / "releases"
    # No release yet: no pointer, and nothing on the page.
    assert "alternate" not in client.get(CSV)["Link"]
    assert ".csv.gz" not in client.get(reverse("commitments:list")).content.decode()
    release_make()
    release = release_make()  # the newest of the day's two
    for url, name in [(CSV, "commitments.csv.gz"), (JSON, "commitments.json.gz")]:
        link = client.get(url)["Link"]
        address = f"http://testserver/data/{release.name}/{name}"
        assert f'<{address}>; rel="alternate"; type="application/gzip"' in link
        assert f"released on {release.date.isoformat()}" in link
        # A filtered list is not the whole dataset.
        assert "alternate" not in client.get(url, {"status": "announced"})["Link"]
    page = client.get(reverse("commitments:list")).content.decode()
    assert f'href="/data/{release.name}/commitments.csv.gz"' in page
    filtered = client.get(reverse("commitments:list"), {"status": "announced"}).content.decode()
    assert "commitments.csv.gz" not in filtered
