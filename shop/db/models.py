"""SQLAlchemy models of the shop, every table importable from here.

The classes live by concern: :mod:`shop.db.catalogue_models` (products, size
charts, stock, policy, promotions, reviews), :mod:`shop.db.order_models` (buyers,
orders, shipments, returns) and :mod:`shop.db.service_models` (cases, the agents'
queue and staff, photos, shop events, ratings). Importing this module registers
every table on ``Base.metadata`` (Alembic's ``migrations/env.py`` reads it).
"""

from __future__ import annotations

from shop.db.base import Base
from shop.db.catalogue_models import (
    Product,
    ProductFunction,
    ProductReview,
    Promotion,
    ShopPolicy,
    SizeChartRow,
    StockItem,
)
from shop.db.order_models import (
    Buyer,
    Order,
    OrderItem,
    ReturnRequest,
    ReturnStatusChange,
    Shipment,
    TrackingEvent,
)
from shop.db.service_models import (
    Complaint,
    ConversationRating,
    DeliveryCase,
    Escalation,
    Photo,
    QuickReply,
    RecordAccess,
    ShopEvent,
    StaffUser,
)

__all__ = [
    "Base",
    "Buyer",
    "Complaint",
    "ConversationRating",
    "DeliveryCase",
    "Escalation",
    "Order",
    "OrderItem",
    "Photo",
    "Product",
    "ProductFunction",
    "ProductReview",
    "Promotion",
    "QuickReply",
    "RecordAccess",
    "ReturnRequest",
    "ReturnStatusChange",
    "Shipment",
    "ShopEvent",
    "ShopPolicy",
    "SizeChartRow",
    "StaffUser",
    "StockItem",
    "TrackingEvent",
]
