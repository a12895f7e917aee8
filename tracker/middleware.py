"""Requests the site refuses before any view sees them."""

from django.http import JsonResponse
from django.shortcuts import render

from tracker.errors import is_api

NUL = "\x00"


class RefuseNulMiddleware:
    """A NUL character in the address, the query or a posted form is a 400 with the reason.

    No page, form or record of the tracker holds one, and PostgreSQL refuses it in any
    query, so it would otherwise be a 500 wherever a view passes the value on (a search,
    an admin autocomplete, an API lookup). Refused here, in one place, for every view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            if is_api(request):  # the API's own error shape
                return JsonResponse({"detail": REASON}, status=400)
            return render(request, "400.html", {"reason": REASON}, status=400)
        return self.get_response(request)


REASON = "The address or the form holds a NUL character (%00), which nothing here can contain."


def has_nul(request) -> bool:
    if NUL in request.path:
        return True
    for data in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
        for key, values in data.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    return False
