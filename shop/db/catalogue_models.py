"""The shop's catalogue: products, size charts, stock, the shop's policy, promotions
and product reviews (the sections ``importer --update`` replaces, ``catalogue.py``).

Portable types only (no SQLite-only features): the same schema runs on
PostgreSQL in production. Money is stored in fen (integer cents) to avoid
floating-point drift; shoe sizes are floats because half sizes exist.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from shop.db.base import Base


class Product(Base):
    """A shoe model in the catalogue."""

    __tablename__ = "products"

    id = Column(String(32), primary_key=True)
    name = Column(String(100), nullable=False, unique=True)
    aliases = Column(JSON, nullable=False, default=list)
    category = Column(String(50), nullable=False)
    gender = Column(String(20), nullable=False)  # men / women / kids / unisex
    price_fen = Column(Integer, nullable=False)
    description = Column(Text, nullable=False, default="")
    material_upper = Column(String(200))
    material_lining = Column(String(200))
    material_sole = Column(String(200))
    fit_note = Column(String(200))
    # Size steps to add to the chart size: +0.5 when the model runs half a size small.
    fit_adjust = Column(Float, nullable=False, default=0.0)
    wide_last = Column(Boolean, nullable=False, default=False)
    half_sizes = Column(Boolean, nullable=False, default=True)

    functions = relationship(
        "ProductFunction", back_populates="product", cascade="all, delete-orphan"
    )
    size_chart = relationship(
        "SizeChartRow",
        back_populates="product",
        cascade="all, delete-orphan",
        order_by="SizeChartRow.size",
    )
    stock = relationship("StockItem", back_populates="product", cascade="all, delete-orphan")


class ProductFunction(Base):
    """A graded claim about what a shoe does, e.g. waterproof at level ``partial``."""

    __tablename__ = "product_functions"
    __table_args__ = (UniqueConstraint("product_id", "key"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    product_id = Column(String(32), ForeignKey("products.id"), nullable=False)
    key = Column(String(40), nullable=False)  # waterproof, breathable, anti_slip ...
    level = Column(String(20), nullable=False)  # yes / partial / no
    claim = Column(String(300), nullable=False)

    product = relationship("Product", back_populates="functions")


class SizeChartRow(Base):
    """One row of a product's size chart: the longest foot a size fits."""

    __tablename__ = "size_chart_rows"
    __table_args__ = (UniqueConstraint("product_id", "size"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    product_id = Column(String(32), ForeignKey("products.id"), nullable=False)
    size = Column(Float, nullable=False)
    foot_length_mm = Column(Integer, nullable=False)

    product = relationship("Product", back_populates="size_chart")


class StockItem(Base):
    """Units in stock for one colour and size of a product."""

    __tablename__ = "stock_items"
    __table_args__ = (UniqueConstraint("product_id", "color", "size"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    product_id = Column(String(32), ForeignKey("products.id"), nullable=False)
    color = Column(String(30), nullable=False)
    size = Column(Float, nullable=False)
    quantity = Column(Integer, nullable=False, default=0)
    reserved = Column(Integer, nullable=False, default=0)
    # When the shop expects more units (None: no date known; a past date is stale).
    restock_on = Column(Date)

    product = relationship("Product", back_populates="stock")


class ShopPolicy(Base):
    """The shop's rules for returns and shipping (a single row)."""

    __tablename__ = "shop_policy"

    id = Column(Integer, primary_key=True)
    no_reason_return_days = Column(Integer, nullable=False, default=7)
    quality_return_days = Column(Integer, nullable=False, default=15)
    return_condition = Column(String(300), nullable=False)
    no_reason_postage_payer = Column(String(20), nullable=False, default="buyer")
    quality_postage_payer = Column(String(20), nullable=False, default="shop")
    freight_insurance = Column(String(300), nullable=False)
    refund_days = Column(String(50), nullable=False)
    ship_within_hours = Column(Integer, nullable=False, default=48)
    cutoff_time = Column(String(5), nullable=False, default="16:00")
    couriers = Column(JSON, nullable=False, default=list)
    ship_from = Column(String(100), nullable=False)
    free_shipping = Column(String(300), nullable=False)
    remote_areas = Column(String(300), nullable=False)
    return_address = Column(String(300), nullable=False)
    return_recipient = Column(String(50), nullable=False)
    return_phone = Column(String(30), nullable=False)
    # 价保: days after payment in which a price drop is refunded (0: no price protection).
    price_protection_days = Column(Integer, nullable=False, default=0, server_default="0")
    price_protection_rule = Column(String(300))  # the conditions, quoted to buyers


class Promotion(Base):
    """A promotion or coupon valid between two dates (inclusive)."""

    __tablename__ = "promotions"

    id = Column(String(32), primary_key=True)
    title = Column(String(100), nullable=False)
    kind = Column(String(20), nullable=False)  # coupon / full_reduction / discount
    description = Column(String(300), nullable=False)
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False)
    stackable = Column(Boolean, nullable=False, default=False)


class ProductReview(Base):
    """A buyer's review of a product: 1-5 stars, words, the size bought and how it fit.

    ``source`` says where it came from: ``import`` (the shop file; replaced with the
    shop) or ``chat`` (given to the assistant after delivery; kept across
    ``importer --replace``, see ``shop/db/runtime_rows.py``).
    """

    __tablename__ = "product_reviews"

    id = Column(Integer, primary_key=True, autoincrement=True)
    product_id = Column(String(32), ForeignKey("products.id"), nullable=False, index=True)
    order_id = Column(String(32), ForeignKey("orders.id"), index=True)
    buyer_id = Column(String(32), ForeignKey("buyers.id"))
    nickname = Column(String(50), nullable=False)  # shown to other buyers: masked (张**)
    rating = Column(Integer, nullable=False)  # 1..5
    text = Column(Text, nullable=False, default="")
    size = Column(Float)
    fit = Column(String(10))  # small / true / large (偏小 / 正常 / 偏大), None: not said
    reviewed_at = Column(DateTime, nullable=False)
    source = Column(String(10), nullable=False, default="import")  # import / chat
    conversation_id = Column(String(100))  # chat: the conversation it was given in

    product = relationship("Product")
    order = relationship("Order")
    buyer = relationship("Buyer")
