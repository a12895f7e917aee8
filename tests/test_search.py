"""Free-text search (`q`) and the indexes behind the list's filters and sorts.

The suite runs on PostgreSQL (scripts/with-test-services), where `search()` reads the
stored search document; SQLite's FTS5 search has its own tests, on an in-memory SQLite
database (tests/test_sqlite_search.py).
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from commitments.curation.publishing import commitments_publish, commitments_unpublish
from commitments.models import Citation, Commitment
from commitments.refresh import commitments_refresh
from tests.admin_forms import add_inline_row, page_data
from tests.factories import make_commitment, make_platform, make_source, queries_for
from tests.search_cases import CASES, SUMMARY, TEEN, VOICE
from tests.staff_login import log_in

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the search document and its GIN index are PostgreSQL's",
    ),
]


def found(text: str) -> set[str]:
    return set(Commitment.objects.search(text).values_list("title", flat=True))


@pytest.fixture
def pledges(platform, source):
    """The conftest pledge cites "TikTok joins WeProtect Global Alliance"."""
    teen = make_commitment(platform, title=TEEN, summary=SUMMARY)
    other = make_commitment(make_platform("Roblox"), title=VOICE)
    Citation.objects.create(commitment=other, source=make_source(title="Ledger of checks"))
    commitments_refresh(commitments=[other.pk])
    return teen, other


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_search_matches_the_start_of_words_in_every_field(pledges, text, expected):
    assert found(text) == expected


# The document follows every edit staff make in the admin.


def admin_post(client, url: str, **changes) -> None:
    data = page_data(client.get(url))
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]


def test_the_document_follows_edits_to_the_pledge(client, reviewer, pledges):
    teen, _ = pledges
    log_in(client, reviewer)
    admin_post(client, change_url(teen), title="Sensitive content filter")
    assert found("sensitive") == {"Sensitive content filter"}
    assert found("teen") == set()


def test_the_document_follows_the_platform_name(client, reviewer, pledges, platform):
    log_in(client, reviewer)
    admin_post(client, change_url(platform), name="Douyin")
    assert found("douyin") == {"Teen accounts are private by default"}
    assert found("tiktok") == set()


def test_the_document_follows_citations_and_source_titles(client, reviewer, pledges, source):
    teen, _ = pledges
    log_in(client, reviewer)
    assert found("weprotect") == set()  # the source is cited by nobody yet
    data = page_data(client.get(change_url(teen)))
    add_inline_row(data, "citations", source=str(source.pk))
    assert client.post(change_url(teen), data).status_code == 302
    assert found("weprotect") == {"Teen accounts are private by default"}

    admin_post(client, change_url(source), title="Newsroom statement on alliances")
    assert found("alliances") == {"Teen accounts are private by default"}
    assert found("weprotect") == set()

    cited = teen.citations.get(source=source)
    data = page_data(client.get(change_url(teen)))
    index = next(n for n in range(2) if data[f"citations-{n}-id"] == str(cited.pk))
    admin_post(client, change_url(teen), **{f"citations-{index}-DELETE": "on"})
    assert found("alliances") == set()


def change_url(record) -> str:
    meta = record._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])


def test_the_document_follows_a_name_put_back_from_the_history(client, reviewer, pledges, platform):
    log_in(client, reviewer)
    admin_post(client, change_url(platform), name="Douyin")
    original = platform.history.order_by("history_id").first()
    revert = reverse(
        "admin:commitments_platform_simple_history", args=[platform.pk, original.history_id]
    )
    assert found("douyin")

    assert client.post(revert, page_data(client.get(revert))).status_code == 302

    assert found("tiktok") == {"Teen accounts are private by default"}
    assert found("douyin") == set()


def test_load_data_is_searchable():
    call_command("generate_load_data", commitments=30, seed=3, verbosity=0)
    title = Commitment.objects.order_by("id").values_list("title", flat=True).first()
    number = title.split()[1].rstrip(":")
    assert title in found(f"loadtest {number}")
    # Every published pledge has its words, and no draft has any (SEARCHABLE).
    assert not Commitment.objects.filter(published=True, search_document__isnull=True).exists()
    assert not Commitment.objects.filter(published=False, search_document__isnull=False).exists()
    assert Commitment.objects.filter(published=False).exists()


def test_a_draft_has_no_search_words_until_it_is_published(pledges, reviewer):
    teen, _ = pledges
    commitments_unpublish(commitments=Commitment.objects.filter(pk=teen.pk), user=reviewer)
    teen.refresh_from_db()
    assert teen.search_document is None
    assert found("teen") == set()
    commitments_publish(commitments=Commitment.objects.filter(pk=teen.pk), user=reviewer)
    assert found("teen") == {TEEN}


def test_migration_0030_empties_the_drafts_documents(pledges):
    from importlib import import_module

    migration = import_module("commitments.migrations.0030_drafts_without_search_words")
    teen, voice = pledges
    # A draft with its words, as before 0030.
    Commitment.objects.filter(pk=voice.pk).update(published=False)
    assert found("ledger") == {VOICE}
    with connection.schema_editor() as editor:
        migration.empty_drafts_search_words(None, editor)
    assert found("ledger") == set() and found("teen") == {TEEN}


def test_a_search_costs_no_more_queries_than_the_plain_list(client, pledges):
    assert queries_for(client, "/commitments/?q=teen") == queries_for(client, "/commitments/")


# The indexes ------------------------------------------------------------------------------


def plan(queryset) -> str:
    """The plan with sequential scans priced out: the question is whether the index can
    serve the query (its expression and condition match), not whether the planner picks
    it for a test-sized table."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("RESET enable_seqscan")


def listed(params: dict):
    from commitments.public.filters import CommitmentFilterSet

    filterset = CommitmentFilterSet(params, queryset=Commitment.objects.published())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def test_each_filter_and_sort_can_use_its_index():
    # Enough rows, with statistics, that an index made for a query costs less than
    # reading another index whole.
    call_command("generate_load_data", commitments=600, seed=5, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE commitments_commitment")
        # The rows are still in the GIN index's pending list, which VACUUM would empty.
        cursor.execute("SELECT gin_clean_pending_list('commitment_search')")
    number = Commitment.objects.order_by("-id").values_list("title", flat=True)[0].split()[1]
    cases = [
        ({"q": number.rstrip(":")}, "commitment_search"),
        ({"sort": "status"}, "commitment_by_status_rank"),
        ({"sort": "-status"}, "commitment_by_status_rank"),
        # Oldest first: read backwards, or from the overview's index (published,
        # announced_on, …) with an incremental sort on id, which the planner may cost
        # lower at this size; either reads the pledges in order.
        ({"sort": "announced"}, ("commitment_by_announced", "commitment_overview")),
        ({"sort": "-changed"}, "commitment_by_change"),
        ({"status": "withdrawn"}, "commitment_by_status"),
    ]
    for params, index in cases:
        # A page of the list, as the view asks for it.
        shown = plan(listed(params)[:25])
        assert any(name in shown for name in ([index] if isinstance(index, str) else index)), (
            params,
            shown,
        )
    # `country` has an index for counting its matches (commitment_by_country); the
    # planner uses it only for an index-only scan, after a VACUUM no test can run inside
    # its transaction: bench/filters.py shows it.
