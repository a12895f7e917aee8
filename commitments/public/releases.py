"""The citable releases (`/data/`): every release, newest first, with its files' sizes
and SHA-256 checksums, and the files themselves (`/data/<release>/<file>`).

Releases are read from RELEASES_DIR's listing and their manifests
(commitments/releases/store.py): a name in an address is only looked up there, so an
address that names anything else (another folder, `..`, a file no manifest lists) is a
404. The files are served as they were written, as attachments named for their release.
"""

from django.http import FileResponse, Http404
from django.shortcuts import render

from commitments import licence
from commitments.releases.store import file_path, release_find, releases_list


def data_releases(request):
    context = {
        "releases": releases_list(),
        "licence_name": licence.NAME,
        "licence_url": licence.URL,
    }
    return render(request, "commitments/releases.html", context)


def release_download(request, release: str, filename: str):
    found = release_find(release)
    path = file_path(found, filename) if found else None
    if path is None:
        raise Http404("No such release or file")
    try:
        handle = path.open("rb")
    except OSError:
        raise Http404("No such release or file") from None
    listed = found.file(filename)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=found.download_name(listed.name),
        content_type=listed.kind.content_type,
    )
    response["Link"] = licence.link_header()
    return response
