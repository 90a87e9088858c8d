"""The address of the client a request comes from, the one the login lockout, the audit trail, the
logs and the metrics allow-list all use.

Without TRUSTED_PROXIES (the default) that is the socket's peer, REMOTE_ADDR, and any
X-Forwarded-For header is ignored: anyone can write one. Behind a proxy, TRUSTED_PROXIES lists the
proxies' addresses or networks ("172.16.0.0/12", "10.0.0.7"); only when the peer is one of them is
the header read, right to left, skipping the trusted hops: the first address that is not a
trusted proxy is the client. Whatever a client puts at the left of the header is never reached.

The header is parsed by python-ipware (the engine under django-ipware, which django-axes uses); a
malformed header is not trusted and the peer is the client. django-ipware's own choice of address
is not used, as it trusts the header whoever sent it: it has no notion of the socket's peer.
"""

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.conf import settings
from python_ipware.modern.parsers import parse_ip, split_proxy_chain

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
UNKNOWN = "unknown address"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=16)
def networks_of(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of a setting's entries ("10.0.0.0/8", "192.0.2.7", "::1"); a bad entry is a
    configuration error (ValueError), which the settings raise at start-up."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def address_in(address: str, entries: Iterable[str]) -> bool:
    """Whether `address` (as client_address gives it) is in one of the networks `entries`."""
    parsed = parse_ip(address)
    return parsed is not None and _trusted(parsed, networks_of(tuple(entries)))


def client_address(meta: Mapping) -> str:
    """The client's address for a request's META (or its WSGI environ)."""
    peer = parse_ip(meta.get("REMOTE_ADDR"))
    if peer is None:
        return meta.get("REMOTE_ADDR") or UNKNOWN
    networks = networks_of(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(peer, networks):
        return str(peer)
    chain = split_proxy_chain(meta.get(FORWARDED_FOR), strict=True)
    if not chain:
        return str(peer)
    for hop in reversed(chain):
        if not _trusted(hop, networks):
            return str(hop)
    # Every hop is a trusted proxy: the leftmost one is as close to the client as we know.
    return str(chain[0])


def client_address_of_request(request) -> str:
    """`client_address` of a request: what django-axes calls (AXES_CLIENT_IP_CALLABLE)."""
    return client_address(request.META)
