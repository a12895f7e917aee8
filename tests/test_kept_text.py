"""A source's kept text: on the public pages (the source's line, its own page, never for
a source the public cannot see), and in the admin (versions, a diff of two, the diff on a
wording-changed flag)."""

import datetime

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from commitments.admin.kept_text import text_diff
from commitments.models import Citation, Flag, FollowUp, SourceSnapshot
from tests.factories import add_follow_up, make_commitment, make_platform, make_source
from tests.staff_login import log_in

FIRST = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
CHANGED = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC)


def keep(source, text: str, seen: datetime.datetime) -> SourceSnapshot:
    return SourceSnapshot.objects.create(
        source=source,
        text=text,
        sha256=f"{hash(text) & 0xFFFFFFFF:064x}",
        content_type="text/html",
        fetched_url=source.url,
        first_seen_at=seen,
        last_seen_at=seen,
    )


@pytest.fixture
def cited(db):
    """A published pledge citing a source whose text changed once."""
    source = make_source(title="Teen accounts announced")
    pledge = make_commitment(make_platform("Instagram"), "Teen accounts", with_source=False)
    Citation.objects.create(commitment=pledge, source=source, quote="Private by default.")
    keep(source, "Teen accounts are private by default.", FIRST)
    keep(source, "Teen accounts are <b>mostly</b> private.", CHANGED)
    return pledge, source


def text_url(source) -> str:
    return reverse("commitments:source_text", args=[source.pk])


# Public ----------------------------------------------------------------------------------


def test_a_pledges_source_line_says_since_when_its_text_is_kept(client, cited):
    pledge, source = cited

    response = client.get(reverse("commitments:detail", args=[pledge.slug]))

    assertContains(response, "Text kept since 1 March 2026, last changed 20 May 2026")
    assertContains(response, f'href="{text_url(source)}"')


def test_a_source_with_one_version_reads_unchanged(client, db):
    source = make_source()
    pledge = make_commitment(make_platform("Roblox"), with_source=False)
    Citation.objects.create(commitment=pledge, source=source)
    keep(source, "One text.", FIRST)

    response = client.get(reverse("commitments:detail", args=[pledge.slug]))

    assertContains(response, "Text kept since 1 March 2026, unchanged")


def test_the_kept_text_page_shows_the_newest_text_escaped_and_every_version(client, cited):
    _pledge, source = cited

    response = client.get(text_url(source))

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assertContains(response, "Teen accounts are &lt;b&gt;mostly&lt;/b&gt; private.")
    assertNotContains(response, "<b>mostly</b>")
    assertContains(response, "Text kept since 1 March 2026; last changed 20 May 2026")
    older = source.snapshots.get(first_seen_at=FIRST)
    assertContains(response, f'href="?version={older.pk}"')


def test_an_older_version_opens_by_its_id_and_a_made_up_one_is_404(client, cited):
    _pledge, source = cited
    older = source.snapshots.get(first_seen_at=FIRST)

    assertContains(client.get(text_url(source), {"version": older.pk}), "private by default")
    assert client.get(text_url(source), {"version": "999999"}).status_code == 404
    assert client.get(text_url(source), {"version": "x"}).status_code == 404


@pytest.mark.parametrize("why", ["sensitive", "draft", "uncited", "draft rating"])
def test_no_kept_text_for_a_source_the_public_cannot_see(client, db, why):
    source = make_source(sensitive=why == "sensitive")
    platform = make_platform("Twitch")
    if why == "draft":
        pledge = make_commitment(platform, published=False, with_source=False)
        Citation.objects.create(commitment=pledge, source=source)
    elif why == "draft rating":
        pledge = make_commitment(platform)
        follow_up = add_follow_up(pledge, status_after="delivered", with_source=False)
        FollowUp.objects.filter(pk=follow_up.pk).update(approved_at=None)  # an Editor's draft
        Citation.objects.create(follow_up=follow_up, source=source)
    elif why == "sensitive":
        pledge = make_commitment(platform, with_source=False)
        Citation.objects.create(commitment=pledge, source=source)
    keep(source, "Words.", FIRST)

    assert client.get(text_url(source)).status_code == 404


def test_a_sensitive_sources_line_never_offers_kept_text(client, db):
    source = make_source(sensitive=True)
    pledge = make_commitment(make_platform("Omegle"), with_source=False)
    Citation.objects.create(commitment=pledge, source=source)
    keep(source, "Words kept by mistake.", FIRST)  # the job never does this

    response = client.get(reverse("commitments:detail", args=[pledge.slug]))

    assertNotContains(response, "Text kept since")


