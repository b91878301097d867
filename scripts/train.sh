#!/usr/bin/env bash
# Trains the model only when config, domain or training data changed since the last training.
set -euo pipefail
STEP=train
source "$(dirname "$0")/common.sh"
cd "$ROOT"
model=$(model_path)
if [ -f "$model" ]; then
  say "model is up to date: ${model#$ROOT/}"
  exit 0
fi
say "training a new model (data or config changed); this takes a few minutes on 2 cores"
start=$(date +%s)
name=$(basename "$model" .tar.gz)
"$RASA" train --fixed-model-name "$name" --out models --quiet
[ -f "$model" ] || die "training finished but $model is missing"
say "trained in $(( $(date +%s) - start )) s: ${model#$ROOT/}"
# Keep the two newest models; older ones only take disk space.
ls -1t models/advisor-*.tar.gz 2>/dev/null | tail -n +3 | xargs -r rm -f
