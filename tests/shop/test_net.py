"""The client's address behind trusted proxies, at its edges."""

from __future__ import annotations

import pytest

from shop.net import client_address, networks

TRUSTED = networks(["127.0.0.1", "10.0.0.0/8", "not-an-address", " ::1 "])


def test_bad_proxy_entries_are_ignored() -> None:
    assert [str(n) for n in TRUSTED] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", "", "203.0.113.9"),  # no proxy header
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # a client cannot claim an address
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),  # our nginx
        ("10.2.3.4", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # only the hop nginx added
        ("::1", "2001:db8::5", "2001:db8::5"),
        ("127.0.0.1", " , ", "127.0.0.1"),  # an empty hop: the proxy itself
        ("unix-socket", "198.51.100.1", "unix-socket"),  # not an IP peer
        ("", "198.51.100.1", ""),
    ],
)
def test_forwarded_for_counts_only_from_a_trusted_proxy(
    peer: str, forwarded: str, expected: str
) -> None:
    assert client_address(peer, forwarded, TRUSTED) == expected
