"""Writes docs/nlu-report.md from the files scripts/nlu_report.sh produced."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CV = ROOT / "results" / "nlu-cv"


def _table(report: dict, title: str) -> list[str]:
    rows = [f"| {title} | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for name, scores in sorted(report.items()):
        if (
            not isinstance(scores, dict)
            or "f1-score" not in scores
            or name in ("micro avg", "macro avg", "weighted avg")
        ):
            continue
        rows.append(
            f"| {name} | {scores['precision']:.3f} | {scores['recall']:.3f} | "
            f"{scores['f1-score']:.3f} | {scores['support']} |"
        )
    for name in ("weighted avg", "macro avg"):
        if name in report:
            s = report[name]
            rows.append(
                f"| **{name}** | {s['precision']:.3f} | {s['recall']:.3f} | "
                f"{s['f1-score']:.3f} | {s['support']} |"
            )
    return rows


def _targets(intents: dict, holdout: dict | None, shared: dict | None) -> list[str]:
    """The issue-17 targets against what this run measured."""
    rows = [
        "## Targets",
        "",
        "| measure | target | measured |",
        "|---|---|---|",
        f"| 3-fold cross-validation, intent weighted F1 | ≥ 0.90 | "
        f"{intents['weighted avg']['f1-score']:.3f} |",
    ]
    if holdout:
        rows.append(
            f"| own held-out split ({holdout['n']} examples), intent accuracy | ≥ 0.95 | "
            f"{holdout['accuracy']:.3f} (weighted F1 {holdout['weighted_f1']:.3f}; "
            f"{holdout.get('accuracy_contract', holdout['accuracy']):.3f} counting an "
            "out_of_scope answered by the fallback as right, as the contract does) |"
        )
    if shared:
        simp, trad = shared["simplified"]["accuracy"], shared["traditional"]["accuracy"]
        rows += [
            f"| `../shared/eval` accuracy, simplified (report only) | ≥ 0.85 | {simp:.3f} |",
            f"| `../shared/eval` accuracy, traditional (report only) | ≥ 0.85 | {trad:.3f} |",
            f"| simplified − traditional | within 1 point | {abs(simp - trad) * 100:.1f} points |",
        ]
    return [*rows, ""]


def _holdout_section(holdout: dict) -> list[str]:
    """Scores on the held-out split of our own data (scripts/nlu_holdout.py)."""
    thresholds = ", ".join(f"{t}: {acc:.3f}" for t, acc in holdout["accuracy_at_threshold"].items())
    return [
        "## Own held-out split (`scripts/nlu_holdout.py`)",
        "",
        f"20 % of `data/nlu`, stratified by intent with a fixed seed; NLU trained on the "
        f"rest. {holdout['n']} examples: accuracy {holdout['accuracy']:.3f}, weighted F1 "
        f"{holdout['weighted_f1']:.3f}, macro F1 {holdout['macro_f1']:.3f}, "
        f"{holdout['fallback_share']:.1%} below the fallback threshold, entity recall "
        f"{holdout['entity_recall']}, {holdout['ms_per_message']} ms per message.",
        "",
        f"Accuracy with other fallback thresholds (same model): {thresholds}.",
        "",
        "| intent | F1 |",
        "|---|---|",
        *[f"| {intent} | {f1:.3f} |" for intent, f1 in holdout["f1"].items()],
        "",
        "Most common confusions (gold -> predicted, count): "
        + ", ".join(f"{pair} ({n})" for pair, n in holdout["top_confusions"][:10]),
        "",
    ]


def main() -> None:
    commit = (
        os.environ.get("NLU_REPORT_COMMIT")
        or subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    )
    intents = json.loads((CV / "intent_report.json").read_text(encoding="utf-8"))
    holdout_file = ROOT / "results" / "holdout.json"
    holdout = json.loads(holdout_file.read_text("utf-8")) if holdout_file.exists() else None
    shared_file = ROOT / "results" / "shared_eval.json"
    shared = json.loads(shared_file.read_text("utf-8")) if shared_file.exists() else None
    errors_file = CV / "intent_errors.json"
    errors = json.loads(errors_file.read_text("utf-8")) if errors_file.exists() else []
    fallback_cv = sum(e["intent_prediction"]["name"] == "nlu_fallback" for e in errors)
    total_cv = int(intents["weighted avg"]["support"])
    lines = [
        "# NLU report",
        "",
        f"Produced by `make nlu-report` (scripts/nlu_report.sh) on {date.today()}, "
        f"commit `{commit}`, with `config.yml`.",
        "",
        *_targets(intents, holdout, shared),
        "## Cross-validation on the training data (3 folds)",
        "",
        f"Intent accuracy {intents.get('accuracy', 0):.3f}, "
        f"weighted F1 {intents['weighted avg']['f1-score']:.3f}, "
        f"macro F1 {intents['macro avg']['f1-score']:.3f}. "
        f"{fallback_cv} of {total_cv} messages ({fallback_cv / max(total_cv, 1):.1%}) "
        "were predicted `nlu_fallback` (below the fallback threshold; they count as errors).",
        "",
        *_table(intents, "intent"),
        "",
        "![intent confusion matrix](img/intent_confusion_matrix.png)",
        "",
    ]
    entity_file = CV / "DIETClassifier_report.json"
    if entity_file.exists():
        entities = json.loads(entity_file.read_text(encoding="utf-8"))
        lines += ["## Entities (DIET, cross-validation)", "", *_table(entities, "entity"), ""]
        if (ROOT / "docs" / "img" / "entity_confusion_matrix.png").exists():
            lines += ["![entity confusion matrix](img/entity_confusion_matrix.png)", ""]
    if holdout:
        lines += _holdout_section(holdout)
    if shared:
        simp, trad = shared["simplified"], shared["traditional"]
        lines += [
            "## Real buyer messages from another shop (`../shared/eval`, never trained on)",
            "",
            "`python scripts/eval_shared.py` with the trained model. A gold `out_of_scope` "
            "counts as right when the model says `out_of_scope` or `nlu_fallback`.",
            "",
            f"- simplified: **{simp['accuracy']:.1%}** of {simp['n']} messages",
            f"- the same messages converted to traditional characters: "
            f"**{trad['accuracy']:.1%}**",
            "",
            "| intent | recall | messages |",
            "|---|---|---|",
            *[
                f"| {intent} | {recall:.2f} | {simp['support'][intent]} |"
                for intent, recall in simp["recall"].items()
            ],
            "",
            "Most common confusions (gold -> predicted, count): "
            + ", ".join(f"{pair} ({n})" for pair, n in simp["top_confusions"][:10]),
            "",
        ]
    (ROOT / "docs" / "nlu-report.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
