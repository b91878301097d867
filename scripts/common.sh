# Shared by the scripts: paths, colours, model fingerprint, and a private umask. Source it.
# Everything the project creates (var/, .run/, logs, reports, the workbench's files) is its owner's only.
umask 077
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
RASA="$VENV/bin/rasa"
PY="$VENV/bin/python"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
# Quieter TensorFlow and no telemetry prompts.
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
# Library deprecation chatter hides what matters in the output; tests still show their own warnings.
export PYTHONWARNINGS=${PYTHONWARNINGS:-ignore}

say() { printf '\033[1;34m[%s]\033[0m %s\n' "${STEP:-advisor}" "$*"; }
die() { printf '\033[1;31m[%s] %s\033[0m\n' "${STEP:-advisor}" "$*" >&2; exit 1; }

# Fingerprint of everything a trained model depends on (custom NLU components included: their code
# is part of what a training produces).
model_fingerprint() {
  (cd "$ROOT" && find config.yml domain.yml data components -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' \) 2>/dev/null \
     | sort | xargs sha256sum; sha256sum requirements.lock) | sha256sum | cut -c1-12
}
model_path() { echo "$ROOT/models/advisor-$(model_fingerprint).tar.gz"; }
