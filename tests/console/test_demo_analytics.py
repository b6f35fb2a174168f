"""The demo analytics seeder gives the owner page numbers (and can run twice)."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from console.analytics import build_report, today
from console.demo_analytics import seed
from shop.db.models import ReturnRequest
from shop.db.session import session_scope


def test_seeding_twice_replaces_the_demo_rows_and_fills_the_report(
    shop_db: None, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    for _ in range(2):
        with session_scope() as session:
            counts = seed(session, url, 14, random.Random(8))
    assert counts["conversations"] > 100 and counts["escalations"] > 10
    assert counts["returns"] == 12
    with session_scope() as session:
        demo = select(func.count()).where(ReturnRequest.id.like("RD%"))
        assert session.execute(demo).scalar_one() == 12
        end = today()
        report = build_report(
            end - timedelta(13), end, session=session,
            tracker_engine=create_engine(url, future=True),
        )  # fmt: skip
    total = report.total
    assert len(total.conversations) == counts["conversations"]
    assert 0 < total.handoff_rate < 0.5 and total.median_first_response is not None
    # realistic, not flattering: buyers are sometimes left on "没太明白" or a re-ask
    assert 0.6 < total.automation_rate < 0.85
    assert 0.03 < total.stuck_rate < 0.2 and 0.03 < total.fallback_rate < 0.15
    assert total.automation_rate + total.handoff_rate + total.stuck_rate == pytest.approx(1)
    assert len(total.ratings) == counts["ratings"]
    assert [(f.product_id, f.suggestion) for f in report.returns.fit] == [
        ("P006", "偏小，建议拍大半码")
    ]


def test_only_in_demo_mode(capsys: pytest.CaptureFixture[str]) -> None:
    from console.demo_analytics import main

    assert main([]) == 1
    assert "SHOP_DEMO=1" in capsys.readouterr().err
