"""The development server as `make run` starts it (runserver, DEBUG on): static files come
from the apps through WhiteNoise, and an address that climbs out of the static directory
is a 404, where runserver's own static handler answered it with a 500."""

import socket
import sys

import pytest
import requests

from tests import processes
from tests.processes import kill, wait_until


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def raw_status(port: int, path: str) -> int:
    """The status of a GET of `path` sent byte for byte: requests would tidy up the %2e."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        return int(conn.makefile("rb").readline().split()[1])


@pytest.mark.django_db(transaction=True)
def test_static_files_are_served_and_climbing_out_is_a_404(tmp_path):
    port = processes.free_port()
    log = tmp_path / "runserver.log"
    server = processes.start(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        log,
        DEBUG="true",
    )
    try:
        site = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers(site + "/static/css/site.css"), "static file", log)
        for path in [
            "/static/%2e%2e/%2e%2e/manage.py",
            "/static/..%2f..%2fmanage.py",
            "/static/css/%2e%2e/%2e%2e/%2e%2e/manage.py",
        ]:
            assert raw_status(port, path) == 404, path
        assert "Traceback" not in log.read_text()
    finally:
        kill(server)
