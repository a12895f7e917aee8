"""The API's pages: 50 rows unless `page_size` asks for 1 to 200.

DRF's PageNumberPagination falls back to its default for a page size it cannot read
(`page_size=1.5`, `page_size=0`), and calls any page it cannot read a 404: here both
parameters are positive whole numbers, and anything else is a 400 that names the
parameter and why ({"page_size": ["..."]}, the filters' shape). A page past the last is
a 404, as in DRF. Left empty, either means its default, as an empty filter means any.
"""

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

WHOLE_NUMBER = re.compile(r"[0-9]+")


def whole_number_problem(text: str, *, maximum: int | None) -> str | None:
    """Why `text` is not a whole number from 1 (to `maximum`), or None. Empty is fine."""
    limits = f"from 1 to {maximum}" if maximum else "from 1"
    if text == "":
        return None
    if not WHOLE_NUMBER.fullmatch(text):
        return f"Enter a whole number {limits}."
    digits = text.lstrip("0")
    if not digits:
        return f"Enter a whole number {limits}."
    if maximum and (len(digits) > len(str(maximum)) or int(digits) > maximum):
        return f"Enter a whole number {limits}."
    return None


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    # DRF also takes page=last; the schema says a page is a number, and so is it.
    last_page_strings = ()

    def paginate_queryset(self, queryset, request, view=None):
        problems = {
            name: [problem]
            for name, maximum in [
                (self.page_query_param, None),
                (self.page_size_query_param, self.max_page_size),
            ]
            if (
                problem := whole_number_problem(request.query_params.get(name, ""), maximum=maximum)
            )
        }
        if problems:
            raise ValidationError(problems)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        text = request.query_params.get(self.page_size_query_param, "")
        return int(text) if text else self.page_size

    def get_page_number(self, request, paginator):
        text = request.query_params.get(self.page_query_param, "")
        # A number longer than any page count is past the last page all the same (and
        # int() refuses strings of more than 4,300 digits).
        digits = text.lstrip("0") or "1"
        return int(digits) if len(digits) <= 18 else 10**18

    def get_paginated_response_schema(self, schema):
        # The API docs' example of a listing is one whole page (commitments/api/examples.py),
        # not DRF's made-up count and links to api.example.org.
        paginated = super().get_paginated_response_schema(schema)
        examples = {"count": 1, "next": None, "previous": None}
        for name, example in examples.items():
            paginated["properties"][name]["example"] = example
        return paginated

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number, from 1. A page past the last is a 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows a page holds: {self.page_size} unless this asks for "
                f"1 to {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
