#!/usr/bin/env bash
# `make run-cluster`: the production layout on one machine. PostgreSQL (conversations) and Redis
# (conversation locks) from the Debian packages, one action server, CLUSTER_REPLICAS Rasa servers,
# and nginx in front of them on RASA_PORT (5005): the web page, REST, socket.io, Slack and Telegram
# go through nginx exactly as they go to the single server of `make run`. Ctrl-C stops everything.
#
#   scripts/cluster.sh                 set up, train if needed, start, wait (foreground)
#   scripts/cluster.sh roll [MODEL]    rolling restart of the replicas of a running cluster, one at a
#                                      time, on MODEL (default: the newest trained model)
#
# POSTGRES_HOST / REDIS_HOST set: those servers are used instead of starting local ones.
# Data, logs and pid files: CLUSTER_DIR (default var/cluster, git-ignored).
set -euo pipefail
STEP=cluster
source "$(dirname "$0")/common.sh"
cd "$ROOT"

RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
WEB_PORT=${WEB_PORT:-8000}
REPLICAS=${CLUSTER_REPLICAS:-2}
REPLICA_BASE_PORT=${CLUSTER_REPLICA_BASE_PORT:-5011}
PG_PORT=${CLUSTER_PG_PORT:-5433}
REDIS_LOCAL_PORT=${CLUSTER_REDIS_PORT:-6380}
DIR=${CLUSTER_DIR:-$ROOT/var/cluster}
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
WEB_ORIGIN=${WEB_ORIGIN:-http://127.0.0.1:$WEB_PORT}
export SOCKETIO_CORS_ORIGINS=${SOCKETIO_CORS_ORIGINS:-"$WEB_ORIGIN http://localhost:$WEB_PORT"}
[[ "$REPLICAS" =~ ^[1-9][0-9]*$ ]] || die "CLUSTER_REPLICAS=$REPLICAS must be a number of replicas (1 or more)"
mkdir -p "$DIR/logs" "$DIR/pids"

FAIL_TIMEOUT=5  # seconds nginx leaves a replica aside after a failed connection
replica_port() { echo $((REPLICA_BASE_PORT + $1 - 1)); }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
healthy() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }
wait_healthy() {  # name url log pidfile seconds
  local t=0
  until healthy "$2"; do
    alive "$4" || { tail -n 30 "$3" >&2; die "$1 stopped while starting (log: $3)"; }
    t=$((t + 1)); [ "$t" -lt "$5" ] || { tail -n 30 "$3" >&2; die "$1 did not answer within $5 s (log: $3)"; }
    sleep 1
  done
}

start_replica() {  # index model
  local i=$1 port; port=$(replica_port "$1")
  say "starting Rasa replica $i on http://127.0.0.1:$port ($(basename "$2"))"
  # Each replica in its own session: stopping one (roll, a crash) leaves the others alone.
  # The launcher installs advisor.patches and hands Rasa the API token in-process (never on a command line).
  local cors=(); read -r -a cors <<< "$SOCKETIO_CORS_ORIGINS"
  setsid "$PY" -m advisor run --model "$2" --enable-api --interface 127.0.0.1 --port "$port" \
    --endpoints "$DIR/endpoints.yml" --credentials credentials.yml --cors "${cors[@]}" \
    >> "$DIR/logs/rasa-$i.log" 2>&1 < /dev/null &
  echo $! > "$DIR/pids/rasa-$i.pid"
}
stop_pidfile() {  # pidfile
  alive "$1" || return 0
  local pid t=0; pid=$(cat "$1")
  kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    t=$((t + 1)); [ "$t" -lt 100 ] || { kill -9 "$pid" 2>/dev/null || true; break; }
    sleep 0.2
  done
}

