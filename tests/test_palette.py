"""The status palette in static/css/site.css, the one home of the statuses' colours: one
colour per status, each visible on white, every pair distinct in normal vision and in
the two commonest colour-blindnesses (simulated by coloraide, Brettel/Viénot)."""

import itertools
import re
from pathlib import Path

import pytest
from coloraide import Color

from commitments.models import Status

SITE_CSS = Path(__file__).resolve().parents[1] / "static" / "css" / "site.css"
# WCAG 2.1's 1.4.11 asks 3:1 of the graphics needed to understand the content.
MIN_CONTRAST_ON_WHITE = 3
# A CIEDE2000 difference of 10 is plainly visible side by side (2 is a just noticeable one).
MIN_DIFFERENCE = 10


def palette() -> dict[str, str]:
    css = SITE_CSS.read_text()
    return dict(re.findall(r"--status-(\w+):\s*(#[0-9a-fA-F]{6});", css))


def test_every_status_has_one_colour_and_its_badge_and_fill_classes():
    css = SITE_CSS.read_text()
    assert sorted(palette()) == sorted(Status.values)
    for value in Status.values:
        assert f".status-{value} {{ --status-colour: var(--status-{value}); }}" in css
        assert f".fill-{value} {{ fill: var(--status-{value}); }}" in css


@pytest.mark.parametrize("status", Status.values)
def test_each_colour_stands_out_on_white(status):
    assert Color(palette()[status]).contrast("white") >= MIN_CONTRAST_ON_WHITE


@pytest.mark.parametrize("vision", ["normal", "deutan", "protan"])
def test_every_pair_of_statuses_stays_apart(vision):
    colours = {
        status: Color(hex_colour) if vision == "normal" else Color(hex_colour).filter(vision)
        for status, hex_colour in palette().items()
    }
    for a, b in itertools.combinations(colours, 2):
        difference = colours[a].delta_e(colours[b], method="2000")
        assert difference >= MIN_DIFFERENCE, f"{a} and {b}: {difference:.1f} apart ({vision})"
