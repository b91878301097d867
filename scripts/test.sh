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
say "running the test suite (unit, Rasa checks, end-to-end)"
# --durations=15: the 15 slowest tests (setup, call and teardown apart) after the results
exec "$PY" -m pytest -p no:cacheprovider --durations=15 "$@" tests/unit tests/rasa tests/e2e
