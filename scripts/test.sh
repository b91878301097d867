#!/usr/bin/env bash
# `make test`: set up like `make run` (plus test tools), train if needed, then every check:
# unit tests, knowledge base, `rasa data validate`, NLU evaluation with thresholds, test stories,
# end-to-end tests over HTTP and in a real browser against real servers on free local ports.
set -euo pipefail
STEP=test
source "$(dirname "$0")/common.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" --test
"$PY" -m actions.knowledge_base || die "the knowledge base is broken (see above)"
"$ROOT/scripts/train.sh"
export ADVISOR_MODEL=$(model_path)
mkdir -p reports
# The suite in ADVISOR_TEST_SHARDS groups of test files at once (default 2: both cores; much of the suite
# waits for servers), balanced by tests/file-seconds.json (tests/conftest.py `--shard`). The first group's
# output shows here; each group's log and JUnit XML go to reports/test/; scripts/test_report.py then prints
# the counts, the failures and the 15 slowest tests of all groups. ADVISOR_TEST_SHARDS=1: one pytest, as before.
SHARDS=${ADVISOR_TEST_SHARDS:-2}
[[ "$SHARDS" =~ ^[1-8]$ ]] || die "ADVISOR_TEST_SHARDS=$SHARDS: expected 1 to 8"
if [ "$SHARDS" = 1 ]; then
  say "running the test suite (unit, Rasa checks, end-to-end)"
  # --durations=15: the 15 slowest tests (setup, call and teardown apart) after the results
  exec "$PY" -m pytest -p no:cacheprovider --durations=15 "$@" tests/unit tests/rasa tests/e2e
fi
rm -rf reports/test && mkdir -p reports/test
say "running the test suite (unit, Rasa checks, end-to-end) in $SHARDS groups at once; logs in reports/test/"
started=$(date +%s)
pids=()
stop_shards() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap 'trap "" INT TERM; stop_shards; exit 130' INT TERM
for k in $(seq 2 "$SHARDS"); do
  "$PY" -m pytest -p no:cacheprovider -q --durations=15 --shard "$k/$SHARDS" --junitxml="reports/test/shard-$k.xml" \
    "$@" tests/unit tests/rasa tests/e2e > "reports/test/shard-$k.log" 2>&1 &
  pids+=($!)
done
status=0
set +e
"$PY" -m pytest -p no:cacheprovider --durations=15 --shard "1/$SHARDS" --junitxml=reports/test/shard-1.xml \
  "$@" tests/unit tests/rasa tests/e2e 2>&1 | tee reports/test/shard-1.log
first=${PIPESTATUS[0]}
set -e
[ "$first" = 0 ] || [ "$first" = 5 ] || status=1  # 5: a -k left no test in this group
for k in $(seq 2 "$SHARDS"); do
  code=0; wait "${pids[$((k - 2))]}" || code=$?
  if [ "$code" = 0 ] || [ "$code" = 5 ]; then say "group $k of $SHARDS: passed ($(tail -n 1 "reports/test/shard-$k.log"))"
  else status=1; say "group $k of $SHARDS: FAILED, exit status $code (reports/test/shard-$k.log):"
    sed -n '/= FAILURES =/,$p' "reports/test/shard-$k.log" | tail -n 150; fi
done
trap - INT TERM
"$PY" scripts/test_report.py reports/test/shard-*.xml
say "the suite took $(( $(date +%s) - started )) s in $SHARDS groups: $([ $status = 0 ] && echo passed || echo FAILED)"
exit $status
