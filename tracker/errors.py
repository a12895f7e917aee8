"""The site's own error answers where Django's would not do."""

from django.http import JsonResponse
from django.views import defaults


def is_api(request) -> bool:
    """Under /api/, errors are JSON: {"detail": "..."}, as DRF gives them."""
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    """An address that no route matches: the site's 404 page, or the API's JSON (an
    address such as /api/commitments/%C2%84/, which no slug can match, never reaches a
    view)."""
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
