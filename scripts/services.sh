#!/usr/bin/env bash
# PostgreSQL, Redis and nginx from the Debian packages, run from a project-local directory (never the
# system-wide services), bound to 127.0.0.1.
#
#   scripts/services.sh install [postgres] [redis] [nginx]        apt-get install what is missing (root or sudo)
#   scripts/services.sh start postgres --port N --dir D [--db NAME] [--user NAME]
#   scripts/services.sh start redis    --port N --dir D
#   scripts/services.sh start nginx    --conf FILE --dir D
#   scripts/services.sh stop  postgres|redis|nginx --dir D
#   scripts/services.sh running postgres|redis|nginx --dir D      exit status 0 when it runs
#
# `start` installs the package when it is missing, creates D on first use (data, log, pid file and a
# generated password, readable by the owner only), waits until the service answers, and prints on
# stdout the variables that reach it, e.g. for Redis:
#   REDIS_HOST=127.0.0.1 REDIS_PORT=N REDIS_PASSWORD=… (use: eval "$(scripts/services.sh start redis …)")
# Everything else goes to stderr. Starting a service that already runs from D only prints the variables.
set -euo pipefail
umask 077  # every file and directory made here (data, logs, pid files, passwords) is the owner's only
say() { printf '\033[1;34m[services]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[services] %s\033[0m\n' "$*" >&2; exit 1; }

package_of() { case $1 in postgres) echo postgresql ;; redis) echo redis-server ;; nginx) echo nginx ;; *) die "unknown service '$1' (postgres, redis or nginx)" ;; esac; }
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
installed() {
  case $1 in
    postgres) [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/postgres" ] ;;
    redis) command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 ;;
    nginx) [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 ;;
  esac
}

