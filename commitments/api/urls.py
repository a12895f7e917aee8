"""API routes, included at /api/ (tracker/urls.py). Addresses are a public interface."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.reverse import reverse
from rest_framework.routers import APIRootView, DefaultRouter

from commitments import licence
from commitments.api import views

app_name = "api"


class Root(APIRootView):
    """The tracker's read-only API. Start from a listing, or read the schema and its docs."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        for name in ("schema", "docs"):
            response.data[name] = reverse(f"api:{name}", request=request)
        response.data["license"] = licence.as_data()
        return response


class Router(DefaultRouter):
    APIRootView = Root


router = Router(trailing_slash=True)
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("platforms", views.PlatformViewSet, basename="platform")
router.register("initiatives", views.InitiativeViewSet, basename="initiative")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (docs/?script),
    # so that the page needs no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    *router.urls,
]
