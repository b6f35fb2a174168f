#!/usr/bin/env bash
# Measures the NLU and writes docs/nlu-report.md with its pictures:
#  1. 3-fold cross-validation on data/nlu (intent and entity precision/recall/F1,
#     confusion matrix), about 15 minutes on 2 cores;
#  2. our own held-out split (scripts/nlu_holdout.py: 20 % of data/nlu, stratified
#     by intent, fixed seed; trains NLU only into /tmp), about 6 minutes;
#  3. the trained model's accuracy on ../shared/eval (simplified and, converted
#     with OpenCC, traditional), which is never trained on, only reported.
# The report names the commit measured, taken when the run starts, and says so
# when data, config or components had uncommitted changes.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
NLU_REPORT_COMMIT="$(git rev-parse --short HEAD)"
if [ -n "$(git status --porcelain -- config.yml data nlu_components)" ]; then
  NLU_REPORT_COMMIT="$NLU_REPORT_COMMIT + uncommitted changes to config/data/nlu_components"
fi
export NLU_REPORT_COMMIT
mkdir -p results docs/img var/logs
rm -f results/holdout.json results/shared_eval.json
.venv/bin/rasa test nlu --nlu data/nlu --config config.yml --cross-validation --folds 3 \
  --out results/nlu-cv > var/logs/nlu_cv.log 2>&1 || { tail -30 var/logs/nlu_cv.log; exit 1; }
cp results/nlu-cv/intent_confusion_matrix.png docs/img/intent_confusion_matrix.png
if [ -f results/nlu-cv/DIETClassifier_confusion_matrix.png ]; then
  cp results/nlu-cv/DIETClassifier_confusion_matrix.png docs/img/entity_confusion_matrix.png
fi
.venv/bin/python scripts/nlu_holdout.py --name report --out results/holdout.json \
  > var/logs/nlu_holdout.log 2>&1 || { tail -30 var/logs/nlu_holdout.log; exit 1; }
eval_dir="${SHOP_EVAL_DIR:-../shared/eval}"
if [ -d "$eval_dir" ]; then
  .venv/bin/python scripts/eval_shared.py --eval-dir "$eval_dir" --out results/shared_eval.json
fi
.venv/bin/python scripts/write_nlu_report.py
echo "Wrote docs/nlu-report.md"
