"""The shop's staff accounts for the console, from the command line.

Usage::

    python -m console.staff add USERNAME --name 小美 --roles agent [--max-open 3]
        [--password-stdin]
    python -m console.staff list
    python -m console.staff passwd USERNAME [--password-stdin]
    python -m console.staff disable USERNAME
    python -m console.staff demo [--if-missing]

Passwords come from a prompt (asked twice) or one line on standard input and
are stored as scrypt hashes. ``demo`` (only with ``SHOP_DEMO=1``) creates the
demo staff with password ``demo1234`` and the shop's quick replies (快捷回复: 退货地址,
发货时间, 尺码建议, 运费险 …, filled from the shop's policy); ``--if-missing`` leaves
existing staff alone and adds quick replies only when there are none. Exit code 0
on success, 1 when refused, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from console.auth import ROLES, hash_password, staff_by_username
from shop.answers.policies import refund_period
from shop.clock import shop_now
from shop.config import settings
from shop.db.models import QuickReply, ShopPolicy, StaffUser
from shop.db.queries import get_policy
from shop.db.session import get_engine, session_scope
from shop.lexicon import POSTAGE_PAYER_LABELS, label

USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{1,49}")
MIN_PASSWORD, MAX_PASSWORD = 8, 200
DEMO_PASSWORD = "demo1234"
# username, display name, roles, max_open
DEMO_STAFF = (
    ("agent1", "小美", ["agent"], 3),
    ("agent2", "阿杰", ["agent"], 3),
    ("trainer", "训练师", ["trainer"], 3),
    ("owner", "店长", ["owner"], 3),
)

SIZE_ADVICE = (
    "麻烦告诉我您的脚长（厘米）和平时穿的尺码，脚宽或脚背高也请说一声，"
    "我对照这款的尺码表帮您推荐。"
)
# The quick replies every shop gets, policy or not: first two, size advice, last one.
GREETING = ("问候", "您好，我是人工客服，很高兴为您服务，请问有什么可以帮您？")
WAIT = ("稍等", "好的，我帮您查一下，请稍等片刻～")
SIZE = ("尺码建议", SIZE_ADVICE)
CLOSING = ("结束语", "感谢您的耐心，还有其他问题随时找我们，祝您生活愉快！")


def _sentence(text: str | None) -> str:
    return (text or "").strip().rstrip("。") + "。"


def demo_quick_replies(policy: ShopPolicy | None) -> list[tuple[str, str]]:
    """The demo shop's quick replies ``(title, text)``, with the policy's facts when known."""
    if policy is None:
        return [GREETING, WAIT, SIZE, CLOSING]
    couriers = "、".join(policy.couriers or [])
    postage = label(POSTAGE_PAYER_LABELS, policy.no_reason_postage_payer or "buyer")
    quality_postage = label(POSTAGE_PAYER_LABELS, policy.quality_postage_payer or "shop")
    return [
        GREETING,
        WAIT,
        (
            "退货地址",
            f"退货地址：{policy.return_address}，收件人：{policy.return_recipient}，"
            f"电话：{policy.return_phone}。寄出后请把快递单号发给我们，方便跟进退款。",
        ),
        (
            "发货时间",
            f"当天{policy.cutoff_time}前付款的订单当天发货，最晚{policy.ship_within_hours}小时内"
            f"从{policy.ship_from}发出，快递：{couriers}。{_sentence(policy.free_shipping)}",
        ),
        SIZE,
        ("运费险", _sentence(policy.freight_insurance)),
        (
            "七天无理由",
            f"签收后{policy.no_reason_return_days}天内支持无理由退换（{policy.return_condition}），"
            f"寄回运费由{postage}承担；质量问题{policy.quality_return_days}天内可退换，"
            f"运费由{quality_postage}承担。",
        ),
        ("退款时效", f"退款会在{refund_period(policy)}内完成，请留意支付账户。"),
        CLOSING,
    ]


class StaffError(Exception):
    """A one-line reason the command refused to run."""


def check_password(password: str) -> str:
    """The password if it is acceptable, else :class:`StaffError`."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise StaffError(f"the password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def add_staff(
    username: str,
    display_name: str,
    roles: Sequence[str],
    password: str,
    *,
    session: Session,
    now: datetime,
    max_open: int = 3,
) -> StaffUser:
    """Creates a staff user (refuses a taken username, unknown roles, bad values)."""
    if not USERNAME.fullmatch(username):
        raise StaffError(f"bad username {username!r}: 2-50 of a-z 0-9 _ . -")
    if not roles or any(role not in ROLES for role in roles):
        raise StaffError(f"roles must be some of {', '.join(ROLES)}")
    if not 0 < len(display_name.strip()) <= 50:
        raise StaffError("the display name must have 1 to 50 characters")
    if not 1 <= max_open <= 50:
        raise StaffError("--max-open must be between 1 and 50")
    if staff_by_username(username, session=session) is not None:
        raise StaffError(f"{username!r} already exists")
    user = StaffUser(
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_password(check_password(password)),
        roles=list(dict.fromkeys(roles)),
        max_open=max_open,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def _existing(username: str, session: Session) -> StaffUser:
    user = staff_by_username(username, session=session)
    if user is None:
        raise StaffError(f"no staff user {username!r}")
    return user


def set_password(username: str, password: str, *, session: Session) -> None:
    """Sets a new password (which ends the user's console sessions)."""
    _existing(username, session).password_hash = hash_password(check_password(password))


def disable(username: str, *, session: Session) -> None:
    """Disables the account: no login, sessions end, no new conversations."""
    _existing(username, session).active = False


def ensure_demo_staff(*, session: Session, now: datetime, if_missing: bool) -> list[str]:
    """Creates (or, unless ``if_missing``, resets) the demo staff; what was done."""
    done = []
    for username, name, roles, max_open in DEMO_STAFF:
        user = staff_by_username(username, session=session)
        if user is None:
            add_staff(
                username, name, roles, DEMO_PASSWORD, session=session, now=now, max_open=max_open
            )
            done.append(f"created {username}")
        elif if_missing:
            done.append(f"kept {username}")
        else:
            user.display_name, user.roles, user.max_open, user.active = name, roles, max_open, True
            user.password_hash = hash_password(DEMO_PASSWORD)
            done.append(f"reset {username}")
    return done


def ensure_demo_quick_replies(*, session: Session, now: datetime, if_missing: bool) -> str:
    """Adds the demo quick replies (with ``if_missing`` only when there are none; else
    the demo titles get the demo texts again, the owner's own replies stay)."""
    rows = list(session.execute(select(QuickReply)).scalars())
    if if_missing and rows:
        return f"kept {len(rows)} quick replies"
    by_title = {row.title: row for row in rows}
    demo = demo_quick_replies(get_policy(session=session))
    for title, text in demo:
        row = by_title.get(title) or QuickReply(title=title, created_by="demo")
        row.text, row.updated_at = text, now
        session.add(row)
    session.flush()
    return f"{len(demo)} demo quick replies"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise StaffError("the passwords differ")
    return first


def _roles(text: str) -> list[str]:
    return [role.strip() for role in text.split(",") if role.strip()]


def _add(args: argparse.Namespace, session: Session) -> str:
    password = _read_password(args.password_stdin)
    user = add_staff(
        args.username,
        args.name,
        _roles(args.roles),
        password,
        session=session,
        now=shop_now(),
        max_open=args.max_open,
    )
    return f"created {user.username} ({', '.join(user.roles)})"


def _list(_: argparse.Namespace, session: Session) -> str:
    users = session.execute(select(StaffUser).order_by(StaffUser.username)).scalars()
    rows = [
        (
            u.username,
            u.display_name,
            ",".join(u.roles or []),
            str(u.max_open),
            "yes" if u.active else "no",
            u.presence or "-",
            u.last_seen_at.strftime("%Y-%m-%d %H:%M") if u.last_seen_at else "-",
        )
        for u in users
    ]
    header = ("username", "name", "roles", "max_open", "active", "presence", "last_seen")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join([*lines, f"{len(rows)} staff user(s)"])


def _passwd(args: argparse.Namespace, session: Session) -> str:
    _existing(args.username, session)
    set_password(args.username, _read_password(args.password_stdin), session=session)
    return f"password of {args.username} changed"


def _disable(args: argparse.Namespace, session: Session) -> str:
    disable(args.username, session=session)
    return f"disabled {args.username}"


def _demo(args: argparse.Namespace, session: Session) -> str:
    if not settings.demo_mode:
        raise StaffError("demo staff only in demo mode (SHOP_DEMO=1)")
    now = shop_now()
    done = ensure_demo_staff(session=session, now=now, if_missing=args.if_missing)
    done.append(ensure_demo_quick_replies(session=session, now=now, if_missing=args.if_missing))
    return f"demo staff (password {DEMO_PASSWORD}): " + ", ".join(done)


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m console.staff",
        description="Manage the staff who log in to the console (agents, trainers, owners).",
    )
    parser.add_argument("--database-url", help="default: DATABASE_URL or var/shop.db")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create a staff user")
    add.add_argument("username", help="login name: 2-50 of a-z 0-9 _ . -")
    add.add_argument("--name", required=True, help="display name (agents: shown to buyers)")
    add.add_argument("--roles", required=True, help=f"comma-separated: {', '.join(ROLES)}")
    add.add_argument("--max-open", type=int, default=3, help="conversations at once (agents)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(run=_add)
    sub.add_parser("list", help="list the staff users").set_defaults(run=_list)
    passwd = sub.add_parser("passwd", help="set a new password (ends their sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    passwd.set_defaults(run=_passwd)
    off = sub.add_parser("disable", help="disable an account (ends its sessions)")
    off.add_argument("username")
    off.set_defaults(run=_disable)
    demo = sub.add_parser("demo", help="create the demo staff and quick replies (SHOP_DEMO=1 only)")
    demo.add_argument(
        "--if-missing", action="store_true", help="keep existing demo users as they are"
    )
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command; returns the exit code (0 done, 1 refused)."""
    args = build_parser().parse_args(argv)
    try:
        with session_scope(get_engine(args.database_url)) as session:
            message = args.run(args, session)
    except StaffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"error: database error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
