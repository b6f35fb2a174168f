"""The read-only answers by the name of the action that sends them.

These change nothing (no form, no request, no handoff), so the agent console may
compute them for its suggested replies (``console/suggestions.py``) exactly as the
action server would send them.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from shop.answers import policies, products, promotions
from shop.answers.asked import Asked
from shop.answers.policies import Messages


def _product_question(asked: Asked, session: Session) -> Messages:
    return products.answer_product_question(asked, session)[0]


ANSWERS: dict[str, Callable[[Asked, Session], Messages]] = {
    "action_answer_return_policy": policies.return_policy,
    "action_answer_shipping": policies.shipping,
    "action_answer_promotion": promotions.promotions,
    "action_answer_product_question": _product_question,
}
