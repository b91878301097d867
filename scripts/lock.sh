#!/usr/bin/env bash
# Regenerates the hash-pinned lock files from the *.in files with uv (`uv pip compile --generate-hashes`).
# uv runs from a private, throwaway venv (never the project's .venv). Versions already in a lock are kept
# (uv prefers the pins of the file it rewrites); to move a package: scripts/lock.sh --upgrade-package NAME
# (or --upgrade for everything). Then `make test`. docs/dependencies.md explains the files.
#   requirements.in           -> requirements.lock             what `make run` runs
#   requirements-bootstrap.in -> requirements-bootstrap.lock   pip, setuptools, wheel (installed first)
#   requirements-test.in      -> requirements-test.lock        what `make test` adds (-c requirements.lock)
#   requirements-model.in     -> requirements-model.lock       the spaCy English model package
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
# Packages published on PyPI as source only (no wheel for any version Rasa 3.6 accepts): built from
# their hash-pinned sdist, everything else must be a wheel.
# Keep in step with SDIST_ONLY in scripts/setup.sh (tests/unit/test_locks.py checks it).
SDIST_ONLY=(langdetect mattermostwrapper randomname docopt)

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
"$tools/venv/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
uv="$tools/venv/bin/uv"

common=(--quiet --generate-hashes --python-version 3.10 --python-platform x86_64-manylinux_2_28
        --only-binary :all:)
for p in "${SDIST_ONLY[@]}"; do common+=(--no-binary "$p"); done
(
  set -x
  "$uv" pip compile "${common[@]}" "$@" -o requirements.lock requirements.in
  "$uv" pip compile "${common[@]}" "$@" -o requirements-bootstrap.lock requirements-bootstrap.in
  "$uv" pip compile "${common[@]}" "$@" -o requirements-test.lock requirements-test.in
  # The model package declares Python >= 3.12 (it is data only and has no dependencies): resolved for 3.12.
  "$uv" pip compile --quiet --generate-hashes --python-version 3.12 --only-binary :all: --no-deps "$@" \
    -o requirements-model.lock requirements-model.in
)
