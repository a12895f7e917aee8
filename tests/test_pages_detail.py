"""The page of one commitment: what, by whom, to what, when, where, its status and
follow-ups, its sources apart from the proof, and a line to cite it by."""

import datetime
import html
import re

import pytest
import time_machine
from django.urls import reverse

from commitments.dates import DatePrecision
from commitments.models import Citation, Commitment, FollowUp, Person, Review
from tests.clock import TODAY
from tests.factories import add_follow_up, make_commitment, make_source
from tests.page_helpers import page_text, sections, shown_text

MARCH_2020 = datetime.date(2020, 3, 1)
EFFECTIVE_ON = datetime.date(2020, 9, 1)
REVIEWED_ON = datetime.date(2024, 10, 1)
QUOTED_ON = datetime.date(2020, 3, 2)
JUNE_2021 = datetime.date(2021, 6, 1)
REPORTED_ON = datetime.date(2022, 5, 17)
NOON = datetime.time(12)

PROMISE_SOURCE = "TikTok announces family pairing worldwide"
SENSITIVE_SOURCE = "Investigation of exploitation forums"
PROOF_SOURCE = "Ofcom finds family pairing in place"
TEST_SOURCE = "Independent test of family pairing"


def url_of(commitment: Commitment) -> str:
    return reverse("commitments:detail", args=[commitment.slug])


@pytest.fixture
def pledge(platform, initiative):
    """A pledge with every detail filled in, two follow-ups and a sensitive source."""
    pledge = make_commitment(
        platform,
        "Family pairing for parents",
        with_source=False,
        initiative=initiative,
        kind=Commitment.Kind.PRODUCT_CHANGE,
        summary="Parents can link their account to their teenager's.",
        announced_on=MARCH_2020,
        announced_precision=DatePrecision.MONTH,
        effective_on=EFFECTIVE_ON,
        effective_precision=DatePrecision.MONTH,
        worldwide=False,
        countries="GB, IE",
        products="app, web",
        age_min=13,
        age_max=17,
        default_setting=Commitment.Default.PARENT_CONTROLLED,
    )
    Review.objects.create(
        commitment=pledge,
        reviewed_on=REVIEWED_ON,
        searched="the platform's newsroom and transparency centre",
        role=Review.Role.REVIEWER,
    )
    spokesperson = Person.objects.create(name="Jo Example", role="Head of Safety")
    Citation.objects.create(
        commitment=pledge,
        source=make_source(
            title=PROMISE_SOURCE,
            publisher="TikTok Newsroom",
            published_on=QUOTED_ON,
            archived_url="https://web.archive.org/web/2020/family-pairing",
        ),
        quote="Parents will be able to pair their account.",
        person=spokesperson,
    )
    Citation.objects.create(
        commitment=pledge,
        source=make_source(
            title=SENSITIVE_SOURCE,
            sensitive=True,
            archived_url="https://web.archive.org/web/2020/forum-investigation",
        ),
        quote="Words that must not be repeated here.",
    )
    add_follow_up(
        pledge,
        happened_on=JUNE_2021,
        happened_precision=DatePrecision.MONTH,
        kind=FollowUp.Kind.INDEPENDENT_TEST,
        summary="A test account aged 13 could be paired.",
        tested_by="Example Lab",
        with_source=False,
    )
    Citation.objects.create(
        follow_up=pledge.follow_ups.get(), source=make_source(title=TEST_SOURCE)
    )
    report = add_follow_up(
        pledge,
        happened_on=REPORTED_ON,
        kind=FollowUp.Kind.REGULATOR_FINDING,
        summary="The regulator found the feature in place.",
        status_after="verified",
        with_source=False,
    )
    Citation.objects.create(follow_up=report, source=make_source(title=PROOF_SOURCE))
    pledge.refresh_from_db()
    return pledge


