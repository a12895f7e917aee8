"""The flag queue in the admin (commitments/admin/flags.py). The follow-up rules, the job
runs and the follow-up part of the commitment page are tests/test_admin_rules.py."""

import datetime

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertTemplateUsed

from commitments.models import Commitment, Flag
from tests.admin_forms import message_texts
from tests.clock import NOW, TODAY
from tests.factories import make_commitment, make_commitments, make_platform
from tests.staff_login import log_in

DAY = datetime.timedelta(days=1)
LATER = datetime.date(2027, 3, 1)
QUEUE = reverse("admin:commitments_flag_changelist")
ACTION_PAGE = "admin/commitments/flag/action_form.html"


@pytest.fixture(autouse=True)
def on_today():
    with time_machine.travel(NOW, tick=False):
        yield


def flag(commitment, reason=Flag.Reason.OVERDUE, **fields) -> Flag:
    return Flag.objects.create(commitment=commitment, reason=reason, **fields)


def shown(response) -> list[Flag]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def post_action(client, action: str, flags, url: str = QUEUE, **fields):
    """The changelist's action post; with `apply`, the post of the action's own form."""
    data = {"action": action, ACTION_CHECKBOX_NAME: [f.pk for f in flags], **fields}
    return client.post(url, data)


def states(*flags) -> list[tuple]:
    return list(
        Flag.objects.filter(pk__in=[f.pk for f in flags])
        .order_by("pk")
        .values_list("snoozed_until", "snooze_reason", "resolved_at", "resolution")
    )


@pytest.fixture
def three(platform):
    """An open, a snoozed and a resolved flag, each on its own pledge."""
    return {
        "open": flag(make_commitment(platform, "Open one")),
        "snoozed": flag(
            make_commitment(platform, "Snoozed one"),
            snoozed_until=TODAY + 10 * DAY,
            snooze_reason="Report due",
        ),
        "resolved": flag(
            make_commitment(platform, "Resolved one"),
            resolved_at=NOW - DAY,
            resolution="Resolved itself: follow-up evidence was added.",
        ),
    }


# The queue and its filters ---------------------------------------------------------------


def test_the_queue_shows_open_flags_by_default(client, editor, three):
    log_in(client, editor)

    response = client.get(QUEUE)

    assert shown(response) == [three["open"]]
    changelist = response.context["cl"]
    state_choices = changelist.filter_specs[0].choices(changelist)
    assert [c["display"] for c in state_choices if c["selected"]] == ["Open"]


@pytest.mark.parametrize("state", ["open", "snoozed", "resolved"])
def test_the_state_filter_shows_flags_in_that_state(client, editor, three, state):
    log_in(client, editor)

    assert shown(client.get(QUEUE, {"state": state})) == [three[state]]


def test_the_state_filter_shows_all_flags_with_their_state(client, editor, three):
    log_in(client, editor)

    response = client.get(QUEUE, {"state": "all"})

    assert set(shown(response)) == set(three.values())
    for state in ("open", "snoozed", "resolved"):
        assertContains(response, f'<td class="field-state">{state}</td>', count=1)


def test_a_snooze_that_has_ended_puts_the_flag_back_in_the_queue(client, editor, platform):
    woken = flag(make_commitment(platform), snoozed_until=TODAY, snooze_reason="Until today")
    log_in(client, editor)

    assert shown(client.get(QUEUE)) == [woken]


def test_the_queue_links_each_flag_to_its_commitment(client, editor, commitment):
    flag(commitment)
    log_in(client, editor)

    response = client.get(QUEUE)

    assertContains(response, f'<a href="{commitment.get_admin_url()}">{commitment.title}</a>')


def test_the_queue_shows_the_age_in_days(client, editor, commitment):
    flag(commitment, opened_at=NOW - 45 * DAY - datetime.timedelta(hours=1))
    log_in(client, editor)

    assertContains(client.get(QUEUE), '<td class="field-age">45</td>')


