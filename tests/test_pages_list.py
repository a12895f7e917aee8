"""The public listing at /commitments/: each filter alone and combined, the sort orders,
pages of 25 that keep their filters, and invalid input answered with 400 and a reason."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.dates import DatePrecision
from commitments.models import Citation, Commitment, Initiative, Platform
from commitments.refresh import commitments_refresh
from tests.factories import (
    add_follow_up,
    make_commitment,
    make_commitments,
    make_platform,
    make_source,
)
from tests.page_helpers import listed_titles, page_text

LIST_URL = reverse("commitments:list")

# The listing's cast. Each pledge differs from the others in what one filter looks at.
VOLUNTARY = "Meta endorses the Voluntary Principles"  # Meta, 5 March 2020, worldwide
TEEN_ACCOUNTS = "Teen accounts private by default"  # Instagram, 27 July 2021, delivered
TEEN_DMS = "Teen DMs restricted in the UK"  # Instagram, December 2021, GB, followed up
REPORTING = "One-tap reporting tool"  # WhatsApp, 15 January 2022, US and IE
JOINS = "Roblox joins WeProtect"  # Roblox, 2021 (year only), stalled
CONTROLS = "Parental controls for voice"  # Roblox, 30 June 2022, DE
DRAFT = "Draft pledge nobody may see"  # Roblox, a draft

VOLUNTARY_ON = datetime.date(2020, 3, 5)
TEEN_ACCOUNTS_ON = datetime.date(2021, 7, 27)
DECEMBER_2021 = datetime.date(2021, 12, 1)
REPORTING_ON = datetime.date(2022, 1, 15)
YEAR_2021 = datetime.date(2021, 1, 1)
CONTROLS_ON = datetime.date(2022, 6, 30)
DRAFT_ON = datetime.date(2021, 5, 5)

PUBLISHED = [VOLUNTARY, TEEN_ACCOUNTS, TEEN_DMS, REPORTING, JOINS, CONTROLS]


@pytest.fixture
def listing(initiative):
    meta = make_platform("Meta")
    instagram = make_platform("Instagram", parent=meta)
    whatsapp = make_platform("WhatsApp", parent=meta)
    roblox = make_platform("Roblox")
    principles = Initiative.objects.create(
        name="Voluntary Principles", kind=Initiative.Kind.PRINCIPLES
    )
    voluntary = make_commitment(
        meta,
        VOLUNTARY,
        initiative=principles,
        kind=Commitment.Kind.ENDORSEMENT,
        announced_on=VOLUNTARY_ON,
        with_source=False,
    )
    Citation.objects.create(
        commitment=voluntary, source=make_source(title="Quarterly safety ledger")
    )
    commitments_refresh(commitments=[voluntary.pk])  # as the admin does once a page is saved
    make_commitment(
        instagram,
        TEEN_ACCOUNTS,
        kind=Commitment.Kind.AGE_RESTRICTION,
        announced_on=TEEN_ACCOUNTS_ON,
        follow_up="delivered",
    )
    make_commitment(
        instagram,
        TEEN_DMS,
        kind=Commitment.Kind.PRODUCT_CHANGE,
        announced_on=DECEMBER_2021,
        announced_precision=DatePrecision.MONTH,
        worldwide=False,
        countries="GB",
        follow_up=True,
    )
    make_commitment(
        whatsapp,
        REPORTING,
        kind=Commitment.Kind.REPORTING,
        announced_on=REPORTING_ON,
        worldwide=False,
        countries="US, IE",
    )
    make_commitment(
        roblox,
        JOINS,
        initiative=initiative,
        kind=Commitment.Kind.MEMBERSHIP,
        announced_on=YEAR_2021,
        announced_precision=DatePrecision.YEAR,
        follow_up="stalled",
    )
    make_commitment(
        roblox,
        CONTROLS,
        summary="Parents can switch off voice chat for under-13s.",
        announced_on=CONTROLS_ON,
        worldwide=False,
        countries="DE",
    )
    make_commitment(
        roblox,
        DRAFT,
        published=False,
        initiative=initiative,
        kind=Commitment.Kind.AGE_RESTRICTION,
        announced_on=DRAFT_ON,
        follow_up="delivered",
    )


def titles_for(client, **params) -> list[str]:
    response = client.get(LIST_URL, params)
    assert response.status_code == 200, page_text(response)
    return listed_titles(response)


def test_it_lists_every_published_pledge_newest_first_and_no_draft(client, listing):
    assert titles_for(client) == [CONTROLS, REPORTING, TEEN_DMS, TEEN_ACCOUNTS, JOINS, VOLUNTARY]


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("meta", {VOLUNTARY, TEEN_ACCOUNTS, TEEN_DMS, REPORTING}),
        ("instagram", {TEEN_ACCOUNTS, TEEN_DMS}),
        ("whatsapp", {REPORTING}),
        ("roblox", {JOINS, CONTROLS}),
    ],
)
def test_the_platform_filter_includes_a_parents_children(client, listing, slug, expected):
    assert set(titles_for(client, platform=slug)) == expected


def test_the_initiative_filter_takes_a_slug(client, listing):
    assert titles_for(client, initiative="weprotect-global-alliance") == [JOINS]
    assert titles_for(client, initiative="voluntary-principles") == [VOLUNTARY]


def test_the_kind_filter(client, listing):
    assert titles_for(client, kind="age_restriction") == [TEEN_ACCOUNTS]
    assert titles_for(client, kind="membership") == [JOINS]


def test_the_status_filter(client, listing):
    assert titles_for(client, status="delivered") == [TEEN_ACCOUNTS]
    assert titles_for(client, status="stalled") == [JOINS]
    assert set(titles_for(client, status="announced")) == {VOLUNTARY, TEEN_DMS, REPORTING, CONTROLS}


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # A year starts on 1 January: the pledge known only as "2021" is in.
        ("2021", {JOINS, TEEN_ACCOUNTS, TEEN_DMS, REPORTING, CONTROLS}),
        ("2021-08", {TEEN_DMS, REPORTING, CONTROLS}),
        ("2021-07-27", {TEEN_ACCOUNTS, TEEN_DMS, REPORTING, CONTROLS}),
        ("2021-07-28", {TEEN_DMS, REPORTING, CONTROLS}),
    ],
)
def test_announced_after_starts_at_the_first_day_of_the_period(client, listing, after, expected):
    assert set(titles_for(client, announced_after=after)) == expected


def test_the_last_month_a_calendar_holds_is_a_period_like_any_other(client, listing):
    response = client.get(LIST_URL, {"announced_before": "9999-12"})
    assert response.status_code == 200
    assert len(listed_titles(response)) == Commitment.objects.published().count()


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        # announced_before=2021 includes all of 2021, December's pledge too.
        ("2021", {VOLUNTARY, JOINS, TEEN_ACCOUNTS, TEEN_DMS}),
        # A month includes its last days: 27 July is in "2021-07".
        ("2021-07", {VOLUNTARY, JOINS, TEEN_ACCOUNTS}),
        ("2021-07-26", {VOLUNTARY, JOINS}),
        ("2020", {VOLUNTARY}),
    ],
)
def test_announced_before_runs_to_the_last_day_of_the_period(client, listing, before, expected):
    assert set(titles_for(client, announced_before=before)) == expected


def test_announced_after_and_before_the_same_year_give_that_year(client, listing):
    titles = titles_for(client, announced_after="2021", announced_before="2021")
    assert set(titles) == {JOINS, TEEN_ACCOUNTS, TEEN_DMS}


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("GB", {VOLUNTARY, TEEN_ACCOUNTS, JOINS, TEEN_DMS}),
        ("gb", {VOLUNTARY, TEEN_ACCOUNTS, JOINS, TEEN_DMS}),
        ("IE", {VOLUNTARY, TEEN_ACCOUNTS, JOINS, REPORTING}),
        ("DE", {VOLUNTARY, TEEN_ACCOUNTS, JOINS, CONTROLS}),
        ("FR", {VOLUNTARY, TEEN_ACCOUNTS, JOINS}),
    ],
)
def test_worldwide_pledges_match_every_country(client, listing, country, expected):
    assert set(titles_for(client, country=country)) == expected


def test_the_follow_up_filter(client, listing):
    assert set(titles_for(client, follow_up="has")) == {TEEN_ACCOUNTS, TEEN_DMS, JOINS}
    assert set(titles_for(client, follow_up="lacks")) == {VOLUNTARY, REPORTING, CONTROLS}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("teen", {TEEN_ACCOUNTS, TEEN_DMS}),  # the title, in any case
        ("voice chat", {CONTROLS}),  # every word, the summary counts
        ("whatsapp", {REPORTING}),  # the platform's name
        ("ledger", {VOLUNTARY}),  # a source's title
        ("nobody", set()),  # a draft's title finds nothing
    ],
)
def test_q_searches_titles_summaries_platforms_and_sources(client, listing, q, expected):
    assert set(titles_for(client, q=q)) == expected


def test_filters_combine(client, listing):
    assert set(titles_for(client, platform="meta", follow_up="has")) == {TEEN_ACCOUNTS, TEEN_DMS}
    assert titles_for(client, platform="meta", country="GB", kind="age_restriction") == [
        TEEN_ACCOUNTS
    ]
    assert titles_for(client, platform="roblox", announced_after="2022", q="voice") == [CONTROLS]
    assert titles_for(client, platform="instagram", status="stalled") == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("announced", [VOLUNTARY, JOINS, TEEN_ACCOUNTS, TEEN_DMS, REPORTING, CONTROLS]),
        ("-announced", [CONTROLS, REPORTING, TEEN_DMS, TEEN_ACCOUNTS, JOINS, VOLUNTARY]),
        # Ties are broken by the order of recording, in the sort's direction, so that
        # pages never repeat a row and each order is the other read backwards.
        ("platform", [TEEN_ACCOUNTS, TEEN_DMS, VOLUNTARY, JOINS, CONTROLS, REPORTING]),
        ("-platform", [REPORTING, CONTROLS, JOINS, VOLUNTARY, TEEN_DMS, TEEN_ACCOUNTS]),
        # Along the life of a pledge: announced, delivered, stalled.
        ("status", [VOLUNTARY, TEEN_DMS, REPORTING, CONTROLS, TEEN_ACCOUNTS, JOINS]),
        ("-status", [JOINS, TEEN_ACCOUNTS, CONTROLS, REPORTING, TEEN_DMS, VOLUNTARY]),
    ],
)
def test_each_sort_order(client, listing, sort, expected):
    assert titles_for(client, sort=sort) == expected


def test_sort_by_status_follows_the_life_of_a_pledge_not_the_alphabet(client, platform):
    delivered = make_commitment(platform, "Delivered pledge")
    add_follow_up(delivered, status_after="delivered")
    in_progress = make_commitment(platform, "Pledge in progress")
    add_follow_up(in_progress, status_after="in_progress")
    make_commitment(platform, "Announced pledge")

    expected = ["Announced pledge", "Pledge in progress", "Delivered pledge"]
    assert titles_for(client, sort="status") == expected
    assert titles_for(client, sort="-status") == expected[::-1]


def test_sort_by_last_change(client, listing):
    noon = timezone.make_aware(datetime.datetime(2025, 1, 1, 12))
    order = [TEEN_ACCOUNTS, REPORTING, VOLUNTARY, CONTROLS, TEEN_DMS, JOINS]
    for hours, title in enumerate(order):
        Commitment.objects.filter(title=title).update(
            updated_at=noon + datetime.timedelta(hours=hours)
        )
    assert titles_for(client, sort="changed") == order
    assert titles_for(client, sort="-changed") == order[::-1]


def next_link(response) -> str:
    match = re.search(r'<a href="([^"]*)" rel="next">', response.content.decode())
    assert match, "no link to the next page"
    return match.group(1).replace("&amp;", "&")


def test_pages_of_25_keep_their_filters(client, platform):
    made = make_commitments(platform, 30)
    make_commitment(make_platform("Elsewhere"), "On another platform")
    params = {"platform": platform.slug, "follow_up": "has", "sort": "announced"}

    first = client.get(LIST_URL, params)
    link = next_link(first)
    # With the last row shown, which the next page is read on from.
    last_shown = Commitment.objects.get(title=listed_titles(first)[-1])
    expected = {**params, "page": "2", "after": str(last_shown.pk)}
    assert {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()} == expected
    second = client.get(LIST_URL + link)

    assert len(listed_titles(first)) == 25
    assert len(listed_titles(second)) == 5
    assert set(listed_titles(first)) | set(listed_titles(second)) == {c.title for c in made}
    assert "Page 2 of 2" in page_text(second)
    assert 'rel="next"' not in second.content.decode()
    assert 'rel="prev"' in second.content.decode()


def test_a_page_number_out_of_range_shows_the_last_page(client, platform):
    make_commitments(platform, 26)
    response = client.get(LIST_URL, {"page": "99"})
    assert response.status_code == 200
    assert len(listed_titles(response)) == 1
    assert len(listed_titles(client.get(LIST_URL, {"page": "first"}))) == 25


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"platform": "no-such-platform"},
            "platform: No platform is called “no-such-platform”: give its name or the last "
            "part of its page's address, as listed under Platforms.",
        ),
        ({"announced_after": "2021-13"}, "announced_after: '2021-13' is not a real date"),
        (
            {"announced_before": "March 2021"},
            "announced_before: 'March 2021' is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)",
        ),
        ({"sort": "bogus"}, "sort: Select a valid choice."),
        (
            {"follow_up": "maybe"},
            "follow_up: Select a valid choice. maybe is not one of the available choices.",
        ),
        ({"country": "G"}, "country: Enter a two-letter country code, such as GB."),
    ],
)
def test_invalid_input_is_a_400_that_says_what_is_wrong(client, listing, params, message):
    response = client.get(LIST_URL, params)
    assert response.status_code == 400
    assert message in page_text(response)
    assert "Some filters could not be read" in page_text(response)
    assert "Fix the filters above to see commitments." in page_text(response)
    # No listing that silently ignores the bad filter.
    assert listed_titles(response) == []


def test_a_one_letter_country_does_not_match_codes_containing_it(client, listing):
    # "B" is in "GB": a substring match would list the UK-only pledge.
    assert client.get(LIST_URL, {"country": "B"}).status_code == 400


def test_the_active_filters_are_spelled_out_with_a_way_to_clear_them(client, listing):
    response = client.get(LIST_URL, {"platform": "meta", "follow_up": "has", "sort": "status"})
    text = page_text(response)
    line = re.search(r'<p class="active-filters">(.*?)</p>', text, re.S).group(1)
    assert "<strong>platform</strong> is “Meta”" in line
    assert "<strong>follow-up</strong> is “Has follow-up evidence”" in line
    assert "sort" not in line.lower()
    assert f'<a href="{LIST_URL}">Clear filters</a>' in line
    # The form shows the choices in force.
    assert 'name="platform" value="meta"' in text
    assert '<option value="has" selected>' in text


def test_a_platform_is_named_by_slug_or_by_name_in_a_text_box(client, listing):
    by_slug = listed_titles(client.get(LIST_URL, {"platform": "meta"}))
    assert by_slug
    assert listed_titles(client.get(LIST_URL, {"platform": "META"})) == by_slug
    # A text box: the form lists no platform, however many there are.
    text = page_text(client.get(LIST_URL))
    assert re.search(r'<input type="text" name="platform"[^>]*>', text)
    assert "Any platform" not in text
    assert 'value="meta"' not in text


def test_a_platform_named_like_another_ones_slug_gives_way_to_that_slug(client, listing):
    Platform.objects.create(name="meta", slug="imitation")  # named as Meta's slug
    meta = set(listed_titles(client.get(LIST_URL, {"platform": "meta"})))
    assert meta and meta == set(
        Commitment.objects.published()
        .of_platform(Platform.objects.get(slug="meta"))
        .values_list("title", flat=True)
    )


def test_an_overlong_platform_is_refused_without_a_query(client, listing):
    response = client.get(LIST_URL, {"platform": "x" * 50_000})
    assert response.status_code == 400
    assert "No platform's name is longer than 200 characters" in page_text(response)


def test_no_active_filter_line_without_filters(client, listing):
    response = client.get(LIST_URL, {"sort": "announced"})
    assert 'class="active-filters"' not in response.content.decode()
    assert f'<a href="{LIST_URL}">Clear all filters</a>' in page_text(response)


def test_no_match_says_how_to_widen_the_search(client, listing):
    response = client.get(LIST_URL, {"q": "no such words anywhere"})
    assert response.status_code == 200
    assert "No published commitment matches these filters" in page_text(response)
    assert f'<a href="{LIST_URL}">see them all</a>' in page_text(response)
    assert "Fix the filters" not in page_text(response)


# What a row shows, and the form around the rows.


def row_of(response, title: str) -> str:
    rows = re.findall(r'<li class="commitment">(.*?)</ul>\s*</li>', response.content.decode(), re.S)
    return next(row for row in rows if f">{title}</a></h3>" in row)


def test_a_row_gives_platform_title_status_dates_summary_and_sources(client, listing):
    row = row_of(client.get(LIST_URL), CONTROLS)
    assert '<a href="/platforms/roblox/">Roblox</a>' in row
    assert '<p class="summary">Parents can switch off voice chat for under-13s.</p>' in row
    facts = [
        " ".join(re.sub(r"<[^>]+>", "", fact).split())
        for fact in re.findall(r"<li[^>]*>(.*?)</li>", row.split('<ul class="row-facts">')[1], re.S)
    ]
    assert facts[:4] == [
        "Announced, not yet rated",
        "Announced 30 June 2022",
        "No follow-up evidence recorded yet",
        "1 source",
    ]


def test_a_rows_source_count_is_of_the_pledges_own_sources(client, listing):
    voluntary = Commitment.objects.get(title=VOLUNTARY)
    Citation.objects.create(commitment=voluntary, source=make_source(title="A second source"))
    assert "<li>2 sources</li>" in row_of(client.get(LIST_URL), VOLUNTARY)


def test_a_long_summary_is_cut_to_one_line_of_text(client, platform):
    make_commitment(platform, "Wordy pledge", summary="word " * 200)
    summary = re.search(r'<p class="summary">(.*?)</p>', client.get(LIST_URL).content.decode())
    assert len(summary.group(1)) <= 200
    assert summary.group(1).endswith("…")


def test_the_filters_fold_behind_a_summary_of_what_is_active(client, listing):
    markup = client.get(LIST_URL, {"platform": "roblox", "status": "stalled"}).content.decode()
    fold = re.search(
        r'<details class="filter-fold"( open)?>\s*<summary>(.*?)</summary>', markup, re.S
    )
    assert fold.group(1) is None, "folded when nothing is wrong"
    assert " ".join(re.sub(r"<[^>]+>", "", fold.group(2)).split()) == (
        "Filters and sorting: 2 active (platform: Roblox; status: Stalled)"
    )
    assert "Filters and sorting</summary>" in client.get(LIST_URL).content.decode()


def test_the_filters_open_when_one_is_refused(client, listing):
    markup = client.get(LIST_URL, {"announced_after": "2021-13"}).content.decode()
    assert '<details class="filter-fold" open>' in markup


@pytest.mark.parametrize(
    ("params", "after", "before"),
    [
        ({"announced_after": "2021", "announced_before": "2021"}, "2021-01-01", "2021-12-31"),
        ({"announced_after": "2021-02", "announced_before": "2024-02"}, "2021-02-01", "2024-02-29"),
        (
            {"announced_after": "2021-02-03", "announced_before": "2021-02-04"},
            "2021-02-03",
            "2021-02-04",
        ),
    ],
)
def test_date_inputs_show_the_day_a_year_or_month_means(client, listing, params, after, before):
    markup = client.get(LIST_URL, params).content.decode()
    for name, day in (("announced_after", after), ("announced_before", before)):
        field = re.search(rf'<input type="date" name="{name}"[^>]*>', markup).group(0)
        assert f'value="{day}"' in field
        assert 'min="1990-01-01"' in field and 'max="2099-12-31"' in field


def test_the_day_a_date_input_shows_finds_the_same_pledges(client, listing):
    as_typed = titles_for(client, announced_after="2021", announced_before="2021")
    as_shown = titles_for(client, announced_after="2021-01-01", announced_before="2021-12-31")
    assert as_typed == as_shown == [TEEN_DMS, TEEN_ACCOUNTS, JOINS]


def test_sort_names_say_what_comes_first_and_none_repeats_the_default(client, db):
    markup = client.get(LIST_URL).content.decode()
    select = re.search(r'<select name="sort"[^>]*>(.*?)</select>', markup, re.S).group(1)
    options = re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select)
    assert options[0] == ("-announced", "Newest announced first")
    values = [value for value, _ in options]
    labels = [label for _, label in options]
    assert "" not in values
    assert len(set(values)) == len(values) == 8 and len(set(labels)) == 8
    assert all("descending" not in label for label in labels)


def test_the_filter_form_made_once_still_reads_new_initiatives_and_errors_apart(db):
    from commitments.public.filters import CommitmentFilterSet

    # The form class is made once for the FilterSet class (commitments/public/filters.py):
    # each form still has fields of its own, and reads the initiatives when it is made.
    first = CommitmentFilterSet({"initiative": "new-code"})
    assert not first.is_valid()
    Initiative.objects.create(name="New code", slug="new-code")
    second = CommitmentFilterSet({"initiative": "new-code", "status": "nonsense"})
    assert type(first.form) is type(second.form)
    assert not second.is_valid()
    assert "initiative" not in second.errors and "status" in second.errors
    assert "status" not in first.errors
    assert first.form.fields["status"] is not second.form.fields["status"]


def test_a_slow_count_is_kept_for_its_filters_and_the_page_says_when(client, listing, monkeypatch):
    from django.core.cache import cache

    from commitments.public import kept

    def count(response) -> str:
        return re.search(r'<p class="count">(\d+) commitments?\.', page_text(response))[1]

    assert "Counted at" not in page_text(client.get(LIST_URL, {"platform": "meta"}))
    cache.clear()
    monkeypatch.setattr(kept, "SLOW", -1)  # as a search's count on PostgreSQL at a million
    meta = client.get(LIST_URL, {"platform": "meta", "sort": "announced"})
    roblox = client.get(LIST_URL, {"platform": "roblox"})
    make_commitment(Platform.objects.get(slug="instagram"), "A new Instagram pledge")

    # Kept for the same filters, whatever the order or the page; another filter's apart.
    again = client.get(LIST_URL, {"platform": "Meta", "page": "1"})
    assert count(again) == count(meta) == "4"
    assert re.search(
        r"Counted at \d\d:\d\d \(\w+\), and counted again every 5 minutes", page_text(again)
    )
    assert count(client.get(LIST_URL, {"platform": "instagram"})) == "3"  # counted now
    assert count(roblox) == "2"
    cache.clear()  # its time up
    assert count(client.get(LIST_URL, {"platform": "meta"})) == "5"
