"""Writes docs/nlu-report.md from the files scripts/nlu_report.sh produced."""

from __future__ import annotations

import json
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


def main() -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    intents = json.loads((CV / "intent_report.json").read_text(encoding="utf-8"))
    lines = [
        "# NLU report",
        "",
        f"Produced by `make nlu-report` (scripts/nlu_report.sh) on {date.today()}, "
        f"commit `{commit}`, with `config.yml`.",
        "",
        "## Cross-validation on the training data (3 folds)",
        "",
        f"Intent accuracy {intents.get('accuracy', 0):.3f}, "
        f"weighted F1 {intents['weighted avg']['f1-score']:.3f}, "
        f"macro F1 {intents['macro avg']['f1-score']:.3f}.",
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
    shared = ROOT / "results" / "shared_eval.json"
    if shared.exists():
        result = json.loads(shared.read_text(encoding="utf-8"))
        simp, trad = result["simplified"], result["traditional"]
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
