"""The admin's forms under random input (Hypothesis, a fixed budget of examples): whatever
a Reviewer posts, the answer is a page (a form error, a redirect after saving) or a 400,
never a 500, and a refused post writes nothing."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commitments.models import Citation, Commitment, FollowUp, Source
from tests.admin_forms import page_data
from tests.staff_login import log_in

# What a careless or hostile person types: blanks, huge and odd text, NUL, numbers and
# dates out of every range, markup, and values of the wrong kind for the field.
VALUES = st.one_of(
    st.just(""),
    st.text(max_size=40),
    st.text(min_size=250, max_size=400),
    st.sampled_from(
        [
            "\x00",
            "9999-12-31",
            "0001-01-01",
            "1989-12-31",
            "2021-02-30",
            "abc",
            "-1",
            "1e9",
            "100000",
            "99999999999999999999",
            "<script>alert(1)</script>",
            "javascript:alert(1)",
            "http://user:pass@example.org/",
            "%",
            "１２",
        ]
    ),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def snapshot() -> tuple:
    return (
        list(Commitment.objects.values().order_by("pk")),
        list(FollowUp.objects.values().order_by("pk")),
        list(Citation.objects.values().order_by("pk")),
        list(Source.objects.values().order_by("pk")),
        Commitment.history.count(),
        FollowUp.history.count(),
    )


def post_and_check(client, url: str, data: dict) -> None:
    """Posts inside a savepoint that is rolled back, so every example starts afresh."""
    with transaction.atomic():
        before = snapshot()
        response = client.post(url, data)
        assert response.status_code in (200, 302, 400), (response.status_code, data)
        if response.status_code != 302:
            assert snapshot() == before, "a refused post wrote something"
        transaction.set_rollback(True)


@pytest.fixture
def reviewer_client(client, reviewer):
    log_in(client, reviewer)
    return client


def fields_of(data: dict, *names: str) -> st.SearchStrategy:
    return st.dictionaries(st.sampled_from([n for n in names if n in data] or list(data)), VALUES)


@given(data=st.data())
@EXAMPLES
def test_the_commitment_form_never_fails_on_what_is_posted(reviewer_client, commitment, data):
    url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    form = page_data(reviewer_client.get(url))
    changes = data.draw(
        fields_of(
            form, "title", "summary", "kind", "platform", "initiative", "announced_on",
            "announced_precision", "effective_on", "deadline", "age_min", "age_max",
            "countries", "follow_up_interval_days", "confidence", "owner", "cadence",
            "citations-TOTAL_FORMS", "citations-0-source", "citations-0-quote",
        )
    )  # fmt: skip
    post_and_check(reviewer_client, url, {**form, **changes})


@given(data=st.data())
@EXAMPLES
def test_the_follow_up_form_never_fails_on_what_is_posted(reviewer_client, commitment, data):
    url = reverse("admin:commitments_followup_add")
    form = page_data(reviewer_client.get(url))
    form.update(
        commitment=str(commitment.pk),
        happened_on="2021-05-01",
        kind=FollowUp.Kind.STATEMENT,
        summary="The platform says it is done.",
    )
    changes = data.draw(
        fields_of(
            form, "commitment", "happened_on", "happened_precision", "kind", "summary",
            "status_after", "tested_by", "test_account_age",
        )
    )  # fmt: skip
    post_and_check(reviewer_client, url, {**form, **changes})


@given(url=VALUES, title=VALUES, published_on=VALUES)
@EXAMPLES
def test_the_source_form_never_fails_on_what_is_posted(reviewer_client, url, title, published_on):
    form = {"url": url, "title": title, "publisher": "A", "published_on": published_on}
    post_and_check(reviewer_client, reverse("admin:commitments_source_add"), form)


def test_the_fuzzed_forms_can_also_save(reviewer_client, commitment):
    # The harness's control: a valid change does get through (so a test above that saw
    # only refusals would not be passing for the wrong reason).
    url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    form = page_data(reviewer_client.get(url))
    response = reviewer_client.post(url, {**form, "deadline": "2030-12-31"})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.deadline == datetime.date(2030, 12, 31)
