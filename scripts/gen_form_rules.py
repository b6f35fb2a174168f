#!/usr/bin/env python
"""Writes data/rules/forms.yml: the generic unhappy paths of every form.

``.venv/bin/python scripts/gen_form_rules.py`` (from any directory). The rules
file is generated: to add a digression, a form or a request, change the tables
below and run this again rather than editing data/rules/forms.yml by hand.
The intents handled here must match ``actions/forms.py`` (DIGRESSION_INTENTS,
LEAVE_INTENTS, REQUEST_INTENTS) and each form's ``own_intents``.
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "rules" / "forms.yml"

FORMS = [
    "order_form", "return_form", "address_form", "size_advice_form", "product_form",
    "rating_form", "review_form",
]  # fmt: skip
# Questions answered inside a form, after which the form asks again.
DIGRESSIONS = {
    "ask_return_policy": "action_answer_return_policy",
    "ask_shipping": "action_answer_shipping",
    "ask_promotion": "action_answer_promotion",
    "bot_challenge": "utter_iamabot",
    "thank": "utter_welcome",
    "greet": "utter_greet",
    "ask_material": "action_answer_product_question",
    "ask_function": "action_answer_product_question",
    "ask_stock": "action_answer_stock",
    "ask_reviews": "action_answer_reviews",
    "send_photo": "action_receive_photo",
}
AFTER = [
    "check_order_status", "report_delivery_problem", "request_return", "request_exchange",
    "check_return_status", "change_address",
]  # fmt: skip
# Requests of another flow: they end the form and start their own.
REQUESTS = [*AFTER, "ask_size_advice", "complain"]
# What each request (or, in the rating form, each digression) starts with.
PRODUCT_QUESTIONS = ("ask_material", "ask_function")
FIRST = {
    **{intent: "order_form" for intent in AFTER},
    "ask_size_advice": "size_advice_form",
    "complain": "action_record_complaint",
    "ask_material": "product_form",
    "ask_function": "product_form",
    **{k: v for k, v in DIGRESSIONS.items() if k not in PRODUCT_QUESTIONS},
}
# Intents a form reads as its own answers (no rule for them inside it).
OWN = {
    "order_form": set(AFTER),
    "return_form": {"request_return", "request_exchange", "complain"},
    "address_form": {"change_address"},
    "size_advice_form": {"ask_size_advice"},
    "product_form": set(PRODUCT_QUESTIONS),
    "rating_form": set(),
    # 磨脚 (complain), 挺好的谢谢, 不用了, 偏小一点 answer the review's questions.
    "review_form": {
        "complain",
        "thank",
        "greet",
        "deny",
        "ask_size_advice",
        "ask_function",
        "ask_material",
        "ask_reviews",
    },
}
# Forms that ask for an opinion: a question ends them (and is answered) rather than
# being answered inside them.
OPINION_FORMS = ("rating_form", "review_form")
STOPPED = {"rating_form": "utter_rating_skipped", "review_form": "utter_review_skipped"}
LEAVING = (("deny", None), ("goodbye", "utter_goodbye"), ("request_human", "action_handoff"))
HEADER = [
    'version: "3.1"',
    "",
    "# Generic unhappy paths of every form (actions/forms.py explains the design):",
    "# questions answered inside a form, after which it asks again; leaving it",
    "# (不用了, 再见, 人工); and a request of another flow, which ends the form and",
    "# starts that flow (action_switch_request, then its first action). Anything",
    "# else the buyer types is read as an answer by the form's validation action,",
    "# or asked again.",
    "rules:",
]


def digression(form: str, intent: str, action: str) -> list[str]:
    """A question answered inside ``form``, which then asks again."""
    return [
        f"  - rule: {intent} inside the {form}",
        "    condition:",
        f"      - active_loop: {form}",
        "    steps:",
        f"      - intent: {intent}",
        f"      - action: {action}",
        f"      - action: {form}",
        f"      - active_loop: {form}",
        "",
    ]


def leaving(form: str, intent: str, action: str) -> list[str]:
    """Leaving ``form``: it is deactivated, then ``action`` answers."""
    return [
        f"  - rule: {intent} leaves the {form}",
        "    condition:",
        f"      - active_loop: {form}",
        "    steps:",
        f"      - intent: {intent}",
        "      - action: action_deactivate_loop",
        "      - active_loop: null",
        "      - slot_was_set:",
        "          - requested_slot: null",
        f"      - action: {action}",
        "",
    ]


def switch(form: str, intent: str) -> list[str]:
    """A request of another flow: ``form`` ends and that flow starts."""
    target = FIRST[intent]
    lines = [
        f"  - rule: {intent} ends the {form} and starts its own flow",
        "    condition:",
        f"      - active_loop: {form}",
        "    steps:",
        f"      - intent: {intent}",
        "      - action: action_switch_request",
        "      - active_loop: null",
        "      - slot_was_set:",
        "          - requested_slot: null",
        f"      - action: {target}",
    ]
    if target.endswith("_form"):
        lines.append(f"      - active_loop: {target}")
    return [*lines, ""]


def rules() -> list[str]:
    """The lines of data/rules/forms.yml."""
    out = list(HEADER)
    for form in FORMS:
        for intent, action in DIGRESSIONS.items():
            if intent in OWN[form] or form in OPINION_FORMS:
                continue
            out += digression(form, intent, action)
        stop = STOPPED.get(form, "utter_form_stopped")
        for intent, action in LEAVING:
            if intent not in OWN[form]:
                out += leaving(form, intent, action or stop)
        requests = [intent for intent in REQUESTS if intent not in OWN[form]]
        if form in OPINION_FORMS:
            requests += [intent for intent in DIGRESSIONS if intent not in OWN[form]]
        for intent in requests:
            out += switch(form, intent)
    return out


def main() -> None:
    OUT.write_text("\n".join(rules()).rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
