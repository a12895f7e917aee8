"""A fetched page reduced to its readable text, the only thing a snapshot keeps.

Safeguarding (DESIGN.md): nothing but text is ever stored. HTML is parsed with
BeautifulSoup on lxml and every element that is not text is dropped before its text is
read: scripts, styles, images, media, frames, embedded objects, forms' controls, inline
SVG. A PDF is reduced to the text pypdf extracts from its pages; its images and
attachments are never read out. Plain text is kept as it is.

The text is normalised before it is hashed (`normalise`), so that a page whose markup
or whitespace changed but whose words did not is the same version.
"""

import hashlib
import io
import re
import unicodedata

from bs4 import BeautifulSoup
from pypdf import PdfReader

HTML_TYPES = {"text/html", "application/xhtml+xml"}
PLAIN_TYPES = {"text/plain"}
PDF_TYPES = {"application/pdf"}
TEXT_TYPES = frozenset(HTML_TYPES | PLAIN_TYPES | PDF_TYPES)

# Elements whose content is not readable text (or is media): removed with everything
# inside them.
NOT_TEXT = [
    "script",
    "style",
    "noscript",
    "template",
    "img",
    "picture",
    "video",
    "audio",
    "source",
    "track",
    "iframe",
    "frame",
    "embed",
    "object",
    "canvas",
    "svg",
    "math",
    "map",
    "input",
    "select",
    "button",
    "textarea",
]


class NoText(Exception):
    """The page could not be read as text (a broken PDF, an encoding that fails)."""


def page_text(body: bytes, content_type: str) -> str:
    """The readable text of `body`, normalised; raises NoText."""
    if content_type in HTML_TYPES:
        return normalise(html_text(body))
    if content_type in PDF_TYPES:
        return normalise(pdf_text(body))
    if content_type in PLAIN_TYPES:
        return normalise(body.decode("utf-8", errors="replace"))
    raise NoText(f"not a page of text ({content_type or 'no content type'})")


# Elements that start a line of their own: a quote that ends a paragraph must not run
# into the next one, and words inside one paragraph must stay on one line.
BLOCKS = [
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
]  # fmt: skip


def html_text(body: bytes) -> str:
    soup = BeautifulSoup(body, "lxml")
    for element in soup(NOT_TEXT):
        element.decompose()
    for element in soup(BLOCKS):
        element.insert_before("\n")
        element.insert_after("\n")
    return soup.get_text()


def pdf_text(body: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(body))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception as error:  # pypdf's own errors, limits and odd files of every kind
        raise NoText(f"the PDF could not be read: {type(error).__name__}: {error}") from error


SPACES = re.compile(r"[^\S\n]+")
# Control characters but the whitespace ones (SPACES makes those one space), and the
# invisible format characters pages carry (zero-width spaces and joiners, direction marks,
# the byte-order mark): one regular expression, as a test of each character's Unicode
# category cost 13 ms a page.
INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)


def normalise(text: str) -> str:
    """NFC, no control or invisible characters, runs of spaces as one, one line per
    block, no blank lines, no space at either end of a line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = INVISIBLE.sub("", text)
    text = SPACES.sub(" ", text)
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


NOT_WORDS = re.compile(r"[\W_]+")


def comparable(text: str) -> str:
    """What two spellings of the same words have in common: Unicode NFKC, case folded,
    every run of punctuation and whitespace one space. The wording check compares quotes
    in this form (wording.py), the rosters names (rosters.py)."""
    return NOT_WORDS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def text_digest(text: str) -> str:
    """SHA-256 of the normalised text, in hexadecimal: what says two versions are one."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
