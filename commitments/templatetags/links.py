"""`{% slug_url 'commitments:detail' commitment.slug %}` and `{% page_url
'commitments:methodology' %}`: what `{% url %}` gives for a page addressed by a slug, or
by nothing, for the templates that write one for each row of a page.

reverse() costs 40 µs each (the resolver, the language, the script prefix), and a
listing's 25 rows ask for about a hundred (the platform, the initiative, the pledge, the
status's explanation): 2-4 ms of a 20 ms page (bench/README.md). Here each address is
reversed once per process, URL configuration and script prefix, with the placeholder of
commitments/addresses.py that each row's slug then replaces.
"""

import functools
import re

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from commitments.addresses import KEY, around_key

register = template.Library()

# What the pages' <slug:slug> takes, which quoting leaves as it is; anything else goes
# through reverse() itself, which refuses it as {% url %} would (NoReverseMatch).
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@functools.cache
def around_slug(view_name: str, urlconf, script_prefix: str) -> tuple[str, str]:
    """What comes before and after the slug in `view_name`'s address. reverse() reads
    the URL configuration and script prefix of the request, which are part of the key."""
    return around_key(reverse(view_name, urlconf, args=[KEY]))


@functools.cache
def without_arguments(view_name: str, urlconf, script_prefix: str) -> str:
    return reverse(view_name, urlconf)


def current_urlconf() -> str:
    # The request's own (a middleware may set one), else the site's.
    return get_urlconf(settings.ROOT_URLCONF)


@register.simple_tag
def slug_url(view_name: str, slug: str) -> str:
    if not SLUG.fullmatch(str(slug)):
        return reverse(view_name, args=[slug])
    before, after = around_slug(view_name, current_urlconf(), get_script_prefix())
    return f"{before}{slug}{after}"


@register.simple_tag
def page_url(view_name: str) -> str:
    return without_arguments(view_name, current_urlconf(), get_script_prefix())
