"""The test run's own guard (tests/network_guard.py): connections to loopback go ahead
and are recorded; any other is refused before it is made. The refused cases never reach
the network even if the guard were broken: the real connect is swapped for a stand-in
first, and libcurl's socket callback is called directly."""

import socket
import threading
from collections import namedtuple
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pycurl
import pytest

from tests import network_guard

CurlSockAddr = namedtuple("CurlSockAddr", "family socktype protocol addr")
DOCUMENTATION_ONLY = "192.0.2.1"  # TEST-NET-1, never routed


class Quiet(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(204)
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_real_connect(monkeypatch):
    """Stands in for the real connect, so that nothing leaves even if the guard let it."""
    made = []
    monkeypatch.setattr(network_guard, "_real_connect", lambda sock, address: made.append(address))
    monkeypatch.setattr(
        network_guard, "_real_connect_ex", lambda sock, address: made.append(address)
    )
    return made


def test_a_socket_may_connect_to_loopback_and_is_recorded(network, local_server):
    with socket.create_connection(("127.0.0.1", local_server), timeout=5):
        pass

    assert ("socket", "127.0.0.1") in network.attempts()


@pytest.mark.parametrize("method", ["connect", "connect_ex"])
def test_a_socket_may_not_connect_anywhere_else(network, no_real_connect, method):
    with socket.socket() as sock, pytest.raises(network_guard.OutsideLoopback):
        getattr(sock, method)((DOCUMENTATION_ONLY, 80))

    assert no_real_connect == []
    assert network.attempts() == [("socket", DOCUMENTATION_ONLY)]
    # Taken as reported here, or the `network` fixture would fail this test.
    assert network_guard.violations.pop() == f"socket to {(DOCUMENTATION_ONLY, 80)!r}"


def test_libcurl_may_connect_to_loopback_and_is_recorded(network, local_server):
    curl = pycurl.Curl()
    curl.setopt(pycurl.URL, f"http://127.0.0.1:{local_server}/")
    curl.setopt(pycurl.PROXY, "")
    curl.setopt(pycurl.TIMEOUT, 5)
    curl.perform()
    status = curl.getinfo(pycurl.RESPONSE_CODE)
    curl.close()

    assert status == 204
    assert network.attempts() == [("curl", "127.0.0.1")]


def test_libcurl_may_not_connect_anywhere_else_whatever_socket_callback_is_set(network):
    called = []
    curl = pycurl.Curl()
    curl.setopt(pycurl.OPENSOCKETFUNCTION, lambda purpose, address: called.append(address))
    address = CurlSockAddr(socket.AF_INET, socket.SOCK_STREAM, 6, (DOCUMENTATION_ONLY, 80))

    assert curl._open_socket(0, address) == pycurl.SOCKET_BAD
    curl.close()

    assert called == []
    assert network.attempts() == [("curl", DOCUMENTATION_ONLY)]
    assert network_guard.violations.pop() == f"curl to {(DOCUMENTATION_ONLY, 80)!r}"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("10.0.0.1", False),
        ("0.0.0.0", False),
        ("::", False),
        ("fe80::1%lo", False),
        ("example.org", False),
    ],
)
def test_it_knows_loopback_from_anything_else(host, loopback):
    assert network_guard.is_loopback(host) is loopback