# What a replica needs from the environment, kept (owner only) for `roll`, which runs in another shell.
REPLICA_VARS="POSTGRES_HOST POSTGRES_PORT POSTGRES_DB POSTGRES_USER POSTGRES_PASSWORD REDIS_HOST REDIS_PORT REDIS_DB
  REDIS_PASSWORD REDIS_KEY_PREFIX RASA_AUTH_TOKEN SOCKETIO_CORS_ORIGINS CONVERSATION_TTL_SECONDS CONVERSATION_SWEEP_SECONDS
  SLACK_BOT_TOKEN SLACK_SIGNING_SECRET SLACK_CHANNEL SLACK_API_URL TELEGRAM_BOT_TOKEN TELEGRAM_BOT_NAME TELEGRAM_WEBHOOK_URL
  TELEGRAM_WEBHOOK_SECRET TELEGRAM_API_URL"
save_replica_env() {
  local v
  (umask 077; for v in $REPLICA_VARS; do [ -z "${!v:-}" ] || printf 'export %s=%q\n' "$v" "${!v}"; done > "$DIR/replica.env")
}

if [ "${1:-}" = roll ]; then
  MODEL=${2:-$(ls -t "$ROOT"/models/advisor-*.tar.gz 2>/dev/null | head -n 1)}
  [ -f "$MODEL" ] || die "no model to roll out: train one (make train) or name it"
  [ -f "$DIR/pids/ready" ] && [ -f "$DIR/replica.env" ] || die "no running cluster in $DIR"
  # shellcheck disable=SC1091
  source "$DIR/replica.env"
  for i in $(seq 1 "$REPLICAS"); do
    # nginx sends this replica's conversations to the others while it restarts (the state is in the store).
    say "replica $i: stopping"
    stop_pidfile "$DIR/pids/rasa-$i.pid"
    start_replica "$i" "$MODEL"
    wait_healthy "Rasa replica $i" "http://127.0.0.1:$(replica_port "$i")/" "$DIR/logs/rasa-$i.log" "$DIR/pids/rasa-$i.pid" 300
    say "replica $i: serving $(basename "$MODEL")"
    # nginx skipped this replica while it was down and tries it again only after fail_timeout: wait for
    # that before stopping the next one, or for a moment no replica would be taken.
    [ "$i" -eq "$REPLICAS" ] || sleep $((FAIL_TIMEOUT + 1))
  done
  exit 0
fi
[ -z "${1:-}" ] || die "usage: scripts/cluster.sh [roll [MODEL]]"

"$ROOT/scripts/setup.sh"
"$PY" -m actions.knowledge_base || die "fix the knowledge base file named above, then run again"
"$ROOT/scripts/train.sh"
MODEL=$(model_path)