def test_a_source_with_nothing_kept_has_no_page(client, db):
    source = make_source()
    pledge = make_commitment(make_platform("Yubo"), with_source=False)
    Citation.objects.create(commitment=pledge, source=source)

    assert client.get(text_url(source)).status_code == 404


def test_the_pledge_page_adds_no_query_per_source(client, cited, django_assert_max_num_queries):
    pledge, _source = cited
    url = reverse("commitments:detail", args=[pledge.slug])
    client.get(url)
    with django_assert_max_num_queries(30) as one:
        client.get(url)
    for n in range(3):
        more = make_source()
        Citation.objects.create(commitment=pledge, source=more)
        keep(more, f"Text {n}", FIRST)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


# Admin -----------------------------------------------------------------------------------


def test_the_diff_marks_removed_and_added_lines_and_escapes_them():
    diff = text_diff("Same line\nWe <will> ban it.\nEnd", "Same line\nWe may ban it.\nEnd")

    assert "<del>-We &lt;will&gt; ban it.</del>" in diff
    assert "<ins>+We may ban it.</ins>" in diff
    assert text_diff("a\nb", "a\nb") == ""


def test_staff_see_the_versions_and_their_diff(client, editor, cited):
    _pledge, source = cited
    log_in(client, editor)

    page = client.get(reverse("admin:commitments_source_change", args=[source.pk]))
    assertContains(page, "2 versions kept")
    versions = client.get(reverse("admin:commitments_source_versions", args=[source.pk]))

    assert versions.status_code == 200
    assertContains(versions, "<del>-Teen accounts are private by default.</del>", html=False)
    assertContains(versions, "<ins>+Teen accounts are &lt;b&gt;mostly&lt;/b&gt; private.</ins>")


def test_two_chosen_versions_are_compared(client, editor, cited):
    _pledge, source = cited
    log_in(client, editor)
    newer = source.snapshots.get(first_seen_at=CHANGED)
    url = reverse("admin:commitments_source_versions", args=[source.pk])

    response = client.get(url, {"old": newer.pk, "new": newer.pk})

    assertContains(response, "The two versions have the same text.")


def test_the_versions_page_needs_staff_and_a_real_source(client, editor, cited):
    _pledge, source = cited
    url = reverse("admin:commitments_source_versions", args=[source.pk])
    assert client.get(url).status_code == 302  # to the login
    log_in(client, editor)
    assert (
        client.get(reverse("admin:commitments_source_versions", args=[999999])).status_code == 404
    )


def test_a_wording_flag_shows_its_diff_and_how_to_confirm(client, editor, cited):
    pledge, source = cited
    newer = source.snapshots.get(first_seen_at=CHANGED)
    flag = Flag.objects.create(
        commitment=pledge,
        reason=Flag.Reason.WORDING_CHANGED,
        source=source,
        snapshot=newer,
        detail="Not found: “Private by default.”",
    )
    log_in(client, editor)

    response = client.get(reverse("admin:commitments_flag_change", args=[flag.pk]))

    assertContains(response, "Not found: “Private by default.”")
    assertContains(response, "<del>-Teen accounts are private by default.</del>")
    assertContains(response, f"?commitment={pledge.pk}&amp;kind=reversal")


def test_an_empty_old_shows_the_whole_text_of_a_version(client, editor, cited):
    _pledge, source = cited
    log_in(client, editor)
    url = reverse("admin:commitments_source_versions", args=[source.pk])

    response = client.get(url, {"old": ""})

    assertContains(response, "The text first seen")
    assertContains(response, "Teen accounts are &lt;b&gt;mostly&lt;/b&gt; private.")


def test_a_sensitive_or_odd_id_has_no_versions_page(client, editor, cited):
    _pledge, source = cited
    log_in(client, editor)
    odd = reverse("admin:commitments_source_versions", args=["²"])
    assert client.get(odd).status_code == 404
    source.sensitive = True
    source.save()
    url = reverse("admin:commitments_source_versions", args=[source.pk])
    assert client.get(url).status_code == 404


def test_staff_marking_a_source_sensitive_deletes_its_kept_text(client, reviewer, cited):
    from tests.admin_forms import page_data

    _pledge, source = cited
    log_in(client, reviewer)
    url = reverse("admin:commitments_source_change", args=[source.pk])
    data = page_data(client.get(url))
    data["sensitive"] = "on"

    response = client.post(url, data, follow=True)

    assertContains(response, "Its 2 kept versions of text were deleted.")
    assert not source.snapshots.exists()
