"""The shop's buyers and their orders: items, shipments and tracking, returns and
exchanges with their status history. Portable types only, money in fen (as
:mod:`shop.db.catalogue_models`).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from shop.db.base import Base


class Buyer(Base):
    """A registered buyer of the shop."""

    __tablename__ = "buyers"

    id = Column(String(32), primary_key=True)
    name = Column(String(50), nullable=False)
    phone = Column(String(20), nullable=False)

    orders = relationship("Order", back_populates="buyer")


class Order(Base):
    """A buyer's order; ``status`` follows the shop's order life-cycle."""

    __tablename__ = "orders"

    id = Column(String(32), primary_key=True)
    buyer_id = Column(String(32), ForeignKey("buyers.id"), nullable=False, index=True)
    # pending_payment / paid / shipped / delivered / completed / cancelled
    status = Column(String(20), nullable=False)
    created_at = Column(DateTime, nullable=False)
    paid_at = Column(DateTime)
    delivered_at = Column(DateTime)
    recipient_name = Column(String(50), nullable=False)
    recipient_phone = Column(String(20), nullable=False)
    address = Column(String(300), nullable=False)
    freight_insurance = Column(Boolean, nullable=False, default=False)
    total_fen = Column(Integer, nullable=False)

    buyer = relationship("Buyer", back_populates="orders")
    items = relationship("OrderItem", back_populates="order", cascade="all, delete-orphan")
    shipments = relationship("Shipment", back_populates="order", cascade="all, delete-orphan")


class OrderItem(Base):
    """One line of an order."""

    __tablename__ = "order_items"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(32), ForeignKey("orders.id"), nullable=False, index=True)
    product_id = Column(String(32), ForeignKey("products.id"), nullable=False)
    color = Column(String(30), nullable=False)
    size = Column(Float, nullable=False)
    quantity = Column(Integer, nullable=False, default=1)
    price_fen = Column(Integer, nullable=False)

    order = relationship("Order", back_populates="items")
    product = relationship("Product")


class Shipment(Base):
    """A parcel of an order handed to a courier."""

    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True, autoincrement=True)
    order_id = Column(String(32), ForeignKey("orders.id"), nullable=False, index=True)
    courier = Column(String(30), nullable=False)
    tracking_number = Column(String(40), nullable=False)
    shipped_at = Column(DateTime, nullable=False)
    expected_on = Column(Date)

    order = relationship("Order", back_populates="shipments")
    events = relationship(
        "TrackingEvent",
        back_populates="shipment",
        cascade="all, delete-orphan",
        order_by="TrackingEvent.happened_at",
    )


class TrackingEvent(Base):
    """A courier scan of a shipment."""

    __tablename__ = "tracking_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    shipment_id = Column(Integer, ForeignKey("shipments.id"), nullable=False, index=True)
    happened_at = Column(DateTime, nullable=False)
    location = Column(String(100), nullable=False)
    description = Column(String(200), nullable=False)

    shipment = relationship("Shipment", back_populates="events")


class ReturnRequest(Base):
    """A return or exchange of one order item, moving through its states."""

    __tablename__ = "return_requests"

    id = Column(String(32), primary_key=True)
    order_id = Column(String(32), ForeignKey("orders.id"), nullable=False, index=True)
    order_item_id = Column(Integer, ForeignKey("order_items.id"), nullable=False)
    kind = Column(String(10), nullable=False)  # return / exchange
    # size / no_reason (the 7-day window) or quality / not_as_described /
    # shipping_damage / wrong_item (the longer quality window, shop pays postage)
    reason = Column(String(30), nullable=False)
    # requested / awaiting_shipment / in_transit / received / inspected /
    # refunded / exchanged / rejected
    status = Column(String(20), nullable=False)
    buyer_words = Column(Text, nullable=False, default="")
    return_tracking_number = Column(String(40))
    exchange_size = Column(Float)
    exchange_color = Column(String(30))
    shop_note = Column(String(300))
    refund_fen = Column(Integer)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)

    order = relationship("Order")
    item = relationship("OrderItem")
    history = relationship(
        "ReturnStatusChange",
        back_populates="return_request",
        cascade="all, delete-orphan",
        order_by="ReturnStatusChange.id",
    )


class ReturnStatusChange(Base):
    """One step of a return's life, with who made it (buyer, assistant or shop)."""

    __tablename__ = "return_status_changes"

    id = Column(Integer, primary_key=True, autoincrement=True)
    return_id = Column(String(32), ForeignKey("return_requests.id"), nullable=False, index=True)
    from_status = Column(String(20))
    to_status = Column(String(20), nullable=False)
    actor = Column(String(50), nullable=False)
    note = Column(String(300))
    happened_at = Column(DateTime, nullable=False)

    return_request = relationship("ReturnRequest", back_populates="history")
