#!/usr/bin/env bash
# The container images and the compose layout with podman (docs/containers.md; Docker users follow the doc).
#
#   scripts/containers.sh base      the local base images: Debian 12 from debootstrap (tarball cached in
#                                   ADVISOR_CONTAINER_CACHE, default ~/.cache/advisor-containers) and, on
#                                   it, the machine's CPython 3.10 (the one the project's .venv was made with)
#   scripts/containers.sh build     the base images (unless ADVISOR_BASE / ADVISOR_DEBIAN_BASE name others),
#                                   then the seven images, tagged ADVISOR_IMAGE_TAG (default: the git commit)
#   scripts/containers.sh images    the names of the seven images (with the tag)
#   scripts/containers.sh compose ARGS...   podman-compose -f deploy/containers/compose.yml ARGS...
#
# Every podman call gets CONTAINERS_CONF=deploy/containers/containers.conf unless the caller set one (two
# settings this kind of machine needs; nothing under /etc changes). Builds run under `nice -n 10`.
# A registry-reachable machine can skip `base`: ADVISOR_BASE=python:3.10-slim ADVISOR_DEBIAN_BASE=debian:bookworm-slim.
set -euo pipefail
STEP=containers
source "$(dirname "$0")/common.sh"
cd "$ROOT"

export CONTAINERS_CONF=${CONTAINERS_CONF:-$ROOT/deploy/containers/containers.conf}
CACHE=${ADVISOR_CONTAINER_CACHE:-$HOME/.cache/advisor-containers}
DEBIAN_IMAGE=localhost/advisor-debian12:bookworm
CA_BUNDLE=${ADVISOR_BUILD_CA:-/etc/ssl/certs/ca-certificates.crt}
APP_TARGETS="rasa actions workbench page"
SERVICE_TARGETS="postgres redis nginx"

version() {  # the commit the images are built from (+dirty when the work tree differs from it)
  local v; v=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  git diff --quiet HEAD -- 2>/dev/null || v+="-dirty"
  echo "$v"
}
TAG=${ADVISOR_IMAGE_TAG:-$(version)}
[[ "$TAG" =~ ^[A-Za-z0-9_.-]{1,128}$ ]] || die "ADVISOR_IMAGE_TAG=$TAG is not a valid image tag"
image() { echo "localhost/advisor-$1:$TAG"; }

need_podman() {
  command -v podman >/dev/null 2>&1 || die "podman is not installed: sudo apt-get install podman buildah podman-compose runc debootstrap"
}

# Python 3.10 for the local base: the interpreter the project's .venv was made with (scripts/setup.sh found
# it: PYTHON310, python3.10 or pyenv's newest 3.10), or PYTHON310.
python_prefix() {
  local py=${PYTHON310:-}
  if [ -z "$py" ] && [ -x "$PY" ]; then py=$("$PY" -c 'import sys; print(sys.base_prefix)')/bin/python3.10; fi
  [ -n "$py" ] && [ -x "$py" ] || die "no Python 3.10 to put in the local base image: run make setup, or set PYTHON310"
  "$py" -c 'import sys; assert sys.version_info[:2] == (3, 10)' || die "$py is not Python 3.10"
  "$py" -c 'import sys; print(sys.base_prefix)'
}

