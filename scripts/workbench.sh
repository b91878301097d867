#!/usr/bin/env bash
# The trainers' workbench and its command-line reports (make workbench / check / lint / test-stories /
# nlu-report / analytics). Sets up what is missing first; trains only where a model is needed.
#   scripts/workbench.sh serve        the web workbench on 127.0.0.1:8001 (WORKBENCH_HOST/PORT/TOKEN/HOSTS);
#                                     prints a one-time login link
#   scripts/workbench.sh check        knowledge schema, rasa data validate, lint, test stories
#   scripts/workbench.sh user NAME [--email E] [--link] [--revoke]   a trainer, their token and login link
#   scripts/workbench.sh users | audit | lint | test-stories | nlu-report | analytics
set -euo pipefail
STEP=workbench
source "$(dirname "$0")/common.sh"
cd "$ROOT"
cmd=${1:-serve}; shift || true
"$ROOT/scripts/setup.sh" >/dev/null || die "setup failed: run scripts/setup.sh to see why"
case "$cmd" in
  check|test-stories)
    "$ROOT/scripts/train.sh"
    export ADVISOR_MODEL=$(model_path) ;;
  serve)
    [ -f "$(model_path)" ] && export ADVISOR_MODEL=$(model_path)
    endpoints=${WORKBENCH_ENDPOINTS:-}
    [ -n "$endpoints" ] && set -- --endpoints "$endpoints" "$@" ;;
  nlu-report)
    say "5-fold cross-validation of data/nlu: several minutes on 2 cores"
    exec nice -n 10 "$PY" -m workbench nlu-report "$@" ;;
esac
exec "$PY" -m workbench "$cmd" "$@"
