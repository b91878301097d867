#!/usr/bin/env bash
# `make test-containers` (after `make test` in .ci/run): builds the images, brings the compose layout up,
# chats through nginx, kills a replica, restarts PostgreSQL, checks nothing was lost, brings it down and
# checks nothing is left (tests/containers/test_compose.py; docs/containers.md).
#
# Needs podman and podman-compose. As root, missing ones are installed from the Debian packages (podman,
# buildah, podman-compose, runc, debootstrap); otherwise, and where podman cannot run a container, the
# test is skipped with the reason (exit status 0).
#   ADVISOR_KEEP_IMAGES=1   keep the images it built (and their build cache) for the next run
set -euo pipefail
STEP=test-containers
source "$(dirname "$0")/common.sh"
cd "$ROOT"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$ROOT/deploy/containers/containers.conf}

skip() { say "SKIPPED: $* (docs/containers.md)"; exit 0; }

missing=""
for tool in podman podman-compose runc debootstrap; do command -v "$tool" >/dev/null 2>&1 || missing+=" $tool"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing${missing} from the Debian packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah podman-compose runc debootstrap >/dev/null \
      || skip "podman could not be installed with apt-get"
  else
    skip "podman, podman-compose, runc or debootstrap missing (${missing# }): as root, or after sudo apt-get install podman buildah podman-compose runc debootstrap, it runs"
  fi
fi
podman info >/dev/null 2>&1 || skip "podman is installed but cannot run here: $(podman info 2>&1 | tail -n 1)"

"$ROOT/scripts/setup.sh" --test
"$ROOT/scripts/train.sh"
export ADVISOR_MODEL
ADVISOR_MODEL=$(model_path)
say "building the images and running the compose layout (a cold build takes several minutes; nice -n 10)"
exec "$PY" -m pytest -p no:cacheprovider -q -s tests/containers
