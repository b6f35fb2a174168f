"""The training data keeps the intent contract and never contains evaluation texts."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from trainer.nlu_files import plain_text
from trainer.textnorm import group_key

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = Path(os.environ.get("SHOP_EVAL_DIR", ROOT.parent / "shared" / "eval"))
CONTRACT = (
    "greet goodbye thank affirm deny ask_size_advice ask_material ask_function "
    "ask_return_policy ask_shipping check_order_status report_delivery_problem request_return "
    "request_exchange check_return_status change_address ask_promotion request_human complain "
    "inform out_of_scope ask_stock"
).split()


@pytest.fixture(scope="module")
def examples() -> Counter:
    """Examples per intent in data/nlu."""
    return Counter(load_data(str(ROOT / "data" / "nlu")).number_of_examples_per_intent)


def test_every_contract_intent_has_varied_examples(examples: Counter) -> None:
    thin = {intent: examples[intent] for intent in CONTRACT if examples[intent] < 30}
    assert not thin, f"intents with fewer than 30 examples: {thin}"


def test_every_contract_intent_is_in_the_domain() -> None:
    import yaml

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(CONTRACT) <= set(domain["intents"])


def _key(line: str) -> str:
    """A line as the guard compares it: markup, punctuation and spaces gone, simplified."""
    return group_key(plain_text(line.strip().removeprefix("- ")))


@pytest.mark.skipif(not EVAL_DIR.is_dir(), reason="evaluation data not present")
def test_no_evaluation_text_is_in_the_training_data() -> None:
    """No evaluation text, normalised, is a line of data/ (3+ characters) or inside one (6+).

    Both sides are compared as grouping keys (``trainer.textnorm.group_key``): entity
    markup stripped, traditional converted to simplified, full width to half width,
    lower case, punctuation, emoji and spaces removed, so 在嗎？ and [在](x)吗 match 在吗.
    """
    with open(EVAL_DIR / "jddc_buyer_turns.tsv", encoding="utf-8") as handle:
        texts = {row["text"].strip() for row in csv.DictReader(handle, delimiter="\t")}
    keys = set()
    for path in (ROOT / "data").rglob("*"):
        if path.is_file():
            for line in path.read_text(encoding="utf-8", errors="ignore").splitlines():
                keys.add(_key(line))
    whole = "\n".join(keys)
    # Short texts (好的, 在吗) are everyday words; longer ones must not appear at all.
    leaked = sorted(
        t
        for t in texts
        if (len(_key(t)) >= 6 and _key(t) in whole) or (len(_key(t)) >= 3 and _key(t) in keys)
    )
    assert not leaked, f"evaluation texts found under data/: {leaked[:10]}"


def test_the_leak_guard_normalises_text() -> None:
    """Markup, punctuation, spaces and traditional script do not hide a copied text."""
    assert _key("- 訂單[2026](order_id) 到哪了？！") == _key("订单2026到哪了")
    assert _key("  - 在 嗎～") == "在吗"


def test_entity_annotations_align_with_jieba_tokens() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_entity_alignment.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
