"""The whole test run may connect to loopback only (127.0.0.0/8 and ::1): no test sends
traffic to any other address, private or public, not even to show that it is refused.

`install()` (called by tests/conftest.py when pytest starts, in every xdist worker) wraps
the two ways this process opens connections:
- Python sockets: socket.socket.connect and connect_ex, which create_connection, requests,
  smtplib, redis-py and asyncio all go through;
- libcurl (the link checker): pycurl.Curl is replaced by a subclass whose socket callback
  sees every address libcurl is about to connect to, whatever callback the code under
  test sets, since libcurl connects in C where Python's socket never sees it.
A connection anywhere else is not made: it raises OutsideLoopback (a socket) or is
refused to libcurl, and the test fails at teardown, however the code under test took
the error. Every attempt, loopback or not, is recorded, so a test can assert that a
refusal came before any connection (the `network` fixture in conftest.py).

Not covered: connections made in C by other libraries (libpq, for the test PostgreSQL on
a unix socket or 127.0.0.1), and processes the tests start (Celery workers, gunicorn,
Redis, Chromium), which are outside this process; they are all pointed at loopback.
"""

import ipaddress
import socket
import threading

import pycurl

LOOPBACK_NAMES = {"localhost"}


class OutsideLoopback(OSError):
    """A connection the test run may not make."""


attempts: list[tuple[str, str]] = []  # (how, address), every connection attempt
violations: list[str] = []
_lock = threading.Lock()

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_RealCurl = pycurl.Curl


def is_loopback(host: str) -> bool:
    """A loopback address, or the name localhost. Other names are not looked up, as
    that would itself send a query to the name server."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])  # fe80::1%eth0
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback


def allowed(how: str, family: int, address) -> bool:
    """Records the attempt; True when it may go ahead."""
    if family not in (socket.AF_INET, socket.AF_INET6):
        return True  # unix sockets (PostgreSQL, Redis may use them), socketpairs
    host = str(address[0])
    with _lock:
        attempts.append((how, host))
        if is_loopback(host):
            return True
        violations.append(f"{how} to {address!r}")
    return False


def refusal(address) -> OutsideLoopback:
    return OutsideLoopback(f"tests may connect to loopback only, not to {address!r}")


def guarded_connect(self, address):
    if not allowed("socket", self.family, address):
        raise refusal(address)
    return _real_connect(self, address)


def guarded_connect_ex(self, address):
    if not allowed("socket", self.family, address):
        raise refusal(address)
    return _real_connect_ex(self, address)


class GuardedCurl(_RealCurl):
    """pycurl.Curl whose every connection passes `_open_socket` first. A socket callback
    set by the code under test is kept and called after the guard's check."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._inner_open_socket = None
        super().setopt(pycurl.OPENSOCKETFUNCTION, self._open_socket)

    def setopt(self, option, value):
        if option == pycurl.OPENSOCKETFUNCTION:
            self._inner_open_socket = value
            return None
        return super().setopt(option, value)

    def unsetopt(self, option):
        if option == pycurl.OPENSOCKETFUNCTION:
            self._inner_open_socket = None
            return None
        return super().unsetopt(option)

    def reset(self):
        super().reset()
        self._inner_open_socket = None
        super().setopt(pycurl.OPENSOCKETFUNCTION, self._open_socket)

    def _open_socket(self, purpose, address):
        if not allowed("curl", address.family, address.addr):
            return pycurl.SOCKET_BAD
        if self._inner_open_socket:
            return self._inner_open_socket(purpose, address)
        return socket.socket(address.family, address.socktype, address.protocol)


def install() -> None:
    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    # Code must call pycurl.Curl() (not keep `from pycurl import Curl`) to be guarded;
    # commitments/followup/link_health.py does.
    pycurl.Curl = GuardedCurl
