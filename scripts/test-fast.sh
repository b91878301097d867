#!/usr/bin/env bash
# `make test-fast`: the inner loop, without servers, browsers or training. The knowledge base check,
# `rasa data validate` and every unit test, the unit tests in two halves at once (both cores; each
# prints its slowest tests). About a minute or less on 2 cores; `make test` runs everything else.
#   scripts/test-fast.sh [pytest arguments]     e.g. -k supervise, -x
set -euo pipefail
STEP=test-fast
source "$(dirname "$0")/common.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" --test
started=$(date +%s)
"$PY" -m actions.knowledge_base >/dev/null || die "the knowledge base is broken (see above)"
mkdir -p reports/fast
jobs_=()
stop_jobs() { for j in "${jobs_[@]}"; do kill "$j" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap 'trap "" INT TERM; stop_jobs; exit 130' INT TERM
"$RASA" data validate --fail-on-warning > reports/fast/data-validate.log 2>&1 & jobs_+=($!)
for k in 1 2; do
  "$PY" -m pytest -p no:cacheprovider -q --durations=15 --shard "$k/2" "$@" tests/unit > "reports/fast/unit-$k.log" 2>&1 &
  jobs_+=($!)
done
status=0; names=("rasa data validate" "unit tests, half 1" "unit tests, half 2"); logs=(data-validate unit-1 unit-2)
for i in 0 1 2; do
  code=0; wait "${jobs_[$i]}" || code=$?
  if [ "$code" = 0 ] || { [ "$code" = 5 ] && [ "$i" -gt 0 ]; }; then say "${names[$i]}: passed"  # 5: -k left no test in it
  else status=1; say "${names[$i]}: FAILED, exit status $code (reports/fast/${logs[$i]}.log)"; tail -n 40 "reports/fast/${logs[$i]}.log"; fi
done
for k in 1 2; do sed -n '/slowest 15 durations/,/^$/p' "reports/fast/unit-$k.log"; grep -E '^[0-9]+ (passed|failed)|passed|failed' "reports/fast/unit-$k.log" | tail -n 1; done
say "done in $(( $(date +%s) - started )) s"
exit $status