install() {
  local missing=() s
  for s in "$@"; do installed "$s" || missing+=("$(package_of "$s")"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "${missing[*]} missing and there is no apt-get here: install them with your system's package manager"
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null \
      || die "${missing[*]} must be installed: run  sudo apt-get install ${missing[*]}  (or run this as root), then try again"
    sudo=(sudo)
  fi
  say "installing ${missing[*]} from the Debian packages"
  # A service the package would start system-wide is not wanted: these run from the project's directory.
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get could not install ${missing[*]}"
}

# As root, PostgreSQL refuses to run: it runs as the package's `postgres` user; otherwise as the caller.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
password_file() {  # dir -> path of a generated secret, created on first use
  local f="$1/password"
  [ -s "$f" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$f")
  echo "$f"
}
wait_until() {  # seconds command...
  local limit=$1 t=0; shift
  until "$@" >/dev/null 2>&1; do t=$((t + 1)); [ "$t" -le "$((limit * 5))" ] || return 1; sleep 0.2; done
}
pid_alive() { [ -s "$1" ] && kill -0 "$(head -n 1 "$1")" 2>/dev/null; }

# --- PostgreSQL -------------------------------------------------------------------------------------
pg_running() { pid_alive "$DIR/data/postmaster.pid"; }
start_postgres() {
  local bin; bin=$(pg_bin)
  mkdir -p "$DIR"; chmod 700 "$DIR"
  local pw; pw=$(password_file "$DIR")
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$DIR"
    # The project creates its folders with umask 077; PostgreSQL runs as `postgres` and must pass through
    # the folders above its own (search only: o+x lets it reach $DIR, not list or read anything else).
    local up; up=$(dirname "$(cd "$DIR" && pwd)")
    while [ "$up" != / ]; do
      if [ "$(stat -c %u "$up")" = 0 ]; then chmod o+x "$up"; fi
      up=$(dirname "$up")
    done
    as_pg test -x "$DIR" || die "the postgres user cannot reach $DIR: let it pass through the directories above (chmod o+x), or choose another --dir"
  fi
  if [ ! -s "$DIR/data/PG_VERSION" ]; then
    say "creating a PostgreSQL cluster in $DIR/data"
    as_pg "$bin/initdb" -D "$DIR/data" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 >"$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    # Only loopback TCP with a password, and a Unix socket inside the data directory (owner only).
    printf 'local all postgres peer\nhost all all 127.0.0.1/32 scram-sha-256\n' > "$DIR/data/pg_hba.conf"
    [ "$(id -u)" = 0 ] && chown postgres: "$DIR/data/pg_hba.conf"
  fi
  if ! pg_running; then
    say "starting PostgreSQL on 127.0.0.1:$PORT (data: $DIR/data)"
    as_pg "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR/data -c max_connections=200" start >&2 \
      || { tail -n 20 "$DIR/postgres.log" >&2; die "PostgreSQL did not start (log: $DIR/postgres.log)"; }
  fi
  # The application's role and database (idempotent). The SQL, which holds the password, goes to psql on
  # its standard input (printf is a shell builtin): never on a command line, where `ps` would show it, and
  # never in the server's log (no statement logging, not even of a failing statement, for this session).
  local sql="SET log_statement = 'none'; SET log_min_error_statement = 'panic';
DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN CREATE ROLE \"$DB_USER\" LOGIN; END IF; END \$\$;
ALTER ROLE \"$DB_USER\" PASSWORD '$(cat "$pw")';"
  printf '%s\n' "$sql" | as_pg "$bin/psql" -h "$DIR/data" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q -f - >&2
  as_pg "$bin/psql" -h "$DIR/data" -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1 \
    || as_pg "$bin/createdb" -h "$DIR/data" -p "$PORT" -U postgres -O "$DB_USER" "$DB_NAME" >&2
  echo "POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=$PORT POSTGRES_DB=$DB_NAME POSTGRES_USER=$DB_USER POSTGRES_PASSWORD=$(cat "$pw")"
}
stop_postgres() {
  pg_running || return 0
  say "stopping PostgreSQL ($DIR/data)"
  as_pg "$(pg_bin)/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >&2
}

# --- Redis ------------------------------------------------------------------------------------------
start_redis() {
  mkdir -p "$DIR"; chmod 700 "$DIR"
  local pw; pw=$(password_file "$DIR")
  if ! pid_alive "$DIR/redis.pid"; then
    say "starting Redis on 127.0.0.1:$PORT (dir: $DIR)"
    # Locks only: nothing is written to disk. The password comes from a config file, not the command line.
    (umask 077; printf 'bind 127.0.0.1\nport %s\nprotected-mode yes\ndir %s\npidfile %s\nlogfile %s\ndaemonize yes\nsave ""\nappendonly no\nrequirepass %s\n' \
      "$PORT" "$DIR" "$DIR/redis.pid" "$DIR/redis.log" "$(cat "$pw")" > "$DIR/redis.conf")
    redis-server "$DIR/redis.conf" >&2 || die "Redis did not start (log: $DIR/redis.log)"
  fi
  REDISCLI_AUTH=$(cat "$pw") wait_until 30 redis-cli -h 127.0.0.1 -p "$PORT" ping \
    || die "Redis does not answer on 127.0.0.1:$PORT (log: $DIR/redis.log)"
  echo "REDIS_HOST=127.0.0.1 REDIS_PORT=$PORT REDIS_PASSWORD=$(cat "$pw")"
}
stop_pidfile() {  # name pidfile
  pid_alive "$2" || return 0
  local pid; pid=$(head -n 1 "$2")
  say "stopping $1 (pid $pid)"
  kill "$pid" 2>/dev/null || true
  wait_until 30 bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
}

# --- nginx ------------------------------------------------------------------------------------------
nginx_bin() { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx || command -v nginx; }
start_nginx() {
  [ -n "$CONF" ] && [ -f "$CONF" ] || die "start nginx needs --conf FILE"
  mkdir -p "$DIR"; chmod 700 "$DIR"
  local globals="pid $DIR/nginx.pid; error_log $DIR/error.log warn;"
  "$(nginx_bin)" -t -q -p "$DIR" -c "$CONF" -g "$globals" 2>&1 >&2 | grep -v '^$' >&2 || true
  "$(nginx_bin)" -t -q -p "$DIR" -c "$CONF" -g "$globals" >/dev/null 2>&1 || die "nginx rejects $CONF (see above)"
  if pid_alive "$DIR/nginx.pid"; then
    say "reloading nginx"
    "$(nginx_bin)" -p "$DIR" -c "$CONF" -g "$globals" -s reload >&2
  else
    say "starting nginx ($CONF)"
    "$(nginx_bin)" -p "$DIR" -c "$CONF" -g "$globals" >&2 || die "nginx did not start (log: $DIR/error.log)"
  fi
}

ACTION=${1:-}; SERVICE=${2:-}
[ $# -ge 1 ] && shift; [ $# -ge 1 ] && shift
PORT=""; DIR=""; CONF=""; DB_NAME=advisor; DB_USER=advisor
if [ "$ACTION" = install ]; then install "$SERVICE" "$@"; exit 0; fi
while [ $# -gt 0 ]; do
  case $1 in
    --port) PORT=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    --conf) CONF=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --db) DB_NAME=$2; shift 2 ;;
    --user) DB_USER=$2; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
package_of "$SERVICE" >/dev/null
[ -n "$DIR" ] || die "--dir is required"
mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
[[ "$DB_NAME$DB_USER" =~ ^[A-Za-z0-9_]+$ ]] || die "--db and --user: letters, digits and _ only"
case $ACTION in
  start)
    [ "$SERVICE" = nginx ] || [[ "$PORT" =~ ^[0-9]+$ ]] || die "start $SERVICE needs --port N"
    install "$SERVICE"
    "start_$SERVICE" ;;
  stop)
    case $SERVICE in
      postgres) stop_postgres ;;
      redis) stop_pidfile Redis "$DIR/redis.pid" ;;
      nginx) stop_pidfile nginx "$DIR/nginx.pid" ;;
    esac ;;
  running)
    case $SERVICE in
      postgres) pg_running ;;
      redis) pid_alive "$DIR/redis.pid" ;;
      nginx) pid_alive "$DIR/nginx.pid" ;;
    esac ;;
  *) die "usage: scripts/services.sh install|start|stop|running postgres|redis|nginx --dir D [--port N] [--conf FILE]" ;;
esac
