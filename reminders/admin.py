"""Reminders in the back office: every digest and its state, failed ones easy to find.

A Reminder row is the record of what was sent, so nobody edits, adds or deletes one
here. The one action, "Send again", only takes failed rows back to pending; sent rows
are never touched.
"""

from django.contrib import admin, messages

from commitments.staff import active_staff
from reminders.models import Reminder, ReminderPreference
from reminders.sending import reminders_send_again


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = [
        "recipient",
        "period",
        "status",
        "attempts",
        "item_count",
        "sent_at",
        "short_error",
    ]
    # Not by period: one more choice every day would bury the statuses.
    list_filter = ["status"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "recipient__email", "period"]
    date_hierarchy = "created_at"
    fields = [
        "recipient",
        "period",
        "status",
        "attempts",
        "created_at",
        "claimed_at",
        "next_attempt_at",
        "sent_at",
        "message_id",
        "last_error",
        "item_count",
        "items",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # No row is edited by hand; the changelist-level permission is kept for the
        # "Send again" action.
        return obj is None and super().has_change_permission(request)

    @admin.display(description="last error")
    def short_error(self, reminder: Reminder) -> str:
        return reminder.last_error[:80]

    @admin.action(description="Send the selected failed reminders again", permissions=["change"])
    def send_again(self, request, queryset):
        result = reminders_send_again(reminders=queryset)
        self.message_user(request, f"{len(result.queued)} queued to send again.", messages.SUCCESS)
        if result.skipped:
            self.message_user(
                request, f"{result.skipped} not failed, left as they are.", messages.INFO
            )


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "paused_until"]
    list_filter = ["frequency"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A plain list of active staff: an autocomplete would need the right to view
        # users, which Reviewers do not have.
        if db_field.name == "user":
            kwargs["queryset"] = active_staff()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