def test_it_shows_what_who_to_what_and_when(client, pledge):
    response = client.get(url_of(pledge))
    text = page_text(response)
    assert response.status_code == 200
    assert "<h1>Family pairing for parents</h1>" in text
    assert "Parents can link their account to their teenager's." in text
    assert 'Product change by <a href="/platforms/tiktok/">TikTok</a>' in text
    assert 'to <a href="/initiatives/weprotect-global-alliance/">WeProtect Global Alliance</a>' in (
        text
    )
    assert "<dt>Announced</dt><dd>March 2020</dd>" in text
    assert "<dt>In effect from</dt><dd>September 2020</dd>" in text


def test_it_shows_the_scope(client, pledge):
    text = page_text(client.get(url_of(pledge)))
    assert "<dt>Where</dt><dd>GB, IE</dd>" in text
    assert "<dt>Products</dt><dd>app, web</dd>" in text
    assert "<dt>Protects ages</dt><dd>13 to 17</dd>" in text
    assert "<dt>Switched on</dt><dd>Parent-controlled</dd>" in text


def test_a_worldwide_pledge_says_so(client, commitment):
    assert "<dt>Where</dt><dd>Worldwide</dd>" in page_text(client.get(url_of(commitment)))


def test_it_shows_the_status_and_each_follow_up_with_its_sources(client, pledge):
    found = sections(client.get(url_of(pledge)))
    badge = 'class="status status-verified" href="/methodology/#status-verified">Verified<'
    assert badge in found["Status"]
    assert "Latest follow-up evidence: 17 May 2022." in found["Status"]
    since = found["What happened since"]
    test_at = since.index("June 2021")
    finding_at = since.index("17 May 2022")
    assert test_at < finding_at, "follow-ups run oldest first"
    assert "Independent test" in since[test_at:finding_at]
    assert "A test account aged 13 could be paired." in since[test_at:finding_at]
    assert "Tested by Example Lab" in since[test_at:finding_at]
    assert TEST_SOURCE in since[test_at:finding_at]
    assert "Regulator&#x27;s finding" in since[finding_at:]
    assert "status moved to" in since[finding_at:]
    assert "The regulator found the feature in place." in since[finding_at:]
    assert PROOF_SOURCE in since[finding_at:]


def test_where_it_was_promised_is_kept_apart_from_the_proof(client, pledge):
    found = sections(client.get(url_of(pledge)))
    promised, since = found["Where it was promised"], found["What happened since"]
    assert PROMISE_SOURCE in promised
    assert PROMISE_SOURCE not in since
    for proof in (PROOF_SOURCE, TEST_SOURCE):
        assert proof in since
        assert proof not in promised


def test_a_citation_shows_title_publisher_date_quote_and_person(client, pledge):
    promised = sections(client.get(url_of(pledge)))["Where it was promised"]
    assert f">{PROMISE_SOURCE}</a>, TikTok Newsroom, 2 March 2020" in promised
    assert "“Parents will be able to pair their account.”" in promised
    assert "<cite>Jo Example, Head of Safety</cite>" in promised
    assert 'href="https://web.archive.org/web/2020/family-pairing"' in promised


def test_the_people_named_are_a_list_of_name_role_and_organisation(client, pledge):
    pledge.people.add(
        Person.objects.create(
            name="Ana Example",
            role="Director, Trust and Safety",
            organisation="TikTok",
            note="Also spelled Anna Example by one source.",
        ),
        Person.objects.create(name="Ben Example", organisation="Ofcom"),
        Person.objects.create(name="Cy Example"),
    )
    response = client.get(url_of(pledge))
    people = sections(response)["People named"]
    items = [shown_text(item) for item in re.findall(r"<li>(.*?)</li>", people, re.S)]
    assert items == [
        "Ana Example · Director, Trust and Safety · TikTok",
        "Ben Example · Ofcom",
        "Cy Example",
    ]
    assert '<ul class="people">' in people
    # The curators' note is theirs alone.
    assert "Anna Example" not in page_text(response)


def test_a_sensitive_source_shows_no_quote_and_no_archive_link(client, pledge):
    response = client.get(url_of(pledge))
    text = page_text(response)
    assert SENSITIVE_SOURCE in sections(response)["Where it was promised"]
    assert "Words that must not be repeated here." not in text
    assert "forum-investigation" not in text


