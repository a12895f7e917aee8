"""The web process as docs/operations.md starts it (gunicorn, the command in its process
table), with real clients on loopback: a download that outlasts gunicorn's worker timeout
arrives whole, and one cut short (its worker killed) is an error or a short count that a
client can see, never a file that looks whole (issue 11).

gunicorn runs with one worker and a 2-second `--timeout`, so that a download outlasts it
in seconds rather than the minutes a million pledges take. A download is made long by a
client that stops reading for a while: the server then waits to send, as it does for a
slow reader or a big file. The body is bigger than the kernel's socket buffers can hold
(the server's send buffer grows up to `tcp_wmem`'s maximum), or the server would hand all
of it to the kernel and be done at once.
"""

import csv
import http.client
import io
import json
import math
import os
import re
import shlex
import signal
import socket
import sys
import time
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection

from commitments.models import Commitment
from tests import processes
from tests.factories import make_commitments
from tests.processes import kill, wait_until

pytestmark = [
    processes.needs_test_services,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 2  # gunicorn's worker timeout in these tests, in seconds
PAUSE = 3 * TIMEOUT  # how long the client stops reading
CLIENT_BUFFER = 64 * 1024  # the client's receive buffer (fixed, so the kernel cannot grow it)
SUMMARY = "A long summary of a pledge, to make the download big. " * 300  # ~16 KB a row


def documented_web_command() -> list[str]:
    """The web process's command from docs/operations.md, whatever it says."""
    table = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    (command,) = re.findall(r"^\| web \| `([^`]+)`", table, flags=re.MULTILINE)
    words = shlex.split(command)
    assert words[0] == "gunicorn", command
    kept, skip = [], False
    for word in words[1:]:
        if skip:
            skip = False
        elif word in ("-b", "--bind"):
            skip = True  # the tests bind a free port of their own instead
        elif not word.startswith("--bind="):
            kept.append(word)
    return [sys.executable, "-m", "gunicorn", *kept]


def max_send_buffer() -> int:
    """The most a socket's send buffer can grow to (Linux), in bytes."""
    try:
        return int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, IndexError, ValueError):
        return 4 * 2**20


@pytest.fixture
def big_listing(platform) -> int:
    """Enough published pledges that their CSV is well over the socket buffers."""
    rows = math.ceil((max_send_buffer() + 2 * 2**20) / len(SUMMARY))
    make_commitments(platform, rows)
    Commitment.objects.update(summary=SUMMARY)
    return rows


@pytest.fixture
def site(tmp_path):
    """gunicorn as documented, on a free loopback port: (base URL, process, log)."""
    port = processes.free_port()
    log = tmp_path / "web.log"
    command = documented_web_command() + [
        "-b", f"127.0.0.1:{port}", "--timeout", str(TIMEOUT), "--workers", "1",
        # gunicorn's control socket is one path per user: leave other servers' alone.
        "--no-control-socket",
    ]  # fmt: skip
    web = processes.start(command, log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(url), "web server", log)
        yield url, web, log
    finally:
        kill(web)


def answers(url: str) -> bool:
    try:
        return requests.get(url + "/commitments/", timeout=10).status_code == 200
    except requests.RequestException:
        return False


def worker_of(server) -> int:
    """The pid of gunicorn's one worker (the arbiter's child)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def records(body: bytes) -> int:
    """CSV records after the header line (a cut in the middle of one counts it)."""
    return max(0, len(list(csv.reader(io.StringIO(body.decode(errors="replace"))))) - 1)


def paused_get(url: str, path: str, *, pause: float, http_1_0: bool = False, meanwhile=None):
    """GET with http.client over a socket with a fixed small receive buffer: read the
    headers and some of the body, call `meanwhile`, stop reading for `pause` seconds, then
    read the rest. The response, the body received, and the error the client raised."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, CLIENT_BUFFER)
    sock.settimeout(60)
    sock.connect((host, int(port)))
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.sock = sock
    if http_1_0:
        connection._http_vsn, connection._http_vsn_str = 10, "HTTP/1.0"
    connection.request("GET", path)
    response = connection.getresponse()
    body, error = b"", None
    try:
        body = response.read(CLIENT_BUFFER)
        if meanwhile:
            meanwhile()
        time.sleep(pause)
        body += response.read()
    except http.client.IncompleteRead as cut:
        body, error = body + cut.partial, cut
    finally:
        connection.close()
    return response, body, error


def test_a_download_that_outlasts_the_worker_timeout_arrives_whole(site, big_listing):
    url, _, log = site
    started = time.monotonic()
    response, body, error = paused_get(url, "/commitments.csv", pause=PAUSE)
    took = time.monotonic() - started

    assert response.status == 200
    assert took > PAUSE > TIMEOUT
    assert error is None, (
        f"cut after {records(body)} of {big_listing} rows; log:\n{log.read_text()}"
    )
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert records(body) == big_listing
    assert response.getheader("X-Row-Count") == str(big_listing)
    assert "WORKER TIMEOUT" not in log.read_text()


class SmallWindow(HTTPAdapter):
    """requests with the same fixed receive buffer, so that the server cannot finish
    sending into the kernel before the test kills it."""

    def init_poolmanager(self, *args, **kwargs):
        options = [(socket.SOL_SOCKET, socket.SO_RCVBUF, CLIENT_BUFFER)]
        kwargs["socket_options"] = HTTPConnection.default_socket_options + options
        super().init_poolmanager(*args, **kwargs)


def test_a_download_whose_worker_is_killed_is_an_error_to_the_client(site, big_listing):
    url, server, _ = site
    session = requests.Session()
    session.mount("http://", SmallWindow())
    response = session.get(url + "/commitments.csv", stream=True, timeout=60)
    assert response.status_code == 200
    assert response.headers["X-Row-Count"] == str(big_listing)
    chunks = response.iter_content(CLIENT_BUFFER)
    body = next(chunks)

    os.kill(worker_of(server), signal.SIGKILL)  # as the out-of-memory killer does
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        for chunk in chunks:
            body += chunk
    assert records(body) < big_listing


@pytest.mark.parametrize("path", ["/commitments.csv", "/commitments.json"])
def test_an_http_1_0_client_sees_a_cut_download_by_its_row_count(site, big_listing, path):
    # HTTP/1.0 has no chunks: a cut is a plain end of the connection, as the end of a
    # whole body is. The count the headers gave (and JSON's closing bracket) tell them apart.
    url, server, _ = site
    response, body, error = paused_get(
        url, path, pause=0, http_1_0=True,
        meanwhile=lambda: os.kill(worker_of(server), signal.SIGKILL),
    )  # fmt: skip
    assert response.status == 200 and error is None
    assert response.getheader("Transfer-Encoding") is None
    assert response.getheader("X-Row-Count") == str(big_listing)
    if path.endswith(".csv"):
        assert records(body) < big_listing
    else:
        with pytest.raises(json.JSONDecodeError):
            json.loads(body)
