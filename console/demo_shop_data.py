"""What the demo shop's pages show, read from the shop database as plain dicts.

Every function takes the session as a keyword and returns only values (no ORM
objects), so the templates never touch the database. Nothing here is made up:
a field the catalogue leaves empty is left out of the page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shop.db.models import (
    Buyer,
    Order,
    OrderItem,
    Product,
    ReturnRequest,
    Shipment,
    ShopPolicy,
)
from shop.db.values import yuan
from shop.lexicon import (
    FUNCTION_LABELS,
    FUNCTION_LEVEL_LABELS,
    GENDER_LABELS,
    ORDER_STATUS_LABELS,
    RETURN_KIND_LABELS,
    RETURN_STATUS_LABELS,
    label,
)

# The illustration of a category (console/static/shop/shoe-<shape>.svg).
SHAPES = {
    "跑步鞋": "running",
    "儿童运动鞋": "running",
    "商务皮鞋": "oxford",
    "乐福鞋": "oxford",
    "雪地靴": "boot",
    "短靴": "boot",
    "儿童雨靴": "boot",
    "户外徒步鞋": "hiking",
    "板鞋": "sneaker",
    "高跟鞋": "heel",
    "凉鞋": "sandal",
}

# Demo buyers worth trying (docs/shop-data.md) and what to try with each.
DEMO_HINTS = {
    "B001": "物流查询：我的疾风跑鞋到哪了",
    "B002": "待发货改地址：我想改一下收货地址",
    "B003": "待付款订单：我的高跟鞋怎么还没发货",
    "B004": "物流停滞：物流好几天没动了",
    "B005": "7天无理由退货（买家付运费）：这双鞋我想退货",
    "B006": "退货，有运费险：我想退货",
    "B008": "签收10天，只能质量退货：我要退货，鞋跟松了",
    "B009": "已过退货期：我的订单到哪了 / 我想退货",
    "B010": "多个订单（顺丰在途、刚签收、已完成）：我的订单到哪了",
    "B012": "退货待审核：退款到哪了",
    "B014": "退货寄回中：退货进度怎么样了",
    "B015": "质量退货已收货：退款什么时候到",
    "B018": "换货中（42换43）：换货到哪了",
    "B020": "偏远地区改地址：我想改地址",
}


def size_label(size: float) -> str:
    """A shoe size without a useless ``.0``: ``42.0`` -> ``42``, ``41.5`` -> ``41.5``."""
    return f"{size:g}"


def _shape(category: str) -> str:
    return SHAPES.get(category, "sneaker")


def shop_facts(*, session: Session) -> str:
    """One line of the shop's policy for the shop front ('' before a shop is imported)."""
    policy = session.execute(select(ShopPolicy).limit(1)).scalar_one_or_none()
    if policy is None:
        return ""
    return f"{policy.ship_from}发货 · {policy.no_reason_return_days}天无理由退货（自签收起）"


def catalogue(*, session: Session) -> list[dict[str, Any]]:
    """The shop front: every product with its price, category and description."""
    products = session.execute(select(Product).order_by(Product.id)).scalars()
    return [
        {
            "id": p.id,
            "name": p.name,
            "price": yuan(p.price_fen),
            "category": p.category,
            "gender": GENDER_LABELS.get(p.gender, ""),
            "description": p.description or "",
            "shape": _shape(p.category),
        }
        for p in products
    ]


