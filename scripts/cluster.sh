#!/usr/bin/env bash
# `make run-cluster`: the production layout on one machine. PostgreSQL (conversations) and Redis
# (conversation locks) from the Debian packages, one action server, CLUSTER_REPLICAS Rasa servers,
# and nginx in front of them on RASA_PORT (5005): the web page, REST, socket.io, Slack and Telegram
# go through nginx exactly as they go to the single server of `make run`. Ctrl-C stops everything.
#
#   scripts/cluster.sh                 set up, train if needed, start, wait (foreground)
#   scripts/cluster.sh roll [MODEL]    rolling restart of the replicas of a running cluster, one at a
#                                      time, on MODEL (default: the newest trained model)
#   scripts/cluster.sh nginx-conf      print the nginx configuration it would use, start nothing
#
# POSTGRES_HOST / REDIS_HOST set: those servers are used instead of starting local ones.
# Data, logs and pid files: CLUSTER_DIR (default var/cluster, git-ignored, owner-only).
# Every replica, the action server and the web page run under advisor.supervise: a crash is logged
# (the process's log and this terminal) and it is restarted (back-off 1 s, doubling up to 30 s); at the
# 5th crash of one of them within 300 s everything stops.
# nginx: CLUSTER_CHAT_RATE (default 30) requests a second per client address on the chat webhooks and
# socket.io, bursts of CLUSTER_CHAT_BURST (default 100), then 429; CLUSTER_DEBUG_HEADERS=1 adds
# X-Advisor-Replica: r1, r2… (which replica answered) to every response.
set -euo pipefail
STEP=cluster
source "$(dirname "$0")/common.sh"
cd "$ROOT"
umask 077  # data, logs, pid files and configuration readable by the owner only (common.sh sets it too)

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
CHAT_RATE=${CLUSTER_CHAT_RATE:-30}
CHAT_BURST=${CLUSTER_CHAT_BURST:-100}
[[ "$REPLICAS" =~ ^[1-9][0-9]*$ ]] || die "CLUSTER_REPLICAS=$REPLICAS must be a number of replicas (1 or more)"
[[ "$CHAT_RATE" =~ ^[1-9][0-9]*$ ]] || die "CLUSTER_CHAT_RATE=$CHAT_RATE must be a number of requests a second (1 or more)"
[[ "$CHAT_BURST" =~ ^[0-9]+$ ]] || die "CLUSTER_CHAT_BURST=$CHAT_BURST must be a number of requests"
mkdir -p "$DIR/logs" "$DIR/pids"
chmod 700 "$DIR"
# As root, the local PostgreSQL runs as the `postgres` user: it must be able to pass through (not list,
# not read) the cluster directory, and the project's directories above it, to reach its own owner-only one.
if [ "$(id -u)" = 0 ] && [ -z "${POSTGRES_HOST:-}" ]; then
  d=$DIR
  while [ "$d" = "$DIR" ] || [[ "$d" == "$ROOT"/* ]]; do chmod o+x "$d"; d=$(dirname "$d"); done
fi

FAIL_TIMEOUT=5  # seconds nginx leaves a replica aside after a failed connection
NOT_READY=""    # replicas whose /ready failed at the last check: marked down in nginx (see the watch loop)
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

supervised() {  # key name ready-url command...: runs under advisor.supervise in its own session
  # (stopping one, in `roll` or on a crash, leaves the others alone). Pid files: $DIR/pids/<key>.pid (the
  # supervisor: what is stopped), <key>.server (the server), <key>.gave-up; log: $DIR/logs/<key>.log.
  # Its own messages go to this terminal too, except in `roll` (SUPERVISE_LOG): a supervisor outlives the
  # roll and must not hold its caller's output open.
  # Started by the foreground run (not `roll`), it stops its server by itself if this script is killed
  # outright (--parent: kill -9 runs no trap).
  local key=$1 name=$2 ready=$3; shift 3
  rm -f "$DIR/pids/$key.gave-up"
  local parent=(); [ -n "${SUPERVISE_LOG:-}" ] || parent=(--parent "$$")
  local run=(setsid "$PY" -m advisor.supervise --name "$name" --log "$DIR/logs/$key.log" --ready-url "$ready"
             --pidfile "$DIR/pids/$key.server" --gave-up-file "$DIR/pids/$key.gave-up" "${parent[@]}" -- "$@")
  if [ -n "${SUPERVISE_LOG:-}" ]; then "${run[@]}" < /dev/null >> "$SUPERVISE_LOG" 2>&1 &
  else "${run[@]}" < /dev/null & fi
  echo $! > "$DIR/pids/$key.pid"
}
start_replica() {  # index model
  local i=$1 port; port=$(replica_port "$1")
  say "starting Rasa replica $i on http://127.0.0.1:$port ($(basename "$2"))"
  # The launcher installs advisor.patches and hands Rasa the API token in-process (never on a command line).
  local cors=(); read -r -a cors <<< "$SOCKETIO_CORS_ORIGINS"
  supervised "rasa-$i" "Rasa replica $i" "http://127.0.0.1:$port/" \
    "$PY" -m advisor run --model "$2" --enable-api --interface 127.0.0.1 --port "$port" \
    --endpoints "$DIR/endpoints.yml" --credentials credentials.yml --cors "${cors[@]}"
}
stop_pidfile() {  # pidfile...: SIGTERM to every supervisor at once, then waits for them (at most 25 s in
  # all; each gives its server 15 s); one still running then is killed, with its server's process group.
  local f pid pids=() t=0
  for f in "$@"; do
    alive "$f" || continue
    pid=$(cat "$f" 2>/dev/null) || continue
    kill "$pid" 2>/dev/null || true
    pids+=("$pid:${f%.pid}.server")
  done
  for f in "${pids[@]}"; do
    pid=${f%%:*}
    while kill -0 "$pid" 2>/dev/null && [ "$t" -lt 125 ]; do t=$((t + 1)); sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
      [ -s "${f#*:}" ] && kill -9 -- "-$(cat "${f#*:}")" 2>/dev/null || true
    fi
  done
}

# What a replica needs from the environment, kept (owner only) for `roll`, which runs in another shell.
REPLICA_VARS="POSTGRES_HOST POSTGRES_PORT POSTGRES_DB POSTGRES_USER POSTGRES_PASSWORD REDIS_HOST REDIS_PORT REDIS_DB
  REDIS_PASSWORD REDIS_KEY_PREFIX RASA_AUTH_TOKEN SOCKETIO_CORS_ORIGINS CONVERSATION_TTL_SECONDS CONVERSATION_SWEEP_SECONDS
  SLACK_BOT_TOKEN SLACK_SIGNING_SECRET SLACK_CHANNEL SLACK_API_URL TELEGRAM_BOT_TOKEN TELEGRAM_BOT_NAME TELEGRAM_WEBHOOK_URL
  TELEGRAM_WEBHOOK_SECRET TELEGRAM_API_URL ACTION_SERVER_SECRET ACTION_SERVER_SECRET_FILE"
save_replica_env() {
  local v
  (umask 077; for v in $REPLICA_VARS; do [ -z "${!v:-}" ] || printf 'export %s=%q\n' "$v" "${!v}"; done > "$DIR/replica.env")
}

# nginx in front of the replicas (deploy/nginx.conf.template). The container layout (deploy/containers)
# reuses it: CLUSTER_UPSTREAM_HOST names replica i's host (%d: i; default 127.0.0.1), CLUSTER_NGINX_LISTEN
# the address nginx listens on (default 127.0.0.1:RASA_PORT).
UPSTREAM_HOST=${CLUSTER_UPSTREAM_HOST:-127.0.0.1}
NGINX_LISTEN=${CLUSTER_NGINX_LISTEN:-127.0.0.1:$RASA_PORT}
[[ "$UPSTREAM_HOST" =~ ^[A-Za-z0-9._-]*(%d)?[A-Za-z0-9._-]*$ ]] || die "CLUSTER_UPSTREAM_HOST=$UPSTREAM_HOST must be a host name, with %d for the replica's number"
listen_pattern='^[][A-Za-z0-9.:_-]+$'
[[ "$NGINX_LISTEN" =~ $listen_pattern ]] || die "CLUSTER_NGINX_LISTEN=$NGINX_LISTEN must be an address:port"
nginx_conf() {
  local upstreams="" names="" i port host
  for i in $(seq 1 "$REPLICAS"); do
    port=$(replica_port "$i")
    # shellcheck disable=SC2059  # the pattern is checked above: a name with at most one %d
    host=$(printf "$UPSTREAM_HOST" "$i")
    # A replica whose /ready fails (NOT_READY, from the watch loop below) is marked down: nginx's own
    # checks only see refused connections, not a replica that accepts them and cannot answer.
    local down=""; [[ " $NOT_READY " != *" $i "* ]] || down=" down"
    upstreams+="        server $host:$port max_fails=1 fail_timeout=${FAIL_TIMEOUT}s$down;"$'\n'
    # The replica that answered is the last address of $upstream_addr (after a retry it lists several).
    [ "${CLUSTER_DEBUG_HEADERS:-}" != 1 ] || names+="        \"~:$port\$\" r$i;"$'\n'
  done
  awk -v dir="$DIR/nginx" -v listen="$NGINX_LISTEN" -v ups="$upstreams" -v names="$names" \
    -v rate="$CHAT_RATE" -v burst="$CHAT_BURST" \
    '{ gsub(/@@DIR@@/, dir); gsub(/@@LISTEN@@/, listen); gsub(/@@CHAT_RATE@@/, rate); gsub(/@@CHAT_BURST@@/, burst)
       if ($0 ~ /@@UPSTREAMS@@/) { printf "%s", ups; next }
       if ($0 ~ /@@REPLICA_NAMES@@/) { printf "%s", names; next }
       print }' \
    deploy/nginx.conf.template
}
if [ "${1:-}" = nginx-conf ]; then nginx_conf; exit 0; fi

if [ "${1:-}" = roll ]; then
  MODEL=${2:-$(ls -t "$ROOT"/models/advisor-*.tar.gz 2>/dev/null | head -n 1)}
  [ -f "$MODEL" ] || die "no model to roll out: train one (make train) or name it"
  [ -f "$DIR/pids/ready" ] && [ -f "$DIR/replica.env" ] || die "no running cluster in $DIR"
  # shellcheck disable=SC1091
  source "$DIR/replica.env"
  SUPERVISE_LOG="$DIR/logs/supervise.log"
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
guard=""
cleanup() {
  # A second Ctrl-C, or the TERM of an impatient caller, must not cut the clean-up short: with the traps
  # reset to the default it killed this shell half-way and left PostgreSQL, Redis, nginx, the action server
  # and replicas running (issue 23). From here on both are ignored; the clean-up is bounded (about 40 s).
  trap '' INT TERM
  trap - EXIT
  say "stopping"
  [ -z "$guard" ] || kill "$guard" 2>/dev/null || true
  stop_pidfile "$DIR"/pids/prometheus.pid "$DIR"/pids/web.pid "$DIR"/pids/rasa-*.pid "$DIR"/pids/actions.pid
  for s in "${services[@]}"; do "$ROOT/scripts/services.sh" stop "$s" --dir "$DIR/$s" || true; done
  rm -f "$DIR"/pids/*.pid "$DIR"/pids/*.server "$DIR"/pids/*.gave-up "$DIR/pids/ready" "$DIR/replica.env"
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT
rm -f "$DIR/pids/ready" "$DIR"/pids/*.gave-up
# If this shell is killed outright (kill -9: no trap runs), a guard in a session of its own stops the
# services it started here (the supervisors stop their servers by themselves: --parent).
guarded=""; [ -n "${POSTGRES_HOST:-}" ] || guarded+=" postgres"; [ -n "${REDIS_HOST:-}" ] || guarded+=" redis"
setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done
  for s in $3; do "$2/scripts/services.sh" stop "$s" --dir "$4/$s" >/dev/null 2>&1 || true; done' \
  cluster-guard "$$" "$ROOT" "$guarded nginx" "$DIR" < /dev/null > /dev/null 2>&1 &
guard=$!

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
# The action server's secret: ACTION_SERVER_SECRET, or .run/action-secret (created once, mode 600), which
# the launcher hands to the action server and to every replica (their endpoints file refers to it).
"$PY" -m advisor.action_server secret >/dev/null || die "fix the action-server secret named above, then run again"
save_replica_env

# 2. One action server, the replicas, the web page.
say "starting the action server on http://127.0.0.1:$ACTION_PORT"
[ -n "${RASA_AUTH_TOKEN:-}" ] || say "the HTTP API token is in $("$PY" -m advisor token) (readable by you only)"
# The launcher keeps it on 127.0.0.1 (ACTION_SERVER_HOST to change that).
supervised actions "the action server" "http://127.0.0.1:$ACTION_PORT/health" \
  "$PY" -m advisor run actions --actions actions --port "$ACTION_PORT"
for i in $(seq 1 "$REPLICAS"); do start_replica "$i" "$MODEL"; done
if [ -f web/serve.py ]; then
  say "starting the web page on http://127.0.0.1:$WEB_PORT"
  supervised web "the web page" "http://127.0.0.1:$WEB_PORT/healthz" \
    "$PY" web/serve.py --host 127.0.0.1 --port "$WEB_PORT" --rasa-url "http://127.0.0.1:$RASA_PORT"
fi

# 3. nginx in front of the replicas.
mkdir -p "$DIR/nginx/tmp"
nginx_conf > "$DIR/nginx.conf"
services+=(nginx)
"$ROOT/scripts/services.sh" start nginx --conf "$DIR/nginx.conf" --dir "$DIR/nginx" || die "nginx could not be started"

wait_healthy "the action server" "http://127.0.0.1:$ACTION_PORT/health" "$DIR/logs/actions.log" "$DIR/pids/actions.pid" 120
for i in $(seq 1 "$REPLICAS"); do
  # ready: the model loaded, PostgreSQL and Redis answering (advisor/operations.py)
  wait_healthy "Rasa replica $i" "http://127.0.0.1:$(replica_port "$i")/ready" "$DIR/logs/rasa-$i.log" "$DIR/pids/rasa-$i.pid" 400
done
[ -f web/serve.py ] && wait_healthy "the web page" "http://127.0.0.1:$WEB_PORT/" "$DIR/logs/web.log" "$DIR/pids/web.pid" 60

# 4. Prometheus, scraping every replica's and the action server's /metrics with their credentials
# (advisor/prometheus_config.py): started when the Debian package is installed, on 127.0.0.1 with a password.
PROM_PORT=${CLUSTER_PROMETHEUS_PORT:-9090}
replica_ports=$(for i in $(seq 1 "$REPLICAS"); do printf '%s,' "$(replica_port "$i")"; done)
if "$PY" -m advisor.prometheus_config --dir "$DIR/prometheus" --replicas "$replica_ports" --actions "$ACTION_PORT" >/dev/null; then
  if command -v prometheus >/dev/null 2>&1; then
    say "starting Prometheus on http://127.0.0.1:$PROM_PORT (user advisor, password in $DIR/prometheus/password)"
    supervised prometheus "Prometheus" "http://127.0.0.1:$PROM_PORT/-/ready" \
      prometheus --config.file="$DIR/prometheus/prometheus.yml" --web.config.file="$DIR/prometheus/web.yml" \
      --storage.tsdb.path="$DIR/prometheus/data" --web.listen-address="127.0.0.1:$PROM_PORT"
  else
    say "Prometheus is not installed: sudo apt-get install prometheus, and make run-cluster starts it with $DIR/prometheus/prometheus.yml (docs/metrics.md)"
  fi
else
  say "no Prometheus configuration (see above); the servers' /metrics answer all the same"
fi
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

# Readiness drives nginx (open-source nginx has no active health checks): every 2 s each replica's /ready
# (model loaded, PostgreSQL and Redis answering; advisor/operations.py) is asked; a replica that is not
# ready is marked down and nginx reloaded (graceful), and put back when it is ready again. When no replica
# is ready (PostgreSQL down for all of them), none is taken out: nginx's own checks decide.
check_readiness() {
  local i not_ready=""
  for i in $(seq 1 "$REPLICAS"); do
    curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(replica_port "$i")/ready" 2>/dev/null || not_ready+="$i "
  done
  not_ready=${not_ready% }
  [ "$(wc -w <<< "$not_ready")" -lt "$REPLICAS" ] || not_ready=""
  [ "$not_ready" != "$NOT_READY" ] || return 0
  NOT_READY=$not_ready
  nginx_conf > "$DIR/nginx.conf"
  "$ROOT/scripts/services.sh" start nginx --conf "$DIR/nginx.conf" --dir "$DIR/nginx" 2>/dev/null \
    || say "nginx could not be reloaded (log: $DIR/nginx/error.log)"
  if [ -n "$NOT_READY" ]; then say "nginx: replica(s) $NOT_READY not ready (/ready): out of rotation until they are"
  else say "nginx: every replica ready, all in rotation"; fi
}

# A crashed server is restarted by its supervisor; one that crashed too often (its supervisor gave up)
# stops everything. A replica that stops otherwise is reported; nginx sends its conversations to the
# others. Everything stops when no replica is left (or on Ctrl-C).
declare -A reported=()
while true; do
  check_readiness
  for f in "$DIR"/pids/*.gave-up; do
    [ -e "$f" ] || continue
    say "$(head -n 1 "$f"): not restarted again; stopping everything (logs: $DIR/logs/)"
    exit 1
  done
  left=0
  for i in $(seq 1 "$REPLICAS"); do
    if alive "$DIR/pids/rasa-$i.pid"; then left=$((left + 1)); reported[$i]=""
    elif [ -z "${reported[$i]:-}" ]; then say "Rasa replica $i stopped (log: $DIR/logs/rasa-$i.log)"; reported[$i]=1; fi
  done
  [ "$left" -gt 0 ] || { say "no Rasa replica left"; exit 1; }
  alive "$DIR/pids/actions.pid" || { say "the action server stopped (log: $DIR/logs/actions.log)"; exit 1; }
  sleep 2
done
