from django.contrib import admin
from django.urls import include, path

from commitments.followup.health import healthz

admin.site.site_header = "Commitment tracker"
admin.site.site_title = "Commitment tracker"
admin.site.index_title = "Curate pledges, sources and follow-ups"

handler404 = "tracker.errors.page_not_found"

urlpatterns = [
    # Before the admin's own: the second factor's pages, under the admin's address.
    path("admin/second-factor/", include("commitments.staff_login.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/", include("commitments.api.urls")),
    path("reminders/", include("reminders.urls")),
    path("", include("commitments.public.urls")),
]