def test_it_shows_when_it_was_last_reviewed_where_and_what_it_found(client, pledge):
    assert (
        "Reviewed 1 October 2024 by a Reviewer: no new evidence found in the platform's "
        "newsroom and transparency centre."
    ) in page_text(client.get(url_of(pledge)))


@time_machine.travel(datetime.datetime.combine(TODAY, NOON, tzinfo=datetime.UTC), tick=False)
def test_it_offers_a_ready_made_citation_line(client, pledge):
    cite = sections(client.get(url_of(pledge)))["Cite this page"]
    assert (
        "TikTok, “Family pairing for parents”, announced March 2020; status: verified. "
        f"Child-safety commitment tracker, http://testserver{url_of(pledge)}?as_of=2026-11-25 "
        "(accessed 25 November 2026)."
    ) in html.unescape(cite)


@pytest.mark.parametrize(
    ("precision", "shown"),
    [
        (DatePrecision.YEAR, "2020"),
        (DatePrecision.MONTH, "March 2020"),
        (DatePrecision.DAY, "1 March 2020"),
    ],
)
def test_dates_are_shown_as_precisely_as_they_are_known(client, platform, precision, shown):
    pledge = make_commitment(
        platform, "Dated pledge", announced_on=MARCH_2020, announced_precision=precision
    )
    assert f"<dt>Announced</dt><dd>{shown}</dd>" in page_text(client.get(url_of(pledge)))


def test_without_follow_ups_it_says_none_is_recorded_and_what_to_do(client, commitment):
    found = sections(client.get(url_of(commitment)))
    assert "No follow-up evidence has been recorded yet." in found["Status"]
    assert "No follow-up evidence recorded yet." in found["What happened since"]
    form = reverse("commitments:commitment_correction", args=[commitment.slug])
    assert f'<a href="{form}">Send it to the tracker' in found["What happened since"]


def test_a_drafts_address_is_not_found(client, platform):
    draft = make_commitment(platform, "Private draft", published=False, follow_up=True)
    assert client.get(url_of(draft)).status_code == 404


def test_an_unknown_address_is_not_found(client, db):
    assert client.get("/commitments/no-such-pledge/").status_code == 404


def test_html_in_a_title_is_escaped(client, platform):
    pledge = make_commitment(platform, '<script>alert("x")</script> & <b>bold</b>')
    for url in (url_of(pledge), reverse("commitments:list")):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body
        assert "<b>bold</b>" not in body
        assert (
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
            in body
        )


def test_the_address_stays_when_the_title_is_edited(client, commitment):
    old_url = url_of(commitment)
    commitment.title = "TikTok joined WeProtect (renamed)"
    commitment.save()
    commitment.refresh_from_db()
    assert url_of(commitment) == old_url
    assert "TikTok joined WeProtect (renamed)" in page_text(client.get(old_url))


def test_evidence_quality_is_visible(client, platform):
    pledge = make_commitment(platform, "Quality", with_source=False, confidence="verified")
    rebuilt = make_source(
        title="Our progress in 2023 (title from URL)",
        publisher="Tech Coalition",
        url="https://www.technologycoalition.org/news/our-progress-in-2023?utm=x",
    )
    Citation.objects.create(commitment=pledge, source=rebuilt)
    undated = make_source(title="A plain headline")
    Citation.objects.create(commitment=pledge, source=undated)

    promised = sections(client.get(url_of(pledge)))["Where it was promised"]
    text = shown_text(promised)

    assert "(title from URL)" not in text and "Our progress in 2023" not in text
    assert (
        "Tech Coalition: technologycoalition.org/news/our-progress-in-2023 (no headline known)"
        in text
    )
    assert "A plain headline, undated" in text
    facts = page_text(client.get(url_of(pledge)))
    assert "<dt>This record</dt><dd>Verified against a source</dd>" in facts