debian_base() {  # Debian 12 minbase from the Debian mirror (debootstrap), cached as a tarball
  podman image exists "$DEBIAN_IMAGE" && return 0
  local tarball=$CACHE/debian12-bookworm-minbase.tar
  if [ ! -s "$tarball" ]; then
    command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed: sudo apt-get install debootstrap"
    [ "$(id -u)" = 0 ] || die "debootstrap needs root to make the Debian base ($tarball); or set ADVISOR_BASE / ADVISOR_DEBIAN_BASE"
    mkdir -p "$CACHE"
    local rootfs; rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    say "debootstrap: Debian 12 minbase into $rootfs (about half a minute)" >&2
    nice -n 10 debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian > "$CACHE/debootstrap.log" 2>&1 \
      || { rm -rf "$rootfs"; tail -n 20 "$CACHE/debootstrap.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar --numeric-owner -C "$rootfs" -c . > "$tarball.tmp" && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  say "importing $tarball as $DEBIAN_IMAGE" >&2
  podman import --change 'CMD ["/bin/bash"]' "$tarball" "$DEBIAN_IMAGE" >/dev/null
}

python_base() {  # $DEBIAN_IMAGE + the machine's CPython 3.10 (deploy/containers/base.Containerfile)
  local prefix version ctx
  prefix=$(python_prefix)
  version=$("$prefix/bin/python3.10" -c 'import platform; print(platform.python_version())')
  local name=localhost/advisor-python:$version-bookworm
  if ! podman image exists "$name"; then
    debian_base
    ctx=$(mktemp -d "${TMPDIR:-/tmp}/advisor-python-base.XXXXXX")
    say "local base $name: CPython $version from $prefix" >&2
    # The interpreter and its standard library; not its tests, IDLE, Tk, static library or site-packages.
    mkdir -p "$ctx/python/bin" "$ctx/python/lib"
    cp -a "$prefix/bin/python3.10" "$ctx/python/bin/"
    cp -a "$prefix"/lib/libpython3.10.so* "$ctx/python/lib/"
    tar -C "$prefix/lib" -c --exclude='python3.10/test' --exclude='python3.10/idlelib' --exclude='python3.10/tkinter' \
      --exclude='python3.10/turtledemo' --exclude='python3.10/lib2to3/tests' --exclude='python3.10/site-packages/*' \
      --exclude='*/libpython3.10*.a' --exclude='python3.10/lib-dynload/_tkinter*' python3.10 | tar -C "$ctx/python/lib" -x
    chmod -R u+rwX,go+rX,go-w "$ctx/python"  # this shell's umask is 077: the image's users must read it
    nice -n 10 podman build -q --format docker -f deploy/containers/base.Containerfile --build-arg DEBIAN="$DEBIAN_IMAGE" \
      -t "$name" "$ctx" >/dev/null || { rm -rf "$ctx"; die "the local base image could not be built"; }
    rm -rf "$ctx"
  fi
  echo "$name"
}

build() {
  local base=${ADVISOR_BASE:-} debian=${ADVISOR_DEBIAN_BASE:-} model fp target
  [ -n "$base" ] || base=$(python_base)
  [ -n "$debian" ] || { debian_base; debian=$DEBIAN_IMAGE; }
  model=$(model_path)
  [ -f "$model" ] || die "no trained model for this data ($model): make train"
  fp=$(model_fingerprint)
  mkdir -p "$CACHE/pip"
  local mounts=(-v "$CACHE/pip:/root/.cache/pip")
  [ -f "$CA_BUNDLE" ] && mounts+=(-v "$CA_BUNDLE:/run/host-ca.crt:ro")
  local common=(--format docker --build-arg "VERSION=$TAG" --layers)
  for target in $APP_TARGETS; do
    say "building $(image "$target") (base $base)" >&2
    nice -n 10 podman build "${common[@]}" "${mounts[@]}" -f deploy/containers/Containerfile --target "$target" \
      --build-arg "BASE=$base" --build-arg "MODEL=$(basename "$model")" --build-arg "MODEL_ID=advisor-$fp" \
      -t "$(image "$target")" . || die "building $(image "$target") failed (see above)"
  done
  for target in $SERVICE_TARGETS; do
    say "building $(image "$target") (base $debian)" >&2
    nice -n 10 podman build "${common[@]}" -f deploy/containers/services.Containerfile --target "$target" \
      --build-arg "DEBIAN_BASE=$debian" -t "$(image "$target")" . || die "building $(image "$target") failed (see above)"
  done
}

compose() {
  command -v podman-compose >/dev/null 2>&1 || die "podman-compose is not installed: sudo apt-get install podman-compose"
  ADVISOR_IMAGE_TAG=$TAG exec podman-compose -f deploy/containers/compose.yml "$@"
}

case ${1:-} in
  base) need_podman; python_base; debian_base ;;
  build) need_podman; build ;;
  images) for t in $APP_TARGETS $SERVICE_TARGETS; do image "$t"; done ;;
  compose) need_podman; shift; compose "$@" ;;
  *) die "usage: scripts/containers.sh base|build|images|compose ARGS..." ;;
esac
