"""Web addresses: only http and https, stored in one normal form so that a source
cited twice with trivially different spellings is one source."""

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

_http_url = URLValidator(schemes=["http", "https"])


def validate_http_url(value: str) -> None:
    scheme = urlsplit(value.strip()).scheme.lower() if value else ""
    if scheme not in ("http", "https"):
        raise ValidationError(
            "Enter a web address that starts with http:// or https://.", code="scheme"
        )
    _http_url(value.strip())


def normalise_url(value: str) -> str:
    """Lower-case the scheme and host, drop the fragment and a default port."""
    parts = urlsplit(value.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not (
        (parts.scheme.lower() == "http" and port == 80)
        or (parts.scheme.lower() == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))
