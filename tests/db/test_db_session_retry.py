"""A transaction that lost a race for a new row's id runs again, a bounded number of times."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from shop.db.session import ShopDataUnavailableError, in_transaction

pytestmark = pytest.mark.usefixtures("shop_db")


def _losing(times: int, calls: list[int]) -> Any:
    def work(session: Any) -> str:
        calls.append(1)
        if len(calls) <= times:
            raise IntegrityError("INSERT INTO delivery_cases", {}, Exception("UNIQUE failed"))
        return "done"

    return work


@pytest.mark.parametrize(
    ("losses", "retries", "runs", "done"),
    [
        (1, 2, 2, True),  # lost once: the second run takes the next id
        (2, 2, 3, True),
        (3, 2, 3, False),  # lost every time: the buyer hears the database is busy
        (1, 0, 1, False),  # no retries asked: a conflict is a failure at once
    ],
)
async def test_a_lost_race_runs_the_transaction_again(
    losses: int, retries: int, runs: int, done: bool
) -> None:
    calls: list[int] = []
    if done:
        assert await in_transaction(_losing(losses, calls), retries=retries) == "done"
    else:
        with pytest.raises(ShopDataUnavailableError):
            await in_transaction(_losing(losses, calls), retries=retries)
    assert len(calls) == runs
