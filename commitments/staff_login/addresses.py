"""Which address a login comes from, for django-axes (settings.AXES_CLIENT_IP_CALLABLE).

The same rule as the API's throttle, from the one setting NUM_PROXIES
(REST_FRAMEWORK["NUM_PROXIES"] in tracker/settings.py): 0 counts the connecting address
(REMOTE_ADDR), which a client cannot forge, and ignores any X-Forwarded-For; behind N
proxies, the address the outermost of them saw (the N-th entry of X-Forwarded-For from
the right, each proxy appending the address it was reached from).
"""

import ipaddress

from rest_framework.throttling import BaseThrottle


def client_address(request) -> str | None:
    """The client's address, or REMOTE_ADDR when the header's entry is not an address
    (axes stores it in an address column)."""
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return request.META.get("REMOTE_ADDR") or None
