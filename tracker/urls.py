from django.contrib import admin
from django.urls import include, path

from commitments.followup.health import healthz

admin.site.site_header = "Commitment tracker"
admin.site.site_title = "Commitment tracker"
admin.site.index_title = "Curate pledges, sources and follow-ups"

handler404 = "tracker.errors.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/", include("commitments.api.urls")),
    path("reminders/", include("reminders.urls")),
    path("", include("commitments.public.urls")),
]
