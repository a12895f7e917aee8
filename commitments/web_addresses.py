"""Web addresses: only http and https, stored in one normal form so that a source
cited twice with trivially different spellings is one source."""

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
        scheme = _split(value).scheme.lower() if value else ""
    except ValueError as e:
        raise ValidationError(f"Enter a valid web address ({e}).", code="invalid") from e
    if scheme not in ("http", "https"):
        raise ValidationError(
            "Enter a web address that starts with http:// or https://.", code="scheme"
        )
    _http_url(value.strip())


def normalise_url(value: str) -> str:
    """Lower-case the scheme and host, drop the fragment and a default port.

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
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
