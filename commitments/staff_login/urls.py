"""The second factor's pages, mounted at /admin/second-factor/ (tracker/urls.py)."""

from django.urls import path

from commitments.staff_login import views

app_name = "second_factor"

urlpatterns = [
    path("", views.status, name="status"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
]
