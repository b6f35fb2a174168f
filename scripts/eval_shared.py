"""Scores the trained model on the labelled buyer messages of ../shared/eval.

Prints accuracy and per-intent recall, for the texts as written and for the
same texts converted to traditional characters (OpenCC s2t), and writes the
result as JSON. A gold ``out_of_scope`` counts as right when the model says
``out_of_scope`` or ``nlu_fallback`` (the contract's rule). The texts are only
read here, never trained on.

Usage: python scripts/eval_shared.py [--model models/shoe-shop.tar.gz]
       [--eval-dir ../shared/eval] [--out results/shared_eval.json]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the model names the custom components by module path


def load_rows(eval_dir: Path) -> list[tuple[str, str]]:
    """(text, gold intent) pairs of the TSV, skipping blank texts."""
    with open(eval_dir / "jddc_buyer_turns.tsv", encoding="utf-8") as handle:
        return [
            (row["text"], row["intent"])
            for row in csv.DictReader(handle, delimiter="\t")
            if row["text"].strip()
        ]


def is_right(gold: str, predicted: str) -> bool:
    """The contract's scoring rule."""
    return predicted == gold or (gold == "out_of_scope" and predicted == "nlu_fallback")


async def predict(model: str, texts: list[str]) -> list[str]:
    """The model's intent for each text."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    out = []
    for text in texts:
        result = await agent.parse_message(text)
        out.append(result["intent"]["name"])
    return out


def score(rows: list[tuple[str, str]], predicted: list[str]) -> dict:
    """Accuracy, per-intent recall and the most common confusions."""
    per_intent: dict[str, Counter] = defaultdict(Counter)
    confusions: Counter = Counter()
    for (_, gold), guess in zip(rows, predicted, strict=False):
        ok = is_right(gold, guess)
        per_intent[gold]["total"] += 1
        per_intent[gold]["right"] += ok
        if not ok:
            confusions[f"{gold} -> {guess}"] += 1
    right = sum(c["right"] for c in per_intent.values())
    return {
        "n": len(rows),
        "accuracy": round(right / len(rows), 4),
        "recall": {
            intent: round(c["right"] / c["total"], 3) for intent, c in sorted(per_intent.items())
        },
        "support": {intent: c["total"] for intent, c in sorted(per_intent.items())},
        "top_confusions": confusions.most_common(15),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "shoe-shop.tar.gz"))
    parser.add_argument(
        "--eval-dir", default=os.environ.get("SHOP_EVAL_DIR", str(ROOT.parent / "shared" / "eval"))
    )
    parser.add_argument("--out", default=str(ROOT / "results" / "shared_eval.json"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    import opencc
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))

    rows = load_rows(Path(args.eval_dir))
    to_traditional = opencc.OpenCC("s2t")
    simplified = asyncio.run(predict(args.model, [text for text, _ in rows]))
    traditional = asyncio.run(
        predict(args.model, [to_traditional.convert(text) for text, _ in rows])
    )
    report = {"simplified": score(rows, simplified), "traditional": score(rows, traditional)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    for script, result in report.items():
        print(f"{script}: accuracy {result['accuracy']:.1%} on {result['n']} messages")
    print("recall per intent (simplified):")
    for intent, recall in report["simplified"]["recall"].items():
        print(f"  {intent:28s} {recall:.2f}  (n={report['simplified']['support'][intent]})")
    print("top confusions:", report["simplified"]["top_confusions"][:8])


if __name__ == "__main__":
    main()
