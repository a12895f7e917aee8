"""Rating a pledge in a real browser: an Editor drafts a rating citing its source, and the
public sees nothing of it; a Reviewer approves it from the queue of drafts, and the
pledge's page shows the new status, rated by a Reviewer."""

from django.contrib.auth.models import Group, Permission, User
from playwright.sync_api import expect

from commitments.models import Commitment, FollowUp
from commitments.staff import second_factor_required
from tests.staff_login import authenticator, next_code

PLEDGE = "TikTok joins the WeProtect Global Alliance"
SUMMARY = "TikTok says its membership work is complete."
EDITOR = [
    "view_commitment",
    "add_followup",
    "change_followup",
    "view_followup",
    "add_citation",
    "change_citation",
    "view_citation",
    "view_source",
]
# The groups come from data migrations, which a browser test's emptied database lacks: the
# two roles are given their permissions directly, and the Reviewer a Reviewers group (which
# asks for a second factor) and an authenticator app.
REVIEWER = [*EDITOR, "approve_rating"]


def staff(username: str, codenames: list[str], group: str | None = None) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="commitments", codename__in=codenames)
    )
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
        authenticator(user)
    return user


def log_in(page, user: User) -> None:
    """Through the login page, and for a Reviewer the token step with the code their
    authenticator app would show now."""
    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.get_by_label("Username:").fill(user.username)
    page.get_by_label("Password:").fill("pw")
    page.get_by_role("button", name="Log in").click()
    if second_factor_required(user):
        page.get_by_label("Code:").fill(next_code(authenticator(user)))
        page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text(f"Welcome, {user.username}")).to_be_visible()


def test_an_editor_drafts_a_rating_and_a_reviewer_approves_it(page):
    pledge = Commitment.objects.published().get(title=PLEDGE)
    source = pledge.citations.first().source
    editor = staff("editor", EDITOR)
    reviewer = staff("reviewer", REVIEWER, group="Reviewers")
    detail = f"/commitments/{pledge.slug}/"

    log_in(page, editor)
    page.goto(f"/admin/commitments/followup/add/?commitment={pledge.pk}")
    page.get_by_label("Happened on:").fill("2026-11-02")
    page.get_by_label("Kind:", exact=True).select_option("statement")
    page.get_by_label("Summary:").fill(SUMMARY)
    page.get_by_label("Moves status to:").select_option("delivered")
    # The source's autocomplete (select2): type part of its title, pick it.
    page.locator("#id_citations-0-source + .select2").click()
    page.locator(".select2-search__field").fill(source.title[:12])
    page.locator(".select2-results__option", has_text=source.title[:12]).first.click()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert FollowUp.objects.get(summary=SUMMARY).is_draft

    page.goto(detail)
    expect(page.locator("#status-heading + p .status")).to_have_text("Announced, not yet rated")
    expect(page.get_by_text(SUMMARY)).to_have_count(0)

    log_in(page, reviewer)
    page.goto("/admin/commitments/followup/?rating=draft")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator("input[name=_selected_action]").check()
    page.get_by_label("Action:").select_option("approve_selected")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("Approved 1 rating: now public.")

    page.goto(detail)
    expect(page.locator("#status-heading + p .status")).to_have_text("Delivered, per the platform")
    expect(page.get_by_text(SUMMARY)).to_be_visible()
    expect(page.get_by_text("Rated by a Reviewer on")).to_be_visible()
    expect(page.get_by_text("reviewer@example.org")).to_have_count(0)
