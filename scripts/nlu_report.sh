#!/usr/bin/env bash
# Measures the NLU and writes docs/nlu-report.md with its pictures:
#  1. 3-fold cross-validation on data/nlu (intent and entity precision/recall/F1,
#     confusion matrix), about 15 minutes on 2 cores;
#  2. the trained model's accuracy on ../shared/eval (simplified and, converted
#     with OpenCC, traditional), which is never trained on.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
mkdir -p results docs/img var/logs
.venv/bin/rasa test nlu --nlu data/nlu --config config.yml --cross-validation --folds 3 \
  --out results/nlu-cv > var/logs/nlu_cv.log 2>&1 || { tail -30 var/logs/nlu_cv.log; exit 1; }
cp results/nlu-cv/intent_confusion_matrix.png docs/img/intent_confusion_matrix.png
if [ -f results/nlu-cv/DIETClassifier_confusion_matrix.png ]; then
  cp results/nlu-cv/DIETClassifier_confusion_matrix.png docs/img/entity_confusion_matrix.png
fi
eval_dir="${SHOP_EVAL_DIR:-../shared/eval}"
if [ -d "$eval_dir" ]; then
  .venv/bin/python scripts/eval_shared.py --eval-dir "$eval_dir" --out results/shared_eval.json
fi
.venv/bin/python scripts/write_nlu_report.py
echo "Wrote docs/nlu-report.md"
