"""Which addresses the link checker may connect to (commitments/followup/addresses.py).
Pure decisions and a faked name lookup: nothing here connects anywhere."""

import ipaddress
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

from commitments.followup.addresses import LookupFailed, addresses_of, may_connect

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",  # IPv4-mapped, carrying a public address
    "2002:808:808::1",  # 6to4, carrying 8.8.8.8
    "64:ff9b::808:808",  # NAT64, carrying 8.8.8.8
]

REFUSED = [
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::a00:1",  # IPv4-compatible, deprecated
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fec0::1",  # site-local, deprecated
    "ff02::1",
    "ff0e::1",  # global-scope multicast
    "2001:db8::1",
    "2002:a00:1::1",  # 6to4, carrying 10.0.0.1
    "2002:7f00:1::1",  # 6to4, carrying 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64, carrying 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64, carrying 127.0.0.1: the gateway's own loopback
    "2001::1",  # Teredo
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo, carrying a public server
]

LOOPBACK = ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]


@pytest.mark.parametrize("address", PUBLIC)
def test_a_public_address_may_be_checked(address):
    assert may_connect(ipaddress.ip_address(address)) is True


@pytest.mark.parametrize("address", REFUSED + LOOPBACK)
def test_any_other_address_is_refused(address):
    assert may_connect(ipaddress.ip_address(address)) is False


@pytest.mark.parametrize("address", LOOPBACK)
def test_loopback_may_be_allowed_for_tests_and_local_trials(address):
    assert may_connect(ipaddress.ip_address(address), allow_loopback=True) is True


@pytest.mark.parametrize("address", REFUSED)
def test_allowing_loopback_allows_nothing_else(address):
    assert may_connect(ipaddress.ip_address(address), allow_loopback=True) is False


def test_loopback_is_not_allowed_unless_the_environment_says_so():
    environment = {
        name: value for name, value in os.environ.items() if name != "LINKCHECK_ALLOW_LOOPBACK"
    }
    script = "import django; django.setup(); from django.conf import settings; "
    script += "print(settings.LINKCHECK_ALLOW_LOOPBACK)"
    shown = subprocess.run(
        [sys.executable, "-c", script],
        env={**environment, "DJANGO_SETTINGS_MODULE": "tracker.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "False"


def fake_lookup(monkeypatch, answer):
    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        return answer(host, port)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_lookup_gives_each_address_once(monkeypatch):
    fake_lookup(
        monkeypatch,
        lambda host, port: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.7", port)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2001:db8::7", port, 0, 0)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.7", port)),
        ],
    )

    found = addresses_of("source.localhost", 443, timeout=5)

    assert found == [ipaddress.ip_address("192.0.2.7"), ipaddress.ip_address("2001:db8::7")]


def test_a_name_without_an_address_says_so(monkeypatch):
    def no_such_name(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    fake_lookup(monkeypatch, no_such_name)

    with pytest.raises(LookupFailed, match="^could not connect: Name or service not known$"):
        addresses_of("missing.localhost", 80, timeout=5)


def test_a_slow_name_server_does_not_stretch_the_deadline(monkeypatch):
    released = threading.Event()
    fake_lookup(monkeypatch, lambda host, port: released.wait(10) and [])

    started = time.monotonic()
    with pytest.raises(LookupFailed, match="^timed out: could not look up the host within 0.2 s$"):
        addresses_of("slow.localhost", 80, timeout=0.2)
    released.set()

    assert time.monotonic() - started < 2
