"""Scores the NLU on a held-out split of our own training data (never ../shared/eval).

The split is deterministic and stratified: inside every intent the examples are
ordered by the SHA-1 of ``seed + grouping key`` (``trainer.textnorm.group_key``:
simplified script, no punctuation or spaces) and the first 20 % are held out, so
writing the same message twice cannot put one copy on each side. Regexes,
lookup tables and synonyms always stay in the training part.

The script trains NLU only (``rasa train nlu``) into a directory under /tmp,
parses every held-out message once and reports accuracy, weighted and macro F1,
per-intent F1, the share that fell below the fallback threshold, and what the
accuracy would be at other thresholds (read from the intent ranking, which the
FallbackClassifier keeps). Experiments pass ``--config`` and ``--nlu``.

Usage: python scripts/nlu_holdout.py [--config config.yml] [--nlu data/nlu]
       [--out results/holdout.json] [--name baseline] [--model existing.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the model names the custom components by module path

HELD_OUT = 0.2
SEED = "nlu-holdout-1"
THRESHOLDS = (0.0, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)


def _example_lines(block: str) -> list[str]:
    return [ln for ln in block.splitlines() if ln.strip().startswith("- ")]


def split(nlu_dir: Path, work: Path) -> tuple[Path, Path, int]:
    """Writes ``work/train/*.yml`` and ``work/test.yml``; returns them and the test size."""
    import yaml

    from trainer.nlu_files import plain_text
    from trainer.textnorm import group_key

    by_intent: dict[str, list[str]] = defaultdict(list)
    other: list[dict[str, Any]] = []
    for path in sorted(nlu_dir.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu") or []:
            if isinstance(item, dict) and "intent" in item:
                lines = [ln.strip()[2:].strip() for ln in _example_lines(item["examples"])]
                by_intent[item["intent"]] += [ln for ln in lines if ln]
            else:
                other.append(item)
    train: dict[str, list[str]] = {}
    test: dict[str, list[str]] = {}
    for intent, lines in sorted(by_intent.items()):
        keyed = sorted(
            lines,
            key=lambda ln: hashlib.sha1((SEED + group_key(plain_text(ln))).encode()).hexdigest(),
        )
        n_test = round(len(keyed) * HELD_OUT)
        test_keys = {group_key(plain_text(ln)) for ln in keyed[:n_test]}
        test[intent] = keyed[:n_test]
        # A duplicate of a held-out text stays out of training too.
        train[intent] = [ln for ln in keyed[n_test:] if group_key(plain_text(ln)) not in test_keys]

    def dump(examples: dict[str, list[str]], extra: list[dict[str, Any]]) -> str:
        items: list[dict[str, Any]] = [
            {"intent": intent, "examples": "".join(f"- {ln}\n" for ln in lines)}
            for intent, lines in examples.items()
            if lines
        ]
        return yaml.safe_dump(
            {"version": "3.1", "nlu": items + extra}, allow_unicode=True, sort_keys=False
        )

    train_dir = work / "train"
    train_dir.mkdir(parents=True, exist_ok=True)
    (train_dir / "nlu.yml").write_text(dump(train, other), encoding="utf-8")
    test_file = work / "test.yml"
    test_file.write_text(dump(test, []), encoding="utf-8")
    return train_dir, test_file, sum(len(v) for v in test.values())


def train(config: Path, train_dir: Path, work: Path) -> Path:
    """``rasa train nlu`` into ``work/models``; returns the model file."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    log = work / "train.log"
    cmd = [
        str(ROOT / ".venv" / "bin" / "rasa"),
        "train",
        "nlu",
        "--nlu",
        str(train_dir),
        "--config",
        str(config),
        "--out",
        str(work / "models"),
        "--fixed-model-name",
        "holdout",
    ]
    with open(log, "w") as handle:
        done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    if done.returncode:
        sys.exit(f"training failed, see {log}")
    return work / "models" / "holdout.tar.gz"


async def _parse(model: Path, texts: list[str]) -> tuple[list[dict[str, Any]], float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    out, started = [], time.perf_counter()
    for text in texts:
        out.append(await agent.parse_message(text))
    return out, (time.perf_counter() - started) / max(len(texts), 1)


def _below_fallback(result: dict[str, Any], threshold: float) -> str:
    """The intent the model would give with another fallback threshold."""
    ranking = [r for r in result.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
    if not ranking:
        return str(result["intent"]["name"])
    best = ranking[0]
    return "nlu_fallback" if best["confidence"] < threshold else str(best["name"])


def _right(gold: str, predicted: str) -> bool:
    """Right by the intent contract: out_of_scope may also be the fallback."""
    return predicted == gold or (gold == "out_of_scope" and predicted == "nlu_fallback")


def evaluate(model: Path, test_file: Path) -> dict[str, Any]:
    """Intent scores of the model on the held-out file."""
    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.metrics import f1_score

    messages = [m for m in load_data(str(test_file)).intent_examples]
    texts = [m.get("text") for m in messages]
    gold = [m.get("intent") for m in messages]
    results, latency = asyncio.run(_parse(model, texts))
    predicted = [r["intent"]["name"] for r in results]
    labels = sorted(set(gold))
    per_intent = f1_score(gold, predicted, labels=labels, average=None, zero_division=0)
    confusions = Counter(f"{g} -> {p}" for g, p in zip(gold, predicted, strict=True) if g != p)
    entity_right = entity_total = 0
    for message, result in zip(messages, results, strict=True):
        want = {(e["entity"], str(e["value"])) for e in message.get("entities") or []}
        got = {(e["entity"], str(e["value"])) for e in result.get("entities") or []}
        entity_total += len(want)
        entity_right += len(want & got)
    return {
        "n": len(gold),
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold), 4),
        # The contract's convention (../shared/eval/README.md): out_of_scope answered by
        # the fallback is right, since the buyer hears "we can't help with that" either way.
        "accuracy_contract": round(
            sum(_right(g, p) for g, p in zip(gold, predicted, strict=True)) / len(gold), 4
        ),
        "weighted_f1": round(float(f1_score(gold, predicted, average="weighted")), 4),
        "macro_f1": round(float(f1_score(gold, predicted, labels=labels, average="macro")), 4),
        "fallback_share": round(predicted.count("nlu_fallback") / len(gold), 4),
        "accuracy_at_threshold": {
            str(t): round(
                sum(g == _below_fallback(r, t) for g, r in zip(gold, results, strict=True))
                / len(gold),
                4,
            )
            for t in THRESHOLDS
        },
        "entity_recall": round(entity_right / entity_total, 4) if entity_total else None,
        "ms_per_message": round(latency * 1000, 1),
        "f1": {label: round(float(f), 3) for label, f in zip(labels, per_intent, strict=True)},
        "top_confusions": confusions.most_common(15),
        "errors": [
            {
                "text": t,
                "gold": g,
                "predicted": p,
                "confidence": round(r["intent"]["confidence"], 3),
            }
            for t, g, p, r in zip(texts, gold, predicted, results, strict=True)
            if g != p
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=str(ROOT / "config.yml"))
    parser.add_argument("--nlu", default=str(ROOT / "data" / "nlu"))
    parser.add_argument("--name", default="current")
    parser.add_argument("--work", default=None, help="default /tmp/nlu_holdout/<name>")
    parser.add_argument("--out", default=None, help="JSON result (default <work>/result.json)")
    parser.add_argument("--model", default=None, help="score this model instead of training")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    import structlog

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    work = Path(args.work or f"/tmp/nlu_holdout/{args.name}")
    work.mkdir(parents=True, exist_ok=True)
    train_dir, test_file, n_test = split(Path(args.nlu), work)
    started = time.time()
    model = Path(args.model) if args.model else train(Path(args.config), train_dir, work)
    train_seconds = round(time.time() - started)
    result = {"name": args.name, "config": args.config, "train_seconds": train_seconds}
    result |= evaluate(model, test_file)
    out = Path(args.out or work / "result.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"{args.name}: held-out {result['n']} (of {n_test}) accuracy {result['accuracy']:.3f} "
        f"weighted F1 {result['weighted_f1']:.3f} macro F1 {result['macro_f1']:.3f} "
        f"fallback {result['fallback_share']:.3f} train {train_seconds}s "
        f"{result['ms_per_message']} ms/msg"
    )
    print("accuracy by fallback threshold:", result["accuracy_at_threshold"])
    print("top confusions:", result["top_confusions"][:10])


if __name__ == "__main__":
    main()
