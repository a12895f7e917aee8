"""Reading the public pages in tests: the text a person sees, the titles a listing shows,
and a page cut into its sections by their headings."""

import html
import re

LISTED_TITLE = re.compile(
    r'<li class="commitment">(?:(?!</li>).)*?<h3><a href="[^"]*">(.*?)</a></h3>', re.S
)
# A heading of a part of the page; the <h3><a …> of a commitment row stays inside its part.
HEADING = re.compile(r"<h([23])(?:\s[^>]*)?>(?!<a )(.*?)</h\1>", re.S)
TAG = re.compile(r"<[^>]+>")


def page_text(response) -> str:
    """The page's markup with entities decoded, for finding messages as a person reads them."""
    return html.unescape(response.content.decode())


def listed_titles(response) -> list[str]:
    """The titles of the commitment rows on a page, in order."""
    return [html.unescape(title) for title in LISTED_TITLE.findall(response.content.decode())]


def sections(response) -> dict[str, str]:
    """{heading text: the markup after it up to the next heading of level 2 or 3}."""
    markup = response.content.decode()
    parts = HEADING.split(markup)
    # split() gives [before, level, heading, body, level, heading, body, …].
    return {
        html.unescape(TAG.sub("", heading)).strip(): body
        for heading, body in zip(parts[2::3], parts[3::3], strict=True)
    }


def section_titles(body: str) -> list[str]:
    """The commitment titles listed within one section's markup."""
    return [html.unescape(title) for title in LISTED_TITLE.findall(body)]


def shown_text(markup: str) -> str:
    """Markup as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(TAG.sub("", markup)).split())
