"""Which conversation a widget socket belongs to, decided by the server alone.

A conversation id (Rasa's ``sender_id``) is ``buyer-<buyer_id>`` for a buyer
with a valid token, else ``anon-<random>``. The client only ever holds a
*session id*: the conversation id plus an HMAC of it under the shop secret,
``v1.<sender_id>.<mac>``. A session id the server did not sign is ignored, so
nobody can pick another buyer's conversation by guessing or copying its name.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ANON_PREFIX = "anon-"
BUYER_PREFIX = "buyer-"
SESSION_VERSION = "v1"
MAX_SESSION_ID_CHARS = 512
PRODUCT_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")

BuyerVerifier = Callable[[Any], str | None]


class SessionSigner:
    """Signs and checks session ids with a key derived from the shop secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the session secret must not be empty")
        self._key = hmac.new(secret.encode(), b"shop-socketio-session", hashlib.sha256).digest()

    def _mac(self, sender_id: str) -> str:
        digest = hmac.new(self._key, sender_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def sign(self, sender_id: str) -> str:
        """The session id the client keeps for ``sender_id``."""
        return f"{SESSION_VERSION}.{sender_id}.{self._mac(sender_id)}"

    def verify(self, session_id: Any) -> str | None:
        """The conversation id inside a genuine session id, else ``None``."""
        if not isinstance(session_id, str) or len(session_id) > MAX_SESSION_ID_CHARS:
            return None
        version, _, rest = session_id.partition(".")
        sender_id, _, mac = rest.rpartition(".")
        if version != SESSION_VERSION or not sender_id or not mac:
            return None
        if not hmac.compare_digest(mac, self._mac(sender_id)):
            return None
        return sender_id


@dataclass(frozen=True)
class Binding:
    """A socket's conversation: who it is and what the client may keep."""

    sender_id: str
    buyer_id: str | None
    session_id: str


def new_anonymous_sender() -> str:
    """A fresh, unguessable anonymous conversation id."""
    return f"{ANON_PREFIX}{secrets.token_hex(16)}"


def bind_session(
    signer: SessionSigner, session_id: Any, buyer_token: Any, verify_buyer: BuyerVerifier
) -> Binding:
    """Decides a socket's conversation from its ``session_request``.

    A valid buyer token wins: the conversation is ``buyer-<id>`` on every
    device. Otherwise a genuine anonymous session id is resumed. A buyer's
    session id without that buyer's valid token, and anything unsigned, gets a
    new anonymous conversation.

    Args:
        signer: Signs and checks session ids.
        session_id: What the client sent as ``session_id``.
        buyer_token: What the client sent as ``buyer_token``.
        verify_buyer: Maps a token to its buyer id, ``None`` when invalid.

    Returns:
        The conversation to join and the session id to confirm.
    """
    buyer_id = verify_buyer(buyer_token)
    if buyer_id:
        sender_id = f"{BUYER_PREFIX}{buyer_id}"
    else:
        claimed = signer.verify(session_id)
        sender_id = (
            claimed if claimed and claimed.startswith(ANON_PREFIX) else new_anonymous_sender()
        )
    return Binding(sender_id, buyer_id, signer.sign(sender_id))


def clean_metadata(raw: Any, buyer_token: str | None) -> dict[str, str]:
    """The metadata passed on to Rasa: a verified token and a sane product id only.

    Args:
        raw: The metadata the client sent.
        buyer_token: The token, when it verified for this socket's buyer.

    Returns:
        At most ``buyer_token`` and ``product_id``; everything else is dropped.
    """
    metadata: dict[str, str] = {}
    if buyer_token:
        metadata["buyer_token"] = buyer_token
    product_id = raw.get("product_id") if isinstance(raw, dict) else None
    if isinstance(product_id, str) and PRODUCT_ID.fullmatch(product_id):
        metadata["product_id"] = product_id
    return metadata
