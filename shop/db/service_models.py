"""The service side of the schema: cases, complaints, the agents' queue and staff,
buyers' photos, shop events for proactive messages, and conversation ratings.

Kept apart from the shop's catalogue and orders (:mod:`shop.db.catalogue_models`,
:mod:`shop.db.order_models`); :mod:`shop.db.models` re-exports every class, so
``from shop.db.models import X`` works for all.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)

from shop.db.base import Base


class DeliveryCase(Base):
    """A delivery problem a buyer reported: lost, stuck, not received, damaged..."""

    __tablename__ = "delivery_cases"

    id = Column(String(32), primary_key=True)
    order_id = Column(String(32), ForeignKey("orders.id"), nullable=False, index=True)
    # lost / stuck / signed_not_received / damaged / wrong_parcel / other
    kind = Column(String(30), nullable=False)
    buyer_words = Column(Text, nullable=False, default="")
    status = Column(String(20), nullable=False, default="open")  # open / resolved
    created_at = Column(DateTime, nullable=False)


class Complaint(Base):
    """A buyer's complaint with its category, for follow-up and the owner's view."""

    __tablename__ = "complaints"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(100), nullable=False, index=True)
    buyer_id = Column(String(32), ForeignKey("buyers.id"))
    order_id = Column(String(32), ForeignKey("orders.id"))
    # quality / service / logistics / description / price / other
    category = Column(String(20), nullable=False)
    buyer_words = Column(Text, nullable=False, default="")
    created_at = Column(DateTime, nullable=False)


class Escalation(Base):
    """A conversation that needs a human agent, with why and what is known."""

    __tablename__ = "escalations"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(100), nullable=False, index=True)
    buyer_id = Column(String(32), ForeignKey("buyers.id"))
    order_id = Column(String(32), ForeignKey("orders.id"))
    # delivery_problem / address_after_shipment / complaint / verification_failed /
    # request_human / cancel_request
    reason = Column(String(40), nullable=False)
    priority = Column(Integer, nullable=False, default=2)  # 1 urgent .. 3 low
    summary = Column(Text, nullable=False, default="")
    status = Column(String(20), nullable=False, default="waiting")  # waiting / assigned / resolved
    created_at = Column(DateTime, nullable=False)
    agent_id = Column(Integer, ForeignKey("staff_users.id"), index=True)
    assigned_at = Column(DateTime)
    first_reply_at = Column(DateTime)  # the agent's first message to the buyer
    resolved_at = Column(DateTime)
    # handed_back (the assistant resumed) / closed (an agent closed it with a note) /
    # buyer_cancelled (the buyer left the queue before an agent took it)
    outcome = Column(String(20))
    resolution_note = Column(Text)
    # the buyer's latest message while queued or with an agent (NULL: created_at);
    # silent for settings.buyer_left_minutes = 已离开 (shop/db/escalations/queue.py)
    buyer_seen_at = Column(DateTime)


class StaffUser(Base):
    """A person of the shop who logs in to the console: agent, trainer, owner."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(50), nullable=False, unique=True)
    display_name = Column(String(50), nullable=False)
    password_hash = Column(String(300), nullable=False)
    roles = Column(JSON, nullable=False, default=list)  # any of agent, trainer, owner
    max_open = Column(Integer, nullable=False, default=3)  # conversations at once
    active = Column(Boolean, nullable=False, default=True)
    last_seen_at = Column(DateTime)  # the console polls; online = seen recently
    # online / away / offline, the agent's switch; only online agents are assigned
    presence = Column(String(10), nullable=False, default="offline", server_default="offline")
    created_at = Column(DateTime, nullable=False)


class QuickReply(Base):
    """A canned reply (快捷回复) agents insert into their answer."""

    __tablename__ = "quick_replies"

    id = Column(Integer, primary_key=True, autoincrement=True)
    title = Column(String(50), nullable=False)
    text = Column(Text, nullable=False)
    created_by = Column(String(50), nullable=False)
    updated_at = Column(DateTime, nullable=False)


class Photo(Base):
    """A photo a buyer sent from the widget, stored outside the web root."""

    __tablename__ = "photos"

    id = Column(String(32), primary_key=True)  # random, unguessable
    conversation_id = Column(String(100), nullable=False, index=True)
    buyer_id = Column(String(32), ForeignKey("buyers.id"))
    return_id = Column(String(32), ForeignKey("return_requests.id"), index=True)
    content_type = Column(String(30), nullable=False)  # image/jpeg, image/png, image/webp
    size_bytes = Column(Integer, nullable=False)
    width = Column(Integer, nullable=False)
    height = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    storage_path = Column(String(200), nullable=False)  # relative to the upload directory
    created_at = Column(DateTime, nullable=False)


class ShopEvent(Base):
    """Something the shop did that the assistant tells the buyer (shipped, refunded...).

    A dispatcher claims a row (``claim_token``), sends it through Rasa's
    ``trigger_intent`` and sets ``delivered_at``; see ``shop/notify.py``.
    """

    __tablename__ = "shop_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    # order_shipped / order_delivered / return_received / return_refunded / review_invite
    kind = Column(String(30), nullable=False)
    buyer_id = Column(String(32), ForeignKey("buyers.id"), nullable=False, index=True)
    order_id = Column(String(32), ForeignKey("orders.id"))
    return_id = Column(String(32), ForeignKey("return_requests.id"))
    payload = Column(JSON, nullable=False, default=dict)  # the intent's entities
    created_at = Column(DateTime, nullable=False)
    next_attempt_at = Column(DateTime, nullable=False, index=True)
    attempts = Column(Integer, nullable=False, default=0)
    claim_token = Column(String(40))  # set while one dispatcher sends it
    claimed_at = Column(DateTime)
    last_error = Column(String(300))
    delivered_at = Column(DateTime, index=True)


class ConversationRating(Base):
    """A buyer's 1-5 rating (and optional comment) at the end of a conversation."""

    __tablename__ = "conversation_ratings"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(String(100), nullable=False, index=True)
    buyer_id = Column(String(32), ForeignKey("buyers.id"))
    handling = Column(String(10), nullable=False)  # bot (assistant alone) / agent
    escalation_id = Column(Integer, ForeignKey("escalations.id"))
    score = Column(Integer, nullable=False)  # 1..5
    comment = Column(Text)
    created_at = Column(DateTime, nullable=False)


class RecordAccess(Base):
    """Who searched, viewed or exported conversation records, and when (the access log).

    Kept apart from the records themselves: retention never deletes it, so a dispute
    can still show who read a conversation after the conversation is gone.
    """

    __tablename__ = "record_access_log"

    id = Column(Integer, primary_key=True, autoincrement=True)
    staff_id = Column(Integer, ForeignKey("staff_users.id"), index=True)
    username = Column(String(50), nullable=False)
    action = Column(String(10), nullable=False)  # search / view / export
    conversation_id = Column(String(255))  # view: the conversation read
    filters = Column(JSON, nullable=False, default=dict)  # search and export: the filters
    export_format = Column(String(4))  # export: json / csv
    result_count = Column(Integer)  # search: matches; export: conversations written
    created_at = Column(DateTime, nullable=False, index=True)
