"""Web addresses: only http and https, with no user name or password, stored in one
normal form so that a source cited twice with trivially different spellings is one
source."""

from urllib.parse import SplitResult, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

_http_url = URLValidator(schemes=["http", "https"])
DEFAULT_PORTS = {"http": 80, "https": 443}


def _split(value: str) -> SplitResult:
    """urlsplit, plus reading the port, which is where a bad port or host shows up."""
    parts = urlsplit(value.strip())
    parts.port  # noqa: B018 - raises ValueError for ":99999" or ":abc"
    return parts


def validate_http_url(value: str) -> None:
    try:
        parts = _split(value) if value else None
    except ValueError as e:
        raise ValidationError(f"Enter a valid web address ({e}).", code="invalid") from e
    if not parts or parts.scheme.lower() not in ("http", "https"):
        raise ValidationError(
            "Enter a web address that starts with http:// or https://.", code="scheme"
        )
    if has_userinfo(value):
        raise ValidationError(
            "Remove the user name and password from the address.", code="userinfo"
        )
    _http_url(value.strip())


def has_userinfo(value: str) -> bool:
    """Whether the address holds a user name or password ("user:password@", "user@").

    A user name or password in a public source is a credential published by mistake, and
    the link checker would send it to the server: validation refuses it, and so does the
    checker for a row stored before validation did. An "@" in the path or query
    ("medium.com/@someone") is not one.
    """
    return "@" in urlsplit(value.strip()).netloc


def normalise_url(value: str) -> str:
    """Lower-case the scheme and host, drop the fragment, a default port and any user
    name or password (which validation refuses; a row stored before it did loses them
    when saved again).

    An address that cannot be read comes back as typed: validation reports it.
    """
    try:
        parts = _split(value)
    except ValueError:
        return value.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))
