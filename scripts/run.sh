#!/usr/bin/env bash
# `make run`: set up what is missing, train if needed, start the action server, the Rasa server and
# the web page, wait until they answer, print where to chat; Ctrl-C stops everything.
set -euo pipefail
STEP=run
source "$(dirname "$0")/common.sh"
cd "$ROOT"
umask 077  # logs, .run/ and var/ readable by the owner only (common.sh sets it too)

HOST=${ADVISOR_HOST:-127.0.0.1}
RASA_PORT=${RASA_PORT:-5005}
ACTION_PORT=${ACTION_PORT:-5055}
WEB_PORT=${WEB_PORT:-8000}
WEB_ORIGIN=${WEB_ORIGIN:-http://127.0.0.1:$WEB_PORT}
# Browsers may reach the page as localhost or 127.0.0.1: allow both unless the operator sets the list.
export SOCKETIO_CORS_ORIGINS=${SOCKETIO_CORS_ORIGINS:-"$WEB_ORIGIN http://localhost:$WEB_PORT"}


"$ROOT/scripts/setup.sh"
"$PY" -m actions.knowledge_base || die "fix the knowledge base file named above, then run again"
"$ROOT/scripts/train.sh"
MODEL=$(model_path)

mkdir -p .run
# Logs and pid files an older run created with the default umask: made the owner's only (the database is
# made private by the tracker store itself).
chmod 700 .run; find .run -maxdepth 1 -type f -exec chmod 600 {} +
# The HTTP API always requires a token: RASA_AUTH_TOKEN, or one generated once into .run/api-token (mode 600).
# The launcher (python -m advisor) hands it to Rasa in-process: it never appears on a command line.
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
  token_note="the HTTP API token is \$RASA_AUTH_TOKEN"
else
  token_note="the HTTP API token is in $("$PY" -m advisor token) (readable by you only)"
fi
# Workers of the Rasa server: two by default, one per core (issue 23; unset ADVISOR_WORKERS: min(cores, 2)). Rasa
# allows more than one only with a lock store shared by the workers: a Redis from the Debian packages, started
# here under var/redis on 127.0.0.1 (unless REDIS_HOST names one), installed when missing if apt-get may. With
# two workers the web widget talks over a websocket only (channels/socketio.py: one connection, one worker) and
# Slack/Telegram retries are recognised in Redis (channels/common.py). No Redis to be had: one worker, said so.
REDIS_DIR=${ADVISOR_REDIS_DIR:-$ROOT/var/redis}
if [ -n "${ADVISOR_WORKERS:-}" ]; then
  WORKERS=$ADVISOR_WORKERS
  [[ "$WORKERS" =~ ^[1-9]$ ]] || die "ADVISOR_WORKERS=$WORKERS must be a number of workers from 1 to 9"
else
  cores=$(nproc 2>/dev/null || echo 1)
  WORKERS=$(( cores >= 2 ? 2 : 1 ))
  if [ "$WORKERS" -gt 1 ] && [ -z "${REDIS_HOST:-}" ] && ! command -v redis-server >/dev/null 2>&1; then
    say "two workers (both cores) need Redis: installing redis-server from the Debian packages"
    if ! "$ROOT/scripts/services.sh" install redis >&2; then
      WORKERS=1
      say "Redis could not be installed: one worker (one core). Install redis-server, or set ADVISOR_WORKERS=1 to silence this"
    fi
  fi
fi
started_redis=0
guard=""
if [ "$WORKERS" -gt 1 ] && [ -z "${REDIS_HOST:-}" ]; then
  if ! vars=$("$ROOT/scripts/services.sh" start redis --port "${ADVISOR_REDIS_PORT:-6381}" --dir "$REDIS_DIR"); then
    # asked for by name: stop; the default: one worker rather than no advisor (a port taken by another program)
    [ -z "${ADVISOR_WORKERS:-}" ] \
      || die "$WORKERS workers need Redis and it could not be started (see above); ADVISOR_WORKERS=1 runs without"
    WORKERS=1
    say "Redis could not be started (see above; ADVISOR_REDIS_PORT picks another port): one worker (one core)"
  fi
fi
if [ "$WORKERS" -gt 1 ]; then
  if [ -z "${REDIS_HOST:-}" ]; then
    for v in $vars; do export "${v?}"; done
    started_redis=1
    # If this shell is killed outright (kill -9: no trap runs), a guard in a session of its own stops Redis.
    setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; "$2/scripts/services.sh" stop redis --dir "$3"' \
      run-guard "$$" "$ROOT" "$REDIS_DIR" < /dev/null > /dev/null 2>&1 &
    guard=$!
  fi
  export SANIC_WORKERS=$WORKERS
  # /metrics adds up every worker's samples (advisor.metrics.SharedDirectory): each writes its own here
  export ADVISOR_METRICS_DIR=${ADVISOR_METRICS_DIR:-$ROOT/.run/metrics}
  mkdir -p "$ADVISOR_METRICS_DIR" && rm -f "$ADVISOR_METRICS_DIR"/*.json "$ADVISOR_METRICS_DIR"/*.json.tmp  # an earlier run's workers
fi
# Conversations: SQLite under var/ by default; PostgreSQL / Redis when POSTGRES_HOST / REDIS_HOST are set.
"$PY" -m persistence.endpoints --action-url "http://127.0.0.1:$ACTION_PORT/webhook" --out .run/endpoints.yml \
  || die "fix the variable named above, then run again"

# Every server runs under advisor.supervise: a crash is logged (.run/*.log and this terminal) and the
# server restarted (back-off 1 s, doubling up to 30 s); at the 5th crash within 300 s it gives up, and
# then everything stops. A server that stops before it first answered is not restarted.
pids=()
declare -A names=()
cleanup() {
  # A second Ctrl-C (or TERM) while stopping must not cut the clean-up short (issue 23): ignored from here.
  trap '' INT TERM
  trap - EXIT
  say "stopping"
  [ -z "$guard" ] || kill "$guard" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$started_redis" = 1 ]; then "$ROOT/scripts/services.sh" stop redis --dir "$REDIS_DIR" || true; fi
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT
supervise() {  # name log ready-url command...  (the server's pid in .run/<log name>.pid)
  local name=$1 log=$2 ready=$3; shift 3
  : > "$log"
  # --parent: it stops its server by itself if this script is killed outright (kill -9 runs no trap)
  "$PY" -m advisor.supervise --name "$name" --log "$log" --ready-url "$ready" --pidfile "${log%.log}.pid" \
    --parent "$$" -- "$@" &
  pids+=($!); names[$!]=$name
}

say "starting the action server on http://127.0.0.1:$ACTION_PORT"
# The launcher binds it to 127.0.0.1 unless ACTION_SERVER_HOST says otherwise, and both servers take the
# shared secret from ACTION_SERVER_SECRET or .run/action-secret (created here once, mode 600).
"$PY" -m advisor.action_server secret >/dev/null || die "fix the action-server secret named above, then run again"
supervise "the action server" .run/actions.log "http://127.0.0.1:$ACTION_PORT/health" \
  "$PY" -m advisor run actions --actions actions --port "$ACTION_PORT"

read -r -a cors <<< "$SOCKETIO_CORS_ORIGINS"  # split on spaces only: no glob expansion
say "starting the Rasa server on http://$HOST:$RASA_PORT with $WORKERS worker(s) (about a minute); $token_note"
supervise "the Rasa server" .run/rasa.log "http://127.0.0.1:$RASA_PORT/" \
  "$PY" -m advisor run --model "$MODEL" --enable-api --interface "$HOST" --port "$RASA_PORT" \
  --endpoints .run/endpoints.yml --credentials credentials.yml --cors "${cors[@]}"

if [ -f web/serve.py ]; then
  say "starting the web page on http://127.0.0.1:$WEB_PORT"
  supervise "the web page" .run/web.log "http://127.0.0.1:$WEB_PORT/healthz" \
    "$PY" web/serve.py --host 127.0.0.1 --port "$WEB_PORT" --rasa-url "http://127.0.0.1:$RASA_PORT"
fi

wait_for() {  # name url log seconds
  local name=$1 url=$2 log=$3 limit=$4 t=0
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { tail -n 30 "$log" >&2; die "$name stopped while starting (log: $log)"; }
    done
    t=$((t + 1)); [ "$t" -lt "$limit" ] || { tail -n 30 "$log" >&2; die "$name did not answer within $limit s (log: $log)"; }
    sleep 1
  done
}
wait_for "the action server" "http://127.0.0.1:$ACTION_PORT/health" .run/actions.log 120
wait_for "the Rasa server" "http://127.0.0.1:$RASA_PORT/" .run/rasa.log 300
[ -f web/serve.py ] && wait_for "the web page" "http://127.0.0.1:$WEB_PORT/" .run/web.log 60

cat <<TXT

  The CSM/CSPO advisor is running.
    Chat in your browser:  http://127.0.0.1:$WEB_PORT/
    REST channel:          curl -s -X POST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook \\
                             -H 'Content-Type: application/json' -d '{"sender": "me", "message": "what is CSPO?"}'
    HTTP API:              $token_note; send it as Authorization: Bearer <token>
    Logs:                  .run/rasa.log  .run/actions.log  .run/web.log
  Press Ctrl-C to stop.

TXT
status=0; gone=""
wait -n -p gone "${pids[@]}" || status=$?
label="a server"; if [ -n "$gone" ] && [ -n "${names[$gone]:-}" ]; then label=${names[$gone]}; fi
say "$label could not be kept running (supervisor exit status $status; see above and .run/); stopping everything"
exit 1
