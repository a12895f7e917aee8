"""An embeddable badge: `/platforms/<slug>/badge.svg` reads "TikTok · 6 pledges · 2 followed up".

It counts a platform's published pledges, with its children's as the listing's platform
filter does, and how many of them have follow-up evidence. Other sites embed it with an
<img>, so it is cached for an hour and carries its text in a <title> for screen readers.
"""

from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.utils.cache import patch_cache_control

from commitments.models import Platform
from commitments.public.selectors import public_commitments
from commitments.public.statistics import headline_figures

MAX_AGE = 60 * 60
# Verdana at 11px averages about 7px a character; textLength then fits the text exactly.
CHAR_WIDTH = 7
PADDING = 10


def badge(request, slug):
    platform = get_object_or_404(Platform, slug=slug)
    figures = headline_figures(public_commitments().of_platform(platform))
    pledges, followed_up = figures["pledges"], figures["with_evidence"]
    value = f"{pledges} pledge{pluralize(pledges)} · {followed_up} followed up"
    response = render(
        request,
        "commitments/badge.svg",
        badge_geometry(platform.name, value),
        content_type="image/svg+xml; charset=utf-8",
    )
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    # Opened on its own the SVG is a document: it may draw, but never run or fetch anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def badge_geometry(label: str, value: str) -> dict:
    """Sizes and positions for templates/commitments/badge.svg; the template escapes text."""
    # Whole numbers only: a localised float could print as "38,5" and break the SVG.
    label_text_width, value_text_width = len(label) * CHAR_WIDTH, len(value) * CHAR_WIDTH
    label_width = label_text_width + 2 * PADDING
    value_width = value_text_width + 2 * PADDING
    return {
        "text": f"{label} · {value}",
        "label": label,
        "value": value,
        "width": label_width + value_width,
        "label_width": label_width,
        "value_width": value_width,
        "label_text_width": label_text_width,
        "value_text_width": value_text_width,
        "label_x": label_width // 2,
        "value_x": label_width + value_width // 2,
    }
