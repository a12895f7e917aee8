"""The data's licence, stated wherever the data leaves the tracker: the methodology page,
the downloads (an HTTP Link header, rel="license"), the feeds (Atom <rights>), the API
root and the exchange files. One home, so that they all say the same."""

NAME = "CC BY 4.0"
TITLE = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = "the child-safety commitment tracker, with a link to the pledge's page"


def as_data() -> dict:
    return {"name": NAME, "url": URL, "attribution": ATTRIBUTION}


def link_header() -> str:
    return f'<{URL}>; rel="license"'


def rights() -> str:
    return f"{TITLE}: {URL}. Attribute to {ATTRIBUTION}."