def test_the_queue_filters_by_reason(client, editor, commitment, source):
    overdue = flag(commitment, Flag.Reason.OVERDUE)
    flag(commitment, Flag.Reason.UNSOURCED)
    flag(commitment, Flag.Reason.SOURCE_UNREACHABLE, source=source)
    log_in(client, editor)

    assert shown(client.get(QUEUE, {"reason__exact": "overdue"})) == [overdue]


def test_the_queue_filters_by_platform(client, editor, commitment):
    flag(make_commitment(make_platform("Roblox")))
    tiktok = flag(commitment)
    log_in(client, editor)

    response = client.get(QUEUE, {"commitment__platform__id__exact": commitment.platform.pk})

    assert shown(response) == [tiktok]


def test_the_queue_filters_by_owner_and_by_no_owner(client, editor, reviewer, platform):
    owned = flag(make_commitment(platform, owner=reviewer))
    unowned = flag(make_commitment(platform))
    log_in(client, editor)

    by_owner = client.get(QUEUE, {"commitment__owner__id__exact": reviewer.pk})
    no_owner = client.get(QUEUE, {"commitment__owner__isnull": "True"})

    assert shown(by_owner) == [owned]
    assert shown(no_owner) == [unowned]
    assertContains(by_owner, "No owner")


@pytest.mark.parametrize(
    "bucket, expected_ages",
    [("new", [29]), ("month", [90, 30]), ("old", [91])],  # oldest first, as the queue
)
def test_the_queue_filters_by_age(client, editor, platform, bucket, expected_ages):
    by_age = {
        days: flag(make_commitment(platform), opened_at=NOW - days * DAY)
        for days in (29, 30, 90, 91)
    }
    log_in(client, editor)

    response = client.get(QUEUE, {"age": bucket})

    assert shown(response) == [by_age[days] for days in expected_ages]


@pytest.mark.parametrize("words", ["joins the WeProtect", "tiktok"])
def test_the_queue_searches_titles_and_platform_names(client, editor, commitment, words):
    flag(make_commitment(make_platform("Roblox"), "Parental controls"))
    wanted = flag(commitment)
    log_in(client, editor)

    assert shown(client.get(QUEUE, {"q": words})) == [wanted]


def count_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    return len(queries), len(shown(response))


def add_flags(platform, owner, count: int) -> None:
    """`count` open flags, half on pledges with an owner, some about a source."""
    pledges = make_commitments(platform, count)
    Commitment.objects.filter(pk__in=[p.pk for p in pledges[::2]]).update(owner=owner)
    Flag.objects.bulk_create(
        Flag(
            commitment=pledge,
            reason=Flag.Reason.SOURCE_UNREACHABLE,
            source=pledge.citations.get().source,
        )
        if n % 3 == 0
        else Flag(commitment=pledge, reason=Flag.Reason.OVERDUE)
        for n, pledge in enumerate(pledges)
    )


def test_the_queue_runs_as_many_queries_for_30_flags_as_for_3(client, editor, reviewer):
    log_in(client, editor)
    client.get(QUEUE)  # The first request fills caches (content types, the session).
    platform = make_platform("Alpha")

    add_flags(platform, reviewer, 3)
    queries_for_3, rows = count_queries(client)
    assert rows == 3
    add_flags(make_platform("Beta"), editor, 27)
    queries_for_30, rows = count_queries(client)
    assert rows == 30

    assert queries_for_30 == queries_for_3


# Who may see and do what -----------------------------------------------------------------


def test_staff_in_no_group_may_not_see_the_queue_or_act_on_it(client, outsider, three):
    log_in(client, outsider)

    assert client.get(QUEUE).status_code == 403
    response = post_action(client, "resolve", [three["open"]], apply="Resolve flags", note="Done")
    assert response.status_code == 403
    assert Flag.objects.get(pk=three["open"].pk).resolved_at is None


