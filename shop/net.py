"""Who is on the other end of an HTTP request, behind the trusted proxies or not."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(proxies: Iterable[str]) -> list[Network]:
    """The trusted proxies' networks (``10.0.0.0/8``, ``127.0.0.1``); bad entries are ignored."""
    out: list[Network] = []
    for proxy in proxies:
        try:
            out.append(ipaddress.ip_network(proxy.strip(), strict=False))
        except ValueError:
            continue
    return out


def client_address(peer: str, forwarded_for: str, trusted: Iterable[Network]) -> str:
    """The client's address: the peer, or the last ``X-Forwarded-For`` hop when the peer is
    a trusted proxy (only the hop our proxy appended can be believed)."""
    if not forwarded_for:
        return peer
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return peer
    if not any(address in network for network in trusted):
        return peer
    return forwarded_for.split(",")[-1].strip() or peer
