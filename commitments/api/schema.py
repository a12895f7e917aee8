"""What the OpenAPI schema (/api/schema/) says beyond what drf-spectacular sees itself:
every answer an operation can give, and how its parameters are read.

Errors come in two shapes, both JSON (the components `Error` and `InvalidParameters`):

- {"detail": "..."}: an address that names nothing (404: an unknown slug, a page past
  the last, any other address under /api/, tracker/errors.py), too many requests (429,
  with Retry-After), a NUL anywhere in the request (400, tracker/middleware.py);
- {"<parameter>": ["reason", ...]}: the parameters a listing refused (400), as DRF and
  django-filter give them; a page or page size that is not a whole number in range too
  (commitments/api/pagination.py), and a bad `as_of` on any operation.

Query parameters may be sent empty, meaning what leaving them out means (a page's form
sends every field), and a list (`sort`) is one comma-separated value, as django-filter
reads it. A text parameter says how long it may be and what it must match, read from its
filter (`q`'s max_length, `country`'s RegexValidator), and that it holds no NUL.
"""

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "What went wrong, in words."}},
    "required": ["detail"],
}
INVALID_PARAMETERS = {
    "type": "object",
    "description": "Each parameter refused, with its reasons (for a NUL in the request, "
    "`detail` alone).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"announced_after": ["'soon' is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)"]},
}

# Dates the listing's date filters take (commitments/dates.py, parse_partial_date): a
# year, a month or a day that exists (no year 0000, no 31 April, 29 February in leap
# years only). Python's re and ECMAScript read this alike.
_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH = "(?:0[1-9]|1[0-2])"
_MONTH_DAY = (
    "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    "|(?:0[13-9]|1[0-2])-(?:29|30)"
    "|(?:0[13578]|1[02])-31)"
)
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
PARTIAL_DATE_PATTERN = f"^(?:{_YEAR}(?:-{_MONTH})?|{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)$"
PARTIAL_DATE_PARAMETER = {"type": "string", "pattern": PARTIAL_DATE_PATTERN}
# `as_of` (commitments/public/as_of.py): a real day from 1990-01-01 (EARLIEST_DATE) on,
# YYYY-MM-DD; one after today (which no schema can say) is a 400 too.
_AS_OF_YEAR = "(?:199[0-9]|20[0-9]{2})"
_AS_OF_LEAP_YEAR = "(?:199[26]|2000|20(?:0[48]|[2468][048]|[13579][26]))"
AS_OF_PATTERN = f"^(?:{_AS_OF_YEAR}-{_MONTH_DAY}|{_AS_OF_LEAP_YEAR}-02-29)$"
AS_OF_PARAMETER = {"type": "string", "format": "date", "pattern": AS_OF_PATTERN}

# A NUL anywhere in a request is a 400 (tracker/middleware.py).
NO_NUL_PATTERN = r"^[^\x00]*$"

RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    description="Seconds to wait before asking again.",
    response=[429],
)


class ApiSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the errors above on every operation."""

    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
        )
        self.registry.register_on_missing(component)
        return component.ref

    def get_response_serializers(self):
        responses = super().get_response_serializers()
        if not isinstance(responses, dict):
            responses = {200: responses}
        error = self._component("Error", ERROR)
        # Every operation takes as_of, so any may refuse a parameter.
        refused = OpenApiResponse(
            self._component("InvalidParameters", INVALID_PARAMETERS),
            description="A parameter was refused: each one named, with its reasons.",
        )
        errors = {
            400: refused,
            404: OpenApiResponse(error, description="Nothing is at this address."),
            429: OpenApiResponse(
                error, description="Too many requests from this client: wait Retry-After seconds."
            ),
        }
        return {**responses, **{code: errors[code] for code in errors if code not in responses}}

    def get_override_parameters(self):
        return [*super().get_override_parameters(), RETRY_AFTER]

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        filterset = getattr(self.view, "filterset_class", None)
        filters = filterset.base_filters if filterset else {}
        for parameter in (operation or {}).get("parameters", []):
            if parameter["in"] != "query":
                continue
            parameter["allowEmptyValue"] = True
            schema = parameter["schema"]
            if schema.get("type") == "array":
                parameter["explode"] = False
            if schema.get("type") == "string" and "enum" not in schema:
                for key, value in text_constraints(filters.get(parameter["name"])).items():
                    schema.setdefault(key, value)
        return operation


def text_constraints(text_filter) -> dict:
    """maxLength and pattern of a text filter's value, as its form field checks them."""
    extra = text_filter.extra if text_filter is not None else {}
    constraints = {}
    if extra.get("max_length"):
        constraints["maxLength"] = extra["max_length"]
    patterns = [
        validator.regex.pattern
        for validator in extra.get("validators", [])
        if isinstance(validator, RegexValidator) and not validator.inverse_match
    ]
    constraints["pattern"] = patterns[0] if patterns else NO_NUL_PATTERN
    return constraints