def test_nobody_adds_flags_and_editors_do_not_delete_them(client, editor, commitment):
    open_flag = flag(commitment)
    log_in(client, editor)

    assert client.get(reverse("admin:commitments_flag_add")).status_code == 403
    delete = reverse("admin:commitments_flag_delete", args=[open_flag.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Flag.objects.filter(pk=open_flag.pk).exists()
    choices = client.get(QUEUE).context["action_form"].fields["action"].choices
    assert [name for name, _ in choices if name] == ["snooze", "resolve", "assign_owner"]


def test_a_superuser_may_delete_a_flag_but_not_add_one(client, commitment):
    admin = User.objects.create_superuser("root", "root@example.org", "pw")
    open_flag = flag(commitment)
    log_in(client, admin)

    assert client.get(reverse("admin:commitments_flag_add")).status_code == 403
    delete = reverse("admin:commitments_flag_delete", args=[open_flag.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Flag.objects.filter(pk=open_flag.pk).exists()


# Snooze ----------------------------------------------------------------------------------


def test_snoozing_first_shows_the_form_for_the_selected_flags(client, editor, three):
    log_in(client, editor)

    response = post_action(client, "snooze", [three["open"]])

    assert response.status_code == 200
    assertTemplateUsed(response, ACTION_PAGE)
    assertContains(response, '<input type="hidden" name="action" value="snooze">', html=True)
    assertContains(
        response,
        f'<input type="hidden" name="{ACTION_CHECKBOX_NAME}" value="{three["open"].pk}">',
        html=True,
    )
    assert not response.context["form"].is_bound
    assert states(three["open"]) == [(None, "", None, "")]


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"until": TODAY.isoformat(), "reason": "Report due"}, "Choose a day after today."),
        ({"until": "2026-01-01", "reason": "Report due"}, "Choose a day after today."),
        ({"until": LATER.isoformat(), "reason": ""}, "This field is required."),
        ({"until": "", "reason": "Report due"}, "This field is required."),
    ],
)
def test_snoozing_with_a_bad_date_or_no_reason_shows_the_form_again(
    client, editor, three, fields, error
):
    log_in(client, editor)
    before = states(*three.values())

    response = post_action(client, "snooze", [three["open"]], apply="Snooze flags", **fields)

    assert response.status_code == 200
    assertTemplateUsed(response, ACTION_PAGE)
    assertContains(response, error)
    assert states(*three.values()) == before


def test_snoozing_changes_exactly_the_selected_open_flags(client, editor, three, platform):
    other = flag(make_commitment(platform, "Not selected"))
    selected = [three["open"], three["snoozed"], three["resolved"]]
    log_in(client, editor)

    # From the list of all flags, as the action's form posts back to the list it came from.
    response = post_action(
        client,
        "snooze",
        selected,
        url=f"{QUEUE}?state=all",
        apply="Snooze flags",
        until=LATER.isoformat(),
        reason="Transparency report due in February",
    )

    assert response.status_code == 302
    snoozed = (LATER, "Transparency report due in February", None, "")
    resolved = three["resolved"]
    assert states(three["open"], three["snoozed"]) == [snoozed, snoozed]
    assert states(resolved, other) == [
        (None, "", resolved.resolved_at, resolved.resolution),
        (None, "", None, ""),
    ]
    assert message_texts(response) == ["Snoozed 2 flags until 1 March 2027."]
    logged = LogEntry.objects.get(object_id=str(three["open"].pk))  # the flag's History page
    assert (logged.user, logged.change_message) == (
        editor,
        "Snoozed until 1 March 2027: Transparency report due in February",
    )


def test_snoozing_only_resolved_flags_says_so_and_shows_no_form(client, editor, three):
    log_in(client, editor)

    response = post_action(client, "snooze", [three["resolved"]], url=f"{QUEUE}?state=all")

    assert response.status_code == 302
    assert message_texts(response) == ["None of the selected flags is open."]


# Resolve ---------------------------------------------------------------------------------


def test_resolving_without_a_note_shows_the_form_again(client, editor, three):
    log_in(client, editor)
    before = states(*three.values())

    response = post_action(client, "resolve", [three["open"]], apply="Resolve flags", note="")

    assertTemplateUsed(response, ACTION_PAGE)
    assertContains(response, "This field is required.")
    assert states(*three.values()) == before


