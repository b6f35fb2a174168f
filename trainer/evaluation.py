"""Scores models on the held-out split and ``../shared/eval`` and compares two of them.

``compare`` evaluates the candidate and the current model on the same texts and
writes ``<candidate>.report/report.json`` with a confusion-matrix PNG per set.
A held-out example counts as right only when the predicted intent is the gold
one (``nlu_fallback`` is wrong: the assistant would re-ask). On the shared
evaluation set a gold ``out_of_scope`` also counts as right for
``nlu_fallback`` (the contract's rule, as in ``scripts/eval_shared.py``).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

from trainer.jobs import Job
from trainer.plot import confusion_png
from trainer.split import held_out_examples
from trainer.workspace import Workspace, log_change

Rows = list[tuple[str, str]]  # (text, gold intent)


def eval_rows(ws: Workspace) -> Rows:
    """The shared evaluation set, empty when absent."""
    path = ws.eval_dir / "jddc_buyer_turns.tsv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [
            (r["text"], r["intent"])
            for r in csv.DictReader(handle, delimiter="\t")
            if r["text"].strip()
        ]


def heldout_rows(ws: Workspace) -> Rows:
    """The held-out split as (text, intent)."""
    return [(ex.text, ex.intent) for ex in held_out_examples(ws)]


def predict(ws: Workspace, model: Path, texts: list[str]) -> list[str]:
    """The model's intent for each text (cached per model file and text list)."""
    stat = model.stat()
    digest = hashlib.sha1(
        json.dumps([str(model), stat.st_size, stat.st_mtime, texts]).encode("utf-8")
    ).hexdigest()[:20]
    cache = ws.trainer_dir / "predictions" / f"{digest}.json"
    if cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))
    logging.getLogger("rasa").setLevel(logging.ERROR)
    from rasa.core.agent import Agent

    async def run() -> list[str]:
        agent = Agent.load(str(model))
        out = []
        for text in texts:
            result = await agent.parse_message(text)
            out.append(result["intent"]["name"] or "")
        return out

    out = asyncio.run(run())
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return out


def _right(gold: str, guess: str, *, fallback_ok: bool) -> bool:
    return guess == gold or (fallback_ok and gold == "out_of_scope" and guess == "nlu_fallback")


def score(rows: Rows, predicted: list[str], *, fallback_ok: bool = False) -> dict[str, Any]:
    """Accuracy, macro/weighted F1 and per-intent precision, recall, F1, support."""
    gold = [g for _, g in rows]
    guess = [
        g if _right(g, p, fallback_ok=fallback_ok) else p
        for g, p in zip(gold, predicted, strict=True)
    ]
    labels = sorted(set(gold) | set(guess))
    per: dict[str, dict[str, float]] = {}
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, guess, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    for label in labels:
        prec = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        rec = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[label] = {
            "precision": round(prec, 3),
            "recall": round(rec, 3),
            "f1": round(f1, 3),
            "support": tp[label] + fn[label],
        }
    supported = [lb for lb in labels if per[lb]["support"]]
    n = len(rows)
    return {
        "n": n,
        "accuracy": round(sum(tp.values()) / n, 4) if n else 0.0,
        "macro_f1": round(sum(per[lb]["f1"] for lb in supported) / len(supported), 4)
        if supported
        else 0.0,
        "weighted_f1": round(sum(per[lb]["f1"] * per[lb]["support"] for lb in supported) / n, 4)
        if n
        else 0.0,
        "per_intent": per,
    }


def _compare_set(
    rows: Rows, preds: dict[str, list[str]], out_dir: Path, name: str, fallback_ok: bool
) -> dict[str, Any]:
    result: dict[str, Any] = {
        label: score(rows, p, fallback_ok=fallback_ok) for label, p in preds.items()
    }
    changed: dict[str, list[dict[str, str]]] = {"regressions": [], "fixes": []}
    if "current" in preds:
        for (text, gold), old, new in zip(rows, preds["current"], preds["candidate"], strict=True):
            was, now = (
                _right(gold, old, fallback_ok=fallback_ok),
                _right(gold, new, fallback_ok=fallback_ok),
            )
            if was != now:
                kind = "fixes" if now else "regressions"
                changed[kind].append({"text": text, "gold": gold, "current": old, "candidate": new})
    result.update(changed)
    image = out_dir / f"confusion_{name}.png"
    confusion_png([g for _, g in rows], preds["candidate"], image, title=f"candidate · {name}")
    result["confusion_png"] = image.name
    return result


def saw_heldout(model: Path) -> bool:
    """Whether the model was trained with the held-out split (no trainer manifest says not)."""
    manifest = model.parent / f"{model.name.removesuffix('.tar.gz')}.json"
    if not manifest.exists():
        return True
    return not json.loads(manifest.read_text(encoding="utf-8")).get("held_out_excluded")


def compare(
    ws: Workspace, *, candidate: Path, current: Path | None, user: str, job: Job
) -> dict[str, Any]:
    """Evaluates the candidate (and the current model) and writes the report.

    Returns:
        The report: per set (``heldout``, ``shared_eval``) the scores of each model,
        the confusion picture's file name, ``regressions`` (right before, wrong now)
        and ``fixes``; ``notes`` for what was skipped.
    """
    name = candidate.name.removesuffix(".tar.gz")
    out_dir = candidate.parent / f"{name}.report"
    out_dir.mkdir(parents=True, exist_ok=True)
    models = {"candidate": candidate}
    notes = []
    if current is not None and current.exists():
        models["current"] = current
    else:
        notes.append("没有当前模型可比较，只评估候选模型")
    report: dict[str, Any] = {
        "candidate": str(candidate),
        "current": str(current) if "current" in models else None,
        "notes": notes,
        "sets": {},
    }
    held = heldout_rows(ws)
    if saw_heldout(candidate):
        notes.append("候选模型训练时用了留出集，留出集分数偏高")
    if "current" in models and saw_heldout(models["current"]):
        notes.append("当前模型训练时见过留出集 (make train)：它的留出集分数偏高")
    shared = eval_rows(ws)
    if not shared:
        notes.append(f"评测集 {ws.eval_dir} 不存在，已跳过")
    texts = [t for t, _ in held + shared]  # one model load per model for both sets
    preds = {}
    for n, (label, path) in enumerate(models.items()):
        job.update(0.1 + 0.4 * n, f"{label} model: predicting {len(texts)} messages")
        preds[label] = predict(ws, path, texts)
    split_at = len(held)
    report["sets"]["heldout"] = _compare_set(
        held, {k: v[:split_at] for k, v in preds.items()}, out_dir, "heldout", False
    )
    if shared:
        report["sets"]["shared_eval"] = _compare_set(
            shared, {k: v[split_at:] for k, v in preds.items()}, out_dir, "shared_eval", True
        )
    (out_dir / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    log_change(ws, user=user, action="compare", candidate=name, current=report["current"])
    return report
