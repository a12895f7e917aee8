"""Per-client limits on the addresses machines fetch in bulk: the downloads and the feeds,
as the API has its own (tracker/settings.py, REST_FRAMEWORK).

The same counting as the API's: Django REST framework's throttle, per client address
(NUM_PROXIES says which one behind a proxy), counted in the default cache. A client over
the limit gets a 429 with Retry-After and a sentence saying why; nothing is computed for
it. The rates are REST_FRAMEWORK's DEFAULT_THROTTLE_RATES "downloads" and "feeds".
"""

import functools
import math

from django.http import HttpResponse
from rest_framework.throttling import AnonRateThrottle


class DownloadThrottle(AnonRateThrottle):
    scope = "downloads"


class FeedThrottle(AnonRateThrottle):
    scope = "feeds"


def throttled(throttle_class: type[AnonRateThrottle]):
    """A view decorator: a 429 once the client has used up its rate."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            throttle = throttle_class()
            if not throttle.allow_request(request, view):
                return too_many(throttle)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def too_many(throttle: AnonRateThrottle) -> HttpResponse:
    wait = math.ceil(throttle.wait() or 1)
    response = HttpResponse(
        f"Too many requests from your address: try again in {wait} seconds. Downloads and "
        "feeds are limited per address; for regular bulk use, put a cache in front or ask "
        "us.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(wait)
    return response
