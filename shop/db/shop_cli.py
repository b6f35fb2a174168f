"""The shop's command line for return and exchange requests.

Usage::

    python -m shop.db.shop_cli [--database-url URL] returns list [--status S]
    python -m shop.db.shop_cli returns show RT0001
    python -m shop.db.shop_cli returns mark RT0001 STATUS [--note T] [--refund-yuan Y]
        [--actor A]
    python -m shop.db.shop_cli returns tracking RT0001 TRACKINGNO
    python -m shop.db.shop_cli orders mark ORDER shipped --courier C --tracking T
    python -m shop.db.shop_cli orders mark ORDER delivered

Marking an order shipped or delivered, or a return received or refunded, also
records a shop event that ``python -m shop.notify`` sends to the buyer.

Exit code 0 on success (with a one-line confirmation for changes), 1 when the
change is refused (unknown id, illegal step, bad amount or tracking number;
nothing is written), 2 for bad arguments. See ``docs/shop-operations.md``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shop.db.models import ReturnRequest
from shop.db.returns import STATUSES, ReturnError, record_return_tracking, transition
from shop.db.session import get_engine, session_scope
from shop.db.shop_events import (
    ShopEventError,
    mark_order_delivered,
    mark_order_shipped,
    record_return_event,
)
from shop.db.values import to_fen

# What the shop marks by hand; in_transit comes from ``returns tracking``.
MARKABLE = ("awaiting_shipment", "received", "inspected", "refunded", "exchanged", "rejected")


class CliError(Exception):
    """A one-line reason the command refused to run."""


def _yuan(fen: int | None) -> str:
    return "-" if fen is None else f"{fen / 100:.2f}"


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _parse_refund(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        fen = to_fen(text.strip())
    except ValueError as exc:
        raise CliError(f"bad refund amount {text!r}: yuan with at most 2 decimals") from exc
    if fen <= 0:
        raise CliError(f"bad refund amount {text!r}: must be more than 0")
    return fen


def _list(args: argparse.Namespace, session: Session) -> str | None:
    query = select(ReturnRequest).order_by(ReturnRequest.id)
    if args.status:
        query = query.where(ReturnRequest.status == args.status)
    rows = [
        (r.id, r.order_id, r.kind, r.reason, r.status, _time(r.updated_at))
        for r in session.execute(query).scalars()
    ]
    header = ("id", "order", "kind", "reason", "status", "updated")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    print(f"{len(rows)} return request(s)")
    return None


def _show(args: argparse.Namespace, session: Session) -> str | None:
    request = session.get(ReturnRequest, args.return_id)
    if request is None:
        raise CliError(f"no return request {args.return_id!r}")
    item = request.item
    size = request.exchange_size
    want = " ".join(part for part in (request.exchange_color, size and f"{size:g}") if part)
    fields = [
        ("id", request.id),
        ("order", request.order_id),
        ("item", f"{item.product_id} {item.color} {item.size:g} x{item.quantity} "
                 f"@ {_yuan(item.price_fen)} yuan"),
        ("kind", request.kind + (f" -> {want}" if request.kind == "exchange" else "")),
        ("reason", request.reason),
        ("status", request.status),
        ("tracking", request.return_tracking_number or "-"),
        ("refund", _yuan(request.refund_fen)),
        ("buyer says", request.buyer_words or "-"),
        ("shop note", request.shop_note or "-"),
        ("created", _time(request.created_at)),
        ("updated", _time(request.updated_at)),
    ]  # fmt: skip
    for name, value in fields:
        print(f"{name + ':':<12}{value}")
    print("history:")
    for change in request.history:
        note = f"  {change.note}" if change.note else ""
        print(
            f"  {_time(change.happened_at)}  {change.from_status or '-'} -> {change.to_status}"
            f"  by {change.actor}{note}"
        )
    if not request.history:
        print("  (no recorded changes)")
    return None


def _mark(args: argparse.Namespace, session: Session) -> str:
    refund = _parse_refund(args.refund_yuan)
    request = session.get(ReturnRequest, args.return_id)
    before = request.status if request else None
    request = transition(
        args.return_id,
        args.status,
        actor=args.actor,
        session=session,
        note=args.note,
        refund_fen=refund,
    )
    extra = f", refund {_yuan(request.refund_fen)} yuan" if args.status == "refunded" else ""
    record_return_event(request, session=session)  # received / refunded: the buyer is told
    return f"{request.id}: {before} -> {request.status} (by {args.actor}){extra}"


def _order_mark(args: argparse.Namespace, session: Session) -> str:
    if args.status == "shipped":
        if not args.courier or not args.tracking:
            raise CliError("shipped needs --courier and --tracking")
        event = mark_order_shipped(args.order_id, args.courier, args.tracking, session=session)
        sent = f" ({args.courier} {event.payload['tracking_number']})"
        before = "paid"
    else:
        event = mark_order_delivered(args.order_id, session=session)
        sent, before = "", "shipped"
    return f"{args.order_id}: {before} -> {args.status}{sent}; buyer notice #{event.id} queued"


def _tracking(args: argparse.Namespace, session: Session) -> str:
    request = record_return_tracking(
        args.return_id, args.tracking_number, actor=args.actor, session=session
    )
    number = request.return_tracking_number
    return f"{request.id}: awaiting_shipment -> in_transit, tracking {number}"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m shop.db.shop_cli``."""
    url = argparse.ArgumentParser(add_help=False)
    url.add_argument(
        "--database-url",
        default=argparse.SUPPRESS,
        help="SQLAlchemy URL; default DATABASE_URL, else sqlite:///var/shop.db",
    )
    parser = argparse.ArgumentParser(
        prog="python -m shop.db.shop_cli",
        description="The shop's tools: move return/exchange requests and orders along.",
        parents=[url],
    )
    areas = parser.add_subparsers(dest="area", required=True, metavar="AREA")
    returns = areas.add_parser("returns", help="return and exchange requests", parents=[url])
    commands = returns.add_subparsers(dest="command", required=True, metavar="COMMAND")
    listing = commands.add_parser("list", help="list requests", parents=[url])
    listing.add_argument("--status", choices=STATUSES, help="only requests in this status")
    listing.set_defaults(run=_list)
    show = commands.add_parser("show", help="one request with its history", parents=[url])
    show.add_argument("return_id", metavar="RETURN_ID")
    show.set_defaults(run=_show)
    mark = commands.add_parser("mark", help="move a request to a new status", parents=[url])
    mark.add_argument("return_id", metavar="RETURN_ID")
    mark.add_argument("status", choices=MARKABLE, metavar="STATUS", help=" | ".join(MARKABLE))
    mark.add_argument("--note", help="why (kept in the history, e.g. the reason for rejecting)")
    mark.add_argument(
        "--refund-yuan", help="with refunded: the amount, e.g. 299.00 (default: item price)"
    )
    mark.add_argument("--actor", default="shop", help="who makes the change (default: shop)")
    mark.set_defaults(run=_mark)
    tracking = commands.add_parser(
        "tracking", help="record the return parcel's tracking number", parents=[url]
    )
    tracking.add_argument("return_id", metavar="RETURN_ID")
    tracking.add_argument("tracking_number", metavar="TRACKINGNO")
    tracking.add_argument("--actor", default="shop", help="who reports it (default: shop)")
    tracking.set_defaults(run=_tracking)
    orders = areas.add_parser("orders", help="orders: shipped, delivered", parents=[url])
    order_commands = orders.add_subparsers(dest="command", required=True, metavar="COMMAND")
    order_mark = order_commands.add_parser(
        "mark", help="mark an order shipped or delivered (the buyer is told)", parents=[url]
    )
    order_mark.add_argument("order_id", metavar="ORDER_ID")
    order_mark.add_argument("status", choices=("shipped", "delivered"), metavar="STATUS")
    order_mark.add_argument("--courier", help="with shipped: one of the shop's couriers")
    order_mark.add_argument("--tracking", help="with shipped: the parcel's tracking number")
    order_mark.set_defaults(run=_order_mark)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit code (0 done, 1 refused)."""
    args = build_parser().parse_args(argv)
    url = getattr(args, "database_url", None)
    try:
        with session_scope(get_engine(url) if url else get_engine()) as session:
            message = args.run(args, session)
    except (CliError, ReturnError, ShopEventError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        reason = str(exc).splitlines()[0]
        print(f"error: database error: {reason}", file=sys.stderr)
        return 1
    if message:
        print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
