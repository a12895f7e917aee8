"""The data's licence (commitments/licence.py) is stated wherever the data leaves: the
methodology page, the downloads, the feeds, the API root and the exchange files."""

import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.urls import reverse

from commitments import licence

CC_BY = "https://creativecommons.org/licenses/by/4.0/"


@pytest.mark.parametrize("name", ["commitments:export_csv", "commitments:export_json"])
def test_the_downloads_carry_a_licence_link(client, commitment, name):
    response = client.get(reverse(name))
    assert response["Link"] == f'<{CC_BY}>; rel="license"'


def test_the_feed_states_its_rights(client, commitment):
    feed = ET.fromstring(client.get(reverse("commitments:feed")).content)
    rights = feed.find("{http://www.w3.org/2005/Atom}rights")
    assert rights is not None and CC_BY in rights.text


def test_the_api_root_states_the_licence(client, db):
    root = client.get("/api/").json()
    assert root["license"] == {
        "name": "CC BY 4.0",
        "url": CC_BY,
        "attribution": licence.ATTRIBUTION,
    }


def test_the_exchange_file_states_the_licence_and_imports_again(commitment, tmp_path):
    path = tmp_path / "export.json"
    call_command("export_commitments", str(path), stdout=io.StringIO())
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["license"]["url"] == CC_BY
    out = io.StringIO()
    call_command("import_commitments", str(path), stdout=out)
    assert "Nothing to change" in out.getvalue()


def test_the_methodology_page_links_the_licence(client, db):
    page = client.get(reverse("commitments:methodology")).content.decode()
    assert f'<a href="{CC_BY}" rel="license' in page
