#!/bin/bash
# The advisor images' entrypoint (deploy/containers/Containerfile; docs/containers.md).
#   advisor-entrypoint [rasa|actions|workbench|page]   start that server (default: $ADVISOR_ROLE)
#   advisor-entrypoint health                          the HEALTHCHECK: exit 0 when it answers
#
# Secrets come from the environment or from files, never from the image: for each NAME below, NAME_FILE
# names a file (compose and Kubernetes mount secrets under /run/secrets) whose content becomes NAME.
# RASA_AUTH_TOKEN_FILE and ACTION_SERVER_SECRET_FILE are read by the launcher itself (advisor/api_token.py,
# advisor/action_server.py), which requires them to be readable by their owner only.
# Every server listens on all of the container's interfaces: the compose file publishes only nginx, the
# page and the workbench, and only on 127.0.0.1.
set -euo pipefail
umask 077
die() { echo "advisor-entrypoint: $*" >&2; exit 2; }

role=${1:-${ADVISOR_ROLE:-}}
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
WEB_PORT=${WEB_PORT:-8000}
WORKBENCH_PORT=${WORKBENCH_PORT:-8001}

if [ "$role" = health ]; then
  case ${ADVISOR_ROLE:-} in
    rasa) url=http://127.0.0.1:$RASA_PORT/ready ;;
    actions) url=http://127.0.0.1:$ACTION_PORT/health ;;
    workbench) url=http://127.0.0.1:$WORKBENCH_PORT/health ;;
    page) url=http://127.0.0.1:$WEB_PORT/healthz ;;
    *) die "health: ADVISOR_ROLE is not set" ;;
  esac
  exec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$url" 2>/dev/null
fi

for name in POSTGRES_PASSWORD REDIS_PASSWORD WORKBENCH_TOKEN REST_CHANNEL_KEY SLACK_BOT_TOKEN SLACK_SIGNING_SECRET \
            TELEGRAM_BOT_TOKEN TELEGRAM_WEBHOOK_SECRET; do
  file_var="${name}_FILE"
  file=${!file_var:-}
  [ -n "$file" ] || continue
  [ -r "$file" ] || die "$file_var=$file cannot be read by uid $(id -u): mount it readable by this user (docs/containers.md)"
  value=$(cat "$file")
  [ -n "$value" ] || die "$file_var=$file is empty"
  export "$name=$value"
  unset "$file_var"
done

RUNTIME=${ADVISOR_RUNTIME_DIR:-/tmp/advisor}
mkdir -p "$RUNTIME"
endpoints() {  # the tracker store (PostgreSQL), the lock store (Redis), the action server: from the environment
  python -m persistence.endpoints --action-url "${ACTION_URL:-http://actions:$ACTION_PORT/webhook}" \
    --out "$RUNTIME/endpoints.yml" || die "fix the variable named above"
}

case $role in
  rasa)
    [ -f "${ADVISOR_MODEL:-}" ] || die "no model at ADVISOR_MODEL=${ADVISOR_MODEL:-}"
    endpoints
    export SOCKETIO_CORS_ORIGINS=${SOCKETIO_CORS_ORIGINS:-"http://127.0.0.1:8000 http://localhost:8000"}
    read -r -a cors <<< "$SOCKETIO_CORS_ORIGINS"
    # This replica's address, for nginx (a volume shared with it in compose.yml; its name is the port, which
    # tells nginx which replica it is): a restarted container gets a new address, and the network's DNS
    # service can be slow to answer for a name that was gone a while (service-entrypoint.sh).
    replicas=${ADVISOR_REPLICAS_DIR:-/var/lib/advisor-replicas}
    if [ -d "$replicas" ] && [ -w "$replicas" ]; then
      address=$(hostname -I 2>/dev/null | awk '{ print $1 }') || address=""
      if [[ $address =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]; then
        printf '%s\n' "$address" > "$replicas/.$RASA_PORT.new" && mv -f "$replicas/.$RASA_PORT.new" "$replicas/$RASA_PORT"
      else echo "advisor-entrypoint: no IPv4 address to give nginx in $replicas (it looks the name up)" >&2; fi
    fi
    exec python -m advisor run --model "$ADVISOR_MODEL" --enable-api --interface 0.0.0.0 --port "$RASA_PORT" \
      --endpoints "$RUNTIME/endpoints.yml" --credentials credentials.yml --cors "${cors[@]}" ;;
  actions)
    export ACTION_SERVER_HOST=${ACTION_SERVER_HOST:-0.0.0.0}
    exec python -m advisor run actions --actions actions --port "$ACTION_PORT" ;;
  workbench)
    mkdir -p /app/.workbench/run  # /app/.run: the first trainer's token file, in the volume
    endpoints
    exec python -m workbench serve --host 0.0.0.0 --port "$WORKBENCH_PORT" --endpoints "$RUNTIME/endpoints.yml" ;;
  page)
    exec python3 web/serve.py --host 0.0.0.0 --port "$WEB_PORT" --rasa-url "${PUBLIC_RASA_URL:-http://127.0.0.1:5005}" ;;
  *)
    die "usage: advisor-entrypoint rasa|actions|workbench|page|health (or set ADVISOR_ROLE)" ;;
esac
