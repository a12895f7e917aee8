"""A URL configuration of its own for tests/test_page_links.py: a pledge page elsewhere."""

from django.http import HttpResponse
from django.urls import include, path


def page(request, slug):
    return HttpResponse(slug)


detail = [path("elsewhere/<slug:slug>.html", page, name="detail")]
urlpatterns = [path("", include((detail, "commitments")))]
