"""Platforms, initiatives and the matrix: pledges grouped by status, parents with their
children, who joined what and when, and who did not."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from commitments.dates import DatePrecision
from commitments.models import Commitment, Initiative, Platform
from commitments.public.directory import PER_STATUS
from tests.factories import add_follow_up, make_commitment, make_commitments, make_platform
from tests.page_helpers import page_text, section_titles, sections

MARCH_2020 = datetime.date(2020, 3, 1)
JULY_2021 = datetime.date(2021, 7, 27)
YEAR_2022 = datetime.date(2022, 1, 1)
JANUARY_10_2022 = datetime.date(2022, 1, 10)
FOLLOWED_UP_ON = datetime.date(2023, 2, 14)
DRAFT_ON = datetime.date(2019, 5, 5)

FB_PLEDGE = "Meta endorses the Voluntary Principles"
IG_DELIVERED = "Teen accounts private by default"
IG_ANNOUNCED = "Sensitive content control for teens"
WA_PLEDGE = "WhatsApp joins WeProtect"
DRAFT = "Draft Meta pledge"


@pytest.fixture
def principles(db):
    return Initiative.objects.create(name="Voluntary Principles", kind=Initiative.Kind.PRINCIPLES)


@pytest.fixture
def meta(initiative, principles):
    """Meta, with Instagram and WhatsApp under it, and pledges of each."""
    meta = make_platform("Meta")
    instagram = make_platform("Instagram", parent=meta)
    whatsapp = make_platform("WhatsApp", parent=meta)
    make_commitment(
        meta,
        FB_PLEDGE,
        initiative=principles,
        kind=Commitment.Kind.ENDORSEMENT,
        announced_on=MARCH_2020,
        announced_precision=DatePrecision.MONTH,
    )
    delivered = make_commitment(instagram, IG_DELIVERED, announced_on=JULY_2021)
    add_follow_up(
        delivered,
        happened_on=FOLLOWED_UP_ON,
        status_after="delivered",
        summary="Rolled out to every teen account.",
    )
    make_commitment(instagram, IG_ANNOUNCED, announced_on=JANUARY_10_2022)
    make_commitment(
        whatsapp,
        WA_PLEDGE,
        initiative=initiative,
        kind=Commitment.Kind.MEMBERSHIP,
        announced_on=YEAR_2022,
        announced_precision=DatePrecision.YEAR,
    )
    make_commitment(meta, DRAFT, published=False, initiative=initiative, announced_on=DRAFT_ON)
    return meta


def platform_page(client, slug):
    response = client.get(reverse("commitments:platform", args=[slug]))
    assert response.status_code == 200
    return response


def test_a_platform_page_groups_pledges_by_status(client, meta):
    found = sections(platform_page(client, "meta"))
    assert "Pledges by status (4)" in found
    assert set(section_titles(found["Announced, not yet rated (3)"])) == {
        FB_PLEDGE,
        IG_ANNOUNCED,
        WA_PLEDGE,
    }
    assert section_titles(found["Delivered, per the platform (1)"]) == [IG_DELIVERED]


def test_a_busy_status_shows_its_newest_pledges_and_links_to_the_rest(client, platform):
    for n in range(12):
        make_commitment(platform, f"Pledge {n:02d}", announced_on=datetime.date(2020, 1, 1 + n))

    page = platform_page(client, platform.slug)

    announced = sections(page)["Announced, not yet rated (12)"]
    assert re.findall(r'<h3><a href="/commitments/[^"]+/">(.*?)</a>', announced) == [
        f"Pledge {n:02d}" for n in range(11, 11 - PER_STATUS, -1)
    ]
    link = f"/commitments/?platform={platform.slug}&amp;status=announced"
    assert f'<a href="{link}">All 12 pledges with this status</a>' in page.content.decode()


def test_a_parents_page_includes_its_childrens_pledges_and_not_drafts(client, meta):
    text = page_text(platform_page(client, "meta"))
    for title in (FB_PLEDGE, IG_DELIVERED, IG_ANNOUNCED, WA_PLEDGE):
        assert title in text
    assert DRAFT not in text


def test_a_childs_page_holds_only_its_own_pledges(client, meta):
    text = page_text(platform_page(client, "instagram"))
    assert IG_DELIVERED in text
    assert IG_ANNOUNCED in text
    assert FB_PLEDGE not in text
    assert WA_PLEDGE not in text


def test_parent_and_children_link_to_each_other(client, meta):
    parent = page_text(platform_page(client, "meta"))
    assert (
        'Includes: <a href="/platforms/instagram/">Instagram</a>, '
        '<a href="/platforms/whatsapp/">WhatsApp</a>.'
    ) in parent
    child = page_text(platform_page(client, "instagram"))
    breadcrumb = re.search(r'<p class="breadcrumb">(.*?)</p>', child).group(1)
    assert '<a href="/platforms/meta/">Meta</a>' in breadcrumb


def test_a_platform_page_lists_its_initiatives_with_dates(client, meta):
    memberships = sections(platform_page(client, "meta"))["Initiatives"]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", memberships, re.S)
    assert len(rows) == 2
    assert "Voluntary Principles" in rows[1] and "March 2020" in rows[1]
    assert "WeProtect Global Alliance" in rows[0] and "<td>2022</td>" in rows[0]


def test_the_timeline_holds_pledges_and_follow_ups_newest_first(client, meta):
    timeline = sections(platform_page(client, "meta"))["Timeline"]
    events = [
        re.sub(r"<[^>]+>|\s+", " ", item).split()
        for item in re.findall(r"<li>(.*?)</li>", timeline, re.S)
    ]
    whens = [" ".join(words[: words.index("·")]) for words in events]
    assert whens == ["14 February 2023", "10 January 2022", "2022", "27 July 2021", "March 2020"]
    follow_up = " ".join(events[0])
    assert "Progress report on" in follow_up
    assert IG_DELIVERED in follow_up
    assert "now delivered" in follow_up


def test_a_platform_without_pledges_says_where_to_look(client, db):
    make_platform("Quiet Platform")
    text = page_text(platform_page(client, "quiet-platform"))
    assert "No published pledge by Quiet Platform is recorded yet." in text
    assert 'href="/matrix/"' in text


def test_an_unknown_platform_is_not_found(client, db):
    assert client.get("/platforms/nobody/").status_code == 404


def test_the_platform_list_counts_published_pledges_with_a_parents_childrens(client, meta):
    text = page_text(client.get(reverse("commitments:platforms")))
    # As Meta's own page and the listing's platform filter count them: 4, not its 1 own.
    row = re.search(r'<a href="/platforms/meta/">Meta</a></th>(.*?)</tr>', text, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["4", "1"]
    row = re.search(r'<a href="/platforms/instagram/">Instagram</a>(.*?)</tr>', text, re.S)
    assert '<a href="/platforms/meta/">Meta</a>' in row.group(1)
    assert re.findall(r"<td>(\d+)</td>", row.group(1)) == ["2", "1"]


def meta_counts(client) -> list[str]:
    text = page_text(client.get(reverse("commitments:platforms")))
    row = re.search(r'<a href="/platforms/meta/">Meta</a></th>(.*?)</tr>', text, re.S).group(1)
    return re.findall(r"<td>(\d+)</td>", row)


def test_the_platform_lists_counts_are_kept_a_while_only_when_slow(client, meta, monkeypatch):
    from django.core.cache import cache

    from commitments.public import kept

    assert meta_counts(client) == ["4", "1"]
    make_commitment(Platform.objects.get(slug="meta"), "Another Meta pledge")
    # Quick: counted afresh, and nothing said.
    assert meta_counts(client) == ["5", "1"]
    assert "Counted at" not in page_text(client.get(reverse("commitments:platforms")))

    monkeypatch.setattr(kept, "SLOW", -1)  # as at a million pledges
    assert meta_counts(client) == ["5", "1"]
    make_commitment(Platform.objects.get(slug="meta"), "Yet another Meta pledge")
    page = page_text(client.get(reverse("commitments:platforms")))
    assert meta_counts(client) == ["5", "1"]
    assert re.search(r"Counted at \d\d:\d\d \(\w+\), and counted again every 5 minutes", page)
    cache.clear()  # its time is up
    assert meta_counts(client) == ["6", "1"]


def initiative_page(client, slug):
    response = client.get(reverse("commitments:initiative", args=[slug]))
    assert response.status_code == 200
    return response


def test_an_initiative_lists_its_members_with_dates_and_follow_up(client, meta, commitment):
    add_follow_up(commitment, happened_on=FOLLOWED_UP_ON)
    members = sections(initiative_page(client, "weprotect-global-alliance"))
    rows = re.findall(
        r"<tr><th scope=\"row\">(.*?)</tr>", members["Platforms that pledged (2)"], re.S
    )
    assert len(rows) == 2
    tiktok, whatsapp = rows
    assert "TikTok" in tiktok and "22 June 2020" in tiktok and "14 February 2023" in tiktok
    assert "WhatsApp" in whatsapp and "<td>2022</td>" in whatsapp and "None recorded" in whatsapp


def test_an_initiative_names_the_tracked_platforms_that_have_not_joined(client, meta, commitment):
    absent = sections(initiative_page(client, "weprotect-global-alliance"))[
        "Tracked platforms with no pledge recorded"
    ]
    names = re.findall(r'<a href="/platforms/[^"]+/">(.*?)</a>', absent)
    # Meta's only pledge to it is a draft: it has not joined in public.
    assert names == ["Instagram", "Meta"]


def test_an_initiative_with_no_pledges_says_so(client, principles):
    found = sections(initiative_page(client, "voluntary-principles"))
    assert (
        "No published pledge to this initiative is recorded yet."
        in found["Platforms that pledged (0)"]
    )


def test_the_initiative_list_counts_platforms_with_published_pledges(client, meta, commitment):
    text = page_text(client.get(reverse("commitments:initiatives")))
    row = re.search(r">WeProtect Global Alliance</a></th>(.*?)</tr>", text, re.S).group(1)
    assert row.strip().endswith("<td>2</td>")  # TikTok and WhatsApp, not Meta's draft


PRINT_ONLY = re.compile(r'<span class="print-only">.*?</span>')


def matrix_cells(response) -> dict[tuple[str, str], str]:
    """{(platform, initiative): the cell's text}."""
    markup = response.content.decode()
    initiatives = re.findall(
        r'<th scope="col"><a href="/initiatives/[^"]+/">(.*?)</a></th>', markup
    )
    cells = {}
    for platform, row in re.findall(
        r'<th scope="row"><a href="/platforms/[^"]+/">(.*?)</a></th>(.*?)</tr>', markup, re.S
    ):
        texts = [
            # As on screen: without what is shown only on paper.
            " ".join(re.sub(r"<[^>]+>", " ", PRINT_ONLY.sub("", cell)).split())
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        cells.update({(platform, i): t for i, t in zip(initiatives, texts, strict=True)})
    return cells


def test_the_matrix_shows_the_status_and_date_of_each_joined_pair_and_nothing_for_others(
    client, meta, commitment
):
    cells = matrix_cells(client.get(reverse("commitments:matrix")))
    assert cells == {
        ("Instagram", "Voluntary Principles"): "— none",
        ("Instagram", "WeProtect Global Alliance"): "— none",
        ("Meta", "Voluntary Principles"): "Announced, not yet rated March 2020",
        # Meta's pledge to WeProtect is a draft: it does not count.
        ("Meta", "WeProtect Global Alliance"): "— none",
        ("TikTok", "Voluntary Principles"): "— none",
        ("TikTok", "WeProtect Global Alliance"): "Announced, not yet rated 22 June 2020",
        ("WhatsApp", "Voluntary Principles"): "— none",
        ("WhatsApp", "WeProtect Global Alliance"): "Announced, not yet rated 2022",
    }


def test_a_matrix_cell_shows_the_pairs_first_pledge_and_how_many_more(
    client, meta, principles, commitment
):
    tiktok = Platform.objects.get(name="TikTok")
    later = make_commitment(
        tiktok,
        "TikTok reports to the Voluntary Principles",
        initiative=principles,
        announced_on=datetime.date(2023, 5, 1),
    )
    add_follow_up(later, status_after="in_progress")
    make_commitment(
        tiktok,
        "TikTok renews its Voluntary Principles pledge",
        initiative=principles,
        announced_on=datetime.date(2024, 5, 1),
    )
    cells = matrix_cells(client.get(reverse("commitments:matrix")))
    assert cells[("TikTok", "Voluntary Principles")] == "In progress 1 May 2023 and 1 more"


def test_on_a_phone_the_matrix_is_a_card_per_platform(client, meta, commitment):
    markup = client.get(reverse("commitments:matrix")).content.decode()
    cards = dict(
        re.findall(
            r'<li class="matrix-card">\s*<h2><a href="/platforms/[^"]+/">(.*?)</a></h2>'
            r'(.*?)</li>\s*(?=<li class="matrix-card">|</ol>)',
            markup,
            re.S,
        )
    )
    assert sorted(cards) == ["Instagram", "Meta", "TikTok", "WhatsApp"]
    tiktok = " ".join(re.sub(r"<[^>]+>", "", cards["TikTok"]).split())
    assert tiktok == (
        "WeProtect Global Alliance, 22 June 2020: Announced, not yet rated "
        "No pledge recorded to 1 other initiative."
    )
    assert " ".join(re.sub(r"<[^>]+>", "", cards["Instagram"]).split()) == (
        "No pledge recorded to any of the 2 initiatives."
    )


def test_a_matrix_cell_links_to_the_pairs_pledges(client, meta):
    body = client.get(reverse("commitments:matrix")).content.decode()
    assert 'href="/commitments/?platform=whatsapp&amp;initiative=weprotect-global-alliance"' in body


def test_the_badge_snippet_keeps_a_quote_in_a_name_inside_its_attribute(client, db):
    platform = make_platform('Evil" onload="alert(1)')

    page = platform_page(client, platform.slug).content.decode()

    snippet = re.search(r'<textarea id="badge-code"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    copied = html.unescape(snippet)  # what a person copies out of the textarea
    assert 'alt="Evil&quot; onload=&quot;alert(1)\'s child-safety pledges"' in copied
    assert 'onload="alert' not in copied


def test_a_platforms_name_is_escaped(client, db):
    Platform.objects.create(name="<i>Evil</i> & Co", slug="evil")
    Initiative.objects.create(name="Any initiative", kind=Initiative.Kind.OTHER)
    for url in ("/platforms/", "/platforms/evil/", "/matrix/"):
        body = client.get(url).content.decode()
        assert "<i>Evil</i>" not in body
        assert "&lt;i&gt;Evil&lt;/i&gt; &amp; Co" in body


def test_an_initiatives_pledges_come_a_page_at_a_time(client, initiative):
    from commitments.public.directory import DIRECTORY_PAGE_SIZE

    for n in range(DIRECTORY_PAGE_SIZE // 10 + 1):
        make_commitments(make_platform(f"Platform {n:02}"), 10)
    for made in Commitment.objects.all():
        Commitment.objects.filter(pk=made.pk).update(initiative=initiative)
    total = DIRECTORY_PAGE_SIZE + 10
    pages = [initiative_page(client, initiative.slug)]
    pages.append(client.get(reverse("commitments:initiative", args=[initiative.slug]), {"page": 2}))
    rows = [
        re.findall(r'<tr><th scope="row">', sections(page)[f"Platforms that pledged ({total})"])
        for page in pages
    ]
    assert [len(found) for found in rows] == [DIRECTORY_PAGE_SIZE, 10]
    assert 'rel="next"' in pages[0].content.decode()
    assert 'rel="prev"' in pages[1].content.decode()
