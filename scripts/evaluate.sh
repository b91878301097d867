#!/usr/bin/env bash
# `make evaluate`: NLU figures for the issue notes. For the pipeline with spaCy (config.yml) and
# without (tests/nlu/configs/no_spacy.yml): accuracy on the held-out file and 5-fold cross-validation
# on the training data. Slow (about 6 NLU trainings); not part of `make test`.
# `scripts/evaluate.sh no_spacy` runs one variant (the summary reads all it finds in reports/evaluate);
# `scripts/evaluate.sh diet` runs Rasa's stock DIET recipe (tests/nlu/configs/diet.yml, 40 epochs, no spaCy);
# diet_spacy_tokens (DIET on spaCy's tokens, no vectors) and diet_spacy (plus spaCy mean vectors) likewise;
# lr_rasa is the pipeline shipped before WordLlama and the scaled classifier (components/intent_lr.py).
set -euo pipefail
STEP=evaluate
source "$(dirname "$0")/common.sh"
cd "$ROOT"
OUT=reports/evaluate
mkdir -p "$OUT"
for variant in ${@:-spacy no_spacy}; do
  cfg=config.yml; [ "$variant" = spacy ] || cfg=tests/nlu/configs/$variant.yml
  say "$variant: training an NLU model"
  start=$(date +%s)
  "$RASA" train nlu --config "$cfg" --out "$OUT/models-$variant" --fixed-model-name nlu --quiet
  echo "$(( $(date +%s) - start ))" > "$OUT/$variant-train-seconds.txt"
  say "$variant: held-out evaluation"
  "$RASA" test nlu --nlu tests/nlu/test_nlu.yml --model "$OUT/models-$variant/nlu.tar.gz" --out "$OUT/$variant-heldout" >/dev/null
  say "$variant: 5-fold cross-validation"
  "$RASA" test nlu --nlu data/nlu --config "$cfg" --cross-validation --folds 5 --out "$OUT/$variant-cv" >/dev/null
done
"$PY" - <<'PY'
import json, pathlib
out = pathlib.Path("reports/evaluate")
rows = []
variants = ["spacy"] + sorted(p.stem for p in pathlib.Path("tests/nlu/configs").glob("*.yml"))
for v in variants:
    if not (out / f"{v}-heldout/intent_report.json").exists():
        continue
    h = json.loads((out / f"{v}-heldout/intent_report.json").read_text())
    e = json.loads(next(p for p in (out / f"{v}-heldout").glob("*_report.json") if p.name != "intent_report.json").read_text())
    cv = json.loads((out / f"{v}-cv/intent_report.json").read_text()) if (out / f"{v}-cv/intent_report.json").exists() else {}
    cve_files = [p for p in (out / f"{v}-cv").glob("*_report.json") if p.name != "intent_report.json"]
    cve = json.loads(cve_files[0].read_text()) if cve_files else {}
    ent = e.get("micro avg", e.get("weighted avg"))["f1-score"]
    rows.append((v, h["accuracy"], h["weighted avg"]["f1-score"], ent,
                 cv.get("accuracy"), (cv.get("weighted avg") or {}).get("f1-score"),
                 (cve.get("micro avg") or cve.get("weighted avg") or {}).get("f1-score"),
                 (out / f"{v}-train-seconds.txt").read_text().strip()))
print("variant   heldout_acc heldout_f1 heldout_entF1  cv_acc  cv_f1  cv_entF1  nlu_train_s")
for r in rows:
    print("  ".join(f"{x:.3f}" if isinstance(x, float) else str(x) for x in r))
PY