def test_resolving_records_the_note_who_and_when_on_the_selected_open_flags(
    client, editor, three, platform
):
    other = flag(make_commitment(platform, "Not selected"))
    resolved = three["resolved"]
    log_in(client, editor)

    first = post_action(client, "resolve", [three["open"], resolved], url=f"{QUEUE}?state=all")
    response = post_action(
        client,
        "resolve",
        [three["open"], resolved],
        url=f"{QUEUE}?state=all",
        apply="Resolve flags",
        note="Platform confirmed by email; report linked.",
    )

    assertTemplateUsed(first, ACTION_PAGE)
    assert response.status_code == 302
    done = Flag.objects.get(pk=three["open"].pk)
    assert (done.resolved_at, done.resolution, done.resolved_by) == (
        NOW,
        "Platform confirmed by email; report linked.",
        editor,
    )
    untouched = Flag.objects.get(pk=resolved.pk)
    assert (untouched.resolution, untouched.resolved_by) == (resolved.resolution, None)
    assert Flag.objects.get(pk=other.pk).resolved_at is None
    assert message_texts(response) == ["Resolved 1 flag."]


# Assign an owner -------------------------------------------------------------------------


@pytest.mark.parametrize("owner", ["", "not staff"])
def test_assigning_needs_a_staff_member(client, editor, three, owner):
    log_in(client, editor)
    if owner:
        owner = User.objects.create_user("visitor", "visitor@example.org", "pw").pk

    response = post_action(
        client, "assign_owner", [three["open"]], apply="Assign an owner", owner=owner
    )

    assertTemplateUsed(response, ACTION_PAGE)
    assert response.context["form"].errors["owner"]
    assert not Commitment.objects.filter(owner__isnull=False).exists()


def test_assigning_sets_the_owner_of_the_selected_flags_pledges_with_history(
    client, editor, reviewer, three, platform
):
    other = flag(make_commitment(platform, "Not selected"))
    log_in(client, editor)

    first = post_action(client, "assign_owner", [three["open"]])
    response = post_action(
        client,
        "assign_owner",
        [three["open"], three["snoozed"]],
        url=f"{QUEUE}?state=all",
        apply="Assign an owner",
        owner=reviewer.pk,
    )

    assertTemplateUsed(first, ACTION_PAGE)
    assertContains(first, "reviewer")  # the staff to choose from
    assert response.status_code == 302
    for chosen in (three["open"], three["snoozed"]):
        pledge = Commitment.objects.get(pk=chosen.commitment_id)
        assert pledge.owner == reviewer
        change = pledge.history.latest()
        assert (change.owner_id, change.history_user) == (reviewer.pk, editor)
    assert Commitment.objects.get(pk=other.commitment_id).owner is None
    assert message_texts(response) == ["Assigned 2 flags to reviewer."]


# The flag's page -------------------------------------------------------------------------


def test_the_flag_page_writes_nothing_the_job_or_actions_own(client, editor, commitment):
    open_flag = flag(commitment)
    log_in(client, editor)
    url = reverse("admin:commitments_flag_change", args=[open_flag.pk])

    client.post(url, {"resolution": "Sneaked in", "reason": "unsourced"})

    saved = Flag.objects.get(pk=open_flag.pk)
    assert (saved.resolution, saved.reason, saved.resolved_at) == ("", "overdue", None)


def test_assigning_needs_the_right_to_change_pledges(client, three, reviewer):
    # Staff who may work the flag queue, but not change pledges.
    queue_only = User.objects.create_user("queue", "queue@example.org", "pw", is_staff=True)
    queue_only.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_flag", "change_flag"])
    )
    log_in(client, queue_only)

    listed = client.get(QUEUE)
    assert "assign_owner" not in listed.content.decode()
    response = post_action(
        client, "assign_owner", [three["open"]], apply="Assign an owner", owner=reviewer.pk
    )
    assert not Commitment.objects.filter(owner__isnull=False).exists()
    assert response.status_code in (200, 302)
