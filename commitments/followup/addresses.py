"""Which network addresses the link checker may connect to: the public internet only.

Staff type or import a source's address, and the checker stores what it got back (a
status, an error text) where staff see it. Without this rule an Editor could point a
source at http://127.0.0.1:8000/admin/, at a cloud's metadata service (169.254.169.254)
or at a host on the office network, and read from the results which internal hosts
exist and what they answer.

The rule, `may_connect`: an address is refused unless it is globally routable. Python's
`is_global` alone is not enough (it calls multicast global, and its tables change from
one Python to the next), so these are refused by name too: private, loopback, link-local,
multicast, reserved (which covers the IPv4-compatible ::a.b.c.d), unspecified (0.0.0.0
and ::) and IPv6 site-local. Addresses that carry an IPv4 address are judged by it as
well: IPv4-mapped (::ffff:10.0.0.1 reaches 10.0.0.1), 6to4 (2002::/16) and the NAT64
prefix (64:ff9b::/96). Teredo (2001::/32) is refused outright: where it leads cannot be
told from the address.

LINKCHECK_ALLOW_LOOPBACK=true (never on by default) lets loopback through, 127.0.0.0/8
and ::1 and nothing else, for the tests' local servers and trials on a laptop.

A name is looked up once per request (`addresses_of`), and refused when any of its
addresses is: a name that mixes public and internal addresses is misconfigured or a
trick, and the checker could not tell which one would be used. The checker then connects
to those checked addresses only, with no second lookup (link_health.py).
"""

import ipaddress
import socket
import threading

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
TEREDO = ipaddress.ip_network("2001::/32")


def may_connect(address: IPAddress, *, allow_loopback: bool = False) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address in TEREDO:
            return False
        if address.ipv4_mapped:
            return may_connect(address.ipv4_mapped, allow_loopback=allow_loopback)
        if address in NAT64:
            carried = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
            return may_connect(carried, allow_loopback=False)
        if address in SIX_TO_FOUR and not may_connect(address.sixtofour):
            return False
        if address.is_site_local:
            return False
    if address.is_loopback:
        return allow_loopback
    return address.is_global and not (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


class LookupFailed(Exception):
    """The name has no address, or the lookup did not end in time; the words say which."""


def addresses_of(host: str, port: int, *, timeout: float) -> list[IPAddress]:
    """The addresses `host` (an ASCII name or an address literal) has for TCP.

    The lookup runs in a thread of its own so that a slow name server cannot stretch a
    check past its deadline; a lookup given up on ends by itself in the background when
    the resolver's own timeout comes.
    """
    found: list = []
    lookup = threading.Thread(
        target=_look_up, args=(host, port, found), daemon=True, name="linkcheck-lookup"
    )
    lookup.start()
    lookup.join(timeout)
    if lookup.is_alive() or not found:
        raise LookupFailed(f"timed out: could not look up the host within {timeout:g} s")
    result = found[0]
    if isinstance(result, Exception):
        words = getattr(result, "strerror", None) or str(result)
        raise LookupFailed(f"could not connect: {words}")
    addresses = []
    for family, _type, _proto, _name, sockaddr in result:
        if family in (socket.AF_INET, socket.AF_INET6):
            address = ipaddress.ip_address(sockaddr[0])
            if address not in addresses:
                addresses.append(address)
    if not addresses:
        raise LookupFailed("could not connect: the host has no address")
    return addresses


def _look_up(host: str, port: int, found: list) -> None:
    try:
        found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    except Exception as error:  # socket.gaierror mostly; handed to the waiting thread
        found.append(error)