def product_details(product_id: str, *, session: Session) -> dict[str, Any] | None:
    """One product page: materials, functions, fit and size chart; ``None`` if unknown."""
    stmt = (
        select(Product)
        .where(Product.id == product_id)
        .options(
            selectinload(Product.size_chart),
            selectinload(Product.functions),
            selectinload(Product.stock),
        )
    )
    p = session.execute(stmt).scalar_one_or_none()
    if p is None:
        return None
    materials = [
        (label, value)
        for label, value in (
            ("鞋面", p.material_upper),
            ("内里", p.material_lining),
            ("鞋底", p.material_sole),
        )
        if value
    ]
    order = list(FUNCTION_LABELS)
    functions = sorted(p.functions, key=lambda f: order.index(f.key) if f.key in order else 99)
    colors = sorted({s.color for s in p.stock})
    return {
        "id": p.id,
        "name": p.name,
        "price": yuan(p.price_fen),
        "category": p.category,
        "gender": GENDER_LABELS.get(p.gender, ""),
        "description": p.description or "",
        "shape": _shape(p.category),
        "materials": materials,
        "functions": [
            {
                "label": label(FUNCTION_LABELS, f.key),
                "level": f.level,
                "level_label": label(FUNCTION_LEVEL_LABELS, f.level),
                "claim": f.claim,
            }
            for f in functions
        ],
        "fit_note": p.fit_note or "",
        "wide_last": bool(p.wide_last),
        "half_sizes": bool(p.half_sizes),
        "colors": colors,
        "size_chart": [
            {"size": size_label(r.size), "foot_length_mm": r.foot_length_mm} for r in p.size_chart
        ],
    }


def demo_buyers(*, session: Session) -> list[dict[str, str]]:
    """The buyers of the switcher (those of :data:`DEMO_HINTS` that exist), by id."""
    stmt = select(Buyer).where(Buyer.id.in_(list(DEMO_HINTS))).order_by(Buyer.id)
    return [
        {"id": b.id, "name": b.name, "hint": DEMO_HINTS[b.id]}
        for b in session.execute(stmt).scalars()
    ]


def _shipment(shipment: Shipment | None) -> dict[str, str] | None:
    if shipment is None:
        return None
    last = shipment.events[-1] if shipment.events else None
    return {
        "courier": shipment.courier,
        "tracking_number": shipment.tracking_number,
        "latest": f"【{last.location}】{last.description}" if last else "",
        "latest_at": f"{last.happened_at:%m-%d %H:%M}" if last else "",
    }


def _date(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def buyer_orders(buyer_id: str, *, session: Session) -> list[dict[str, Any]]:
    """The buyer's orders, newest first, with items, parcel and after-sale requests."""
    stmt = (
        select(Order)
        .where(Order.buyer_id == buyer_id)
        .order_by(Order.created_at.desc())
        .options(
            selectinload(Order.items).selectinload(OrderItem.product),
            selectinload(Order.shipments).selectinload(Shipment.events),
        )
    )
    orders = list(session.execute(stmt).scalars())
    returns: dict[str, list[ReturnRequest]] = {}
    if orders:
        rstmt = (
            select(ReturnRequest)
            .where(ReturnRequest.order_id.in_([o.id for o in orders]))
            .order_by(ReturnRequest.created_at)
        )
        for r in session.execute(rstmt).scalars():
            returns.setdefault(r.order_id, []).append(r)
    result = []
    for o in orders:
        latest = max(o.shipments, key=lambda s: s.shipped_at) if o.shipments else None
        result.append(
            {
                "id": o.id,
                "status": o.status,
                "status_label": label(ORDER_STATUS_LABELS, o.status),
                "created_at": _date(o.created_at),
                "delivered_at": _date(o.delivered_at),
                "total": yuan(o.total_fen),
                "freight_insurance": bool(o.freight_insurance),
                "lines": [
                    {
                        "product_id": i.product_id,
                        "name": i.product.name if i.product else i.product_id,
                        "color": i.color,
                        "size": size_label(i.size),
                        "quantity": i.quantity,
                        "price": yuan(i.price_fen),
                    }
                    for i in o.items
                ],
                "shipment": _shipment(latest),
                "returns": [
                    {
                        "id": r.id,
                        "kind": label(RETURN_KIND_LABELS, r.kind),
                        "status_label": label(RETURN_STATUS_LABELS, r.status),
                    }
                    for r in returns.get(o.id, [])
                ],
            }
        )
    return result