services=()
cleanup() {
  trap - INT TERM EXIT
  say "stopping"
  local f
  for f in "$DIR"/pids/web.pid "$DIR"/pids/rasa-*.pid "$DIR"/pids/actions.pid; do [ -e "$f" ] && stop_pidfile "$f"; done
  for s in "${services[@]}"; do "$ROOT/scripts/services.sh" stop "$s" --dir "$DIR/$s" || true; done
  rm -f "$DIR"/pids/*.pid "$DIR/pids/ready" "$DIR/replica.env"
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT
rm -f "$DIR/pids/ready"

# 1. PostgreSQL and Redis: the operator's (POSTGRES_HOST / REDIS_HOST) or local ones under $DIR.
if [ -z "${POSTGRES_HOST:-}" ]; then
  services+=(postgres)
  vars=$("$ROOT/scripts/services.sh" start postgres --port "$PG_PORT" --dir "$DIR/postgres") || die "PostgreSQL could not be started"
  for v in $vars; do export "${v?}"; done
fi
if [ -z "${REDIS_HOST:-}" ]; then
  services+=(redis)
  vars=$("$ROOT/scripts/services.sh" start redis --port "$REDIS_LOCAL_PORT" --dir "$DIR/redis") || die "Redis could not be started"
  for v in $vars; do export "${v?}"; done
fi
"$PY" -m persistence.endpoints --action-url "http://127.0.0.1:$ACTION_PORT/webhook" --out "$DIR/endpoints.yml" \
  || die "fix the variable named above, then run again"
save_replica_env

# 2. One action server, the replicas, the web page.
say "starting the action server on http://127.0.0.1:$ACTION_PORT"
[ -n "${RASA_AUTH_TOKEN:-}" ] || say "the HTTP API token is in $("$PY" -m advisor token) (readable by you only)"
SANIC_HOST=127.0.0.1 setsid "$PY" -m advisor run actions --actions actions --port "$ACTION_PORT" >> "$DIR/logs/actions.log" 2>&1 < /dev/null &
echo $! > "$DIR/pids/actions.pid"
for i in $(seq 1 "$REPLICAS"); do start_replica "$i" "$MODEL"; done
if [ -f web/serve.py ]; then
  say "starting the web page on http://127.0.0.1:$WEB_PORT"
  setsid "$PY" web/serve.py --host 127.0.0.1 --port "$WEB_PORT" --rasa-url "http://127.0.0.1:$RASA_PORT" >> "$DIR/logs/web.log" 2>&1 < /dev/null &
  echo $! > "$DIR/pids/web.pid"
fi

# 3. nginx in front of the replicas.
upstreams=""
for i in $(seq 1 "$REPLICAS"); do
  upstreams+="        server 127.0.0.1:$(replica_port "$i") max_fails=1 fail_timeout=${FAIL_TIMEOUT}s;"$'\n'
done
mkdir -p "$DIR/nginx/tmp"
awk -v dir="$DIR/nginx" -v listen="127.0.0.1:$RASA_PORT" -v ups="$upstreams" \
  '{ gsub(/@@DIR@@/, dir); gsub(/@@LISTEN@@/, listen); if ($0 ~ /@@UPSTREAMS@@/) { printf "%s", ups; next } print }' \
  deploy/nginx.conf.template > "$DIR/nginx.conf"
services+=(nginx)
"$ROOT/scripts/services.sh" start nginx --conf "$DIR/nginx.conf" --dir "$DIR/nginx" || die "nginx could not be started"

wait_healthy "the action server" "http://127.0.0.1:$ACTION_PORT/health" "$DIR/logs/actions.log" "$DIR/pids/actions.pid" 120
for i in $(seq 1 "$REPLICAS"); do
  wait_healthy "Rasa replica $i" "http://127.0.0.1:$(replica_port "$i")/" "$DIR/logs/rasa-$i.log" "$DIR/pids/rasa-$i.pid" 400
done
[ -f web/serve.py ] && wait_healthy "the web page" "http://127.0.0.1:$WEB_PORT/" "$DIR/logs/web.log" "$DIR/pids/web.pid" 60
where=$("$PY" -c 'from persistence.endpoints import describe; print(describe())')
echo ready > "$DIR/pids/ready"

cat <<TXT

  The CSM/CSPO advisor cluster is running ($REPLICAS Rasa replicas behind nginx).
    Chat in your browser:  http://127.0.0.1:$WEB_PORT/
    Rasa (through nginx):  http://127.0.0.1:$RASA_PORT   (REST, socket.io, Slack, Telegram, HTTP API)
    Where:                 $where
    Logs:                  $DIR/logs/  $DIR/nginx/  $DIR/postgres/postgres.log
    New model, no downtime: scripts/cluster.sh roll
  Press Ctrl-C to stop.

TXT

# A replica that stops is reported; nginx sends its conversations to the others. Everything stops
# when no replica is left (or on Ctrl-C).
declare -A reported=()
while true; do
  left=0
  for i in $(seq 1 "$REPLICAS"); do
    if alive "$DIR/pids/rasa-$i.pid"; then left=$((left + 1)); reported[$i]=""
    elif [ -z "${reported[$i]:-}" ]; then say "Rasa replica $i stopped (log: $DIR/logs/rasa-$i.log)"; reported[$i]=1; fi
  done
  [ "$left" -gt 0 ] || { say "no Rasa replica left"; exit 1; }
  alive "$DIR/pids/actions.pid" || { say "the action server stopped (log: $DIR/logs/actions.log)"; exit 1; }
  sleep 2
done
