#!/bin/bash
# The entrypoint of the PostgreSQL, Redis and nginx images (deploy/containers/services.Containerfile).
#   service-entrypoint            start $SERVICE (postgres, redis or nginx) in the foreground
#   service-entrypoint health     the HEALTHCHECK
# Passwords come from POSTGRES_PASSWORD_FILE / REDIS_PASSWORD_FILE (or POSTGRES_PASSWORD / REDIS_PASSWORD),
# never from the image and never on a command line.
set -euo pipefail
umask 077
die() { echo "service-entrypoint: $*" >&2; exit 2; }
secret() {  # NAME: the value of NAME, or of the file NAME_FILE names
  local file_var="$1_FILE"
  if [ -n "${!file_var:-}" ]; then
    [ -r "${!file_var}" ] || die "$file_var=${!file_var} cannot be read by uid $(id -u) (docs/containers.md, Secrets)"
    cat "${!file_var}"
  elif [ -n "${!1:-}" ]; then printf '%s' "${!1}"
  else die "set $1_FILE (or $1)"; fi
}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)

# nginx: where each Rasa replica is now (the watch loop below; `service-entrypoint addresses` prints it once)
export CLUSTER_UPSTREAM_HOST=${CLUSTER_UPSTREAM_HOST:-rasa-%d}
count=${CLUSTER_REPLICAS:-2}
hosts=$(seq -f "${CLUSTER_UPSTREAM_HOST//%d/%g}" 1 "$count" | tr '\n' ' ')
declare -A last=()
replicas=${ADVISOR_REPLICAS_DIR:-/var/lib/advisor-replicas} base_port=${CLUSTER_REPLICA_BASE_PORT:-5011}
addresses() {  # host=address ...: the address each replica wrote at its start (compose.yml's `replicas`
  # volume, named by its port), else its name looked up. A name that does not resolve now (its container
  # stopped, or the DNS service busy) keeps its last address: nginx's own checks skip it while it fails.
  local h ip i=0
  for h in $hosts; do
    i=$((i + 1)) ip=""
    if [ -r "$replicas/$((base_port + i - 1))" ]; then
      ip=$(head -c 40 "$replicas/$((base_port + i - 1))" | tr -d '[:space:]')
      [[ $ip =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || ip=""
    fi
    # not found: exit status 2. At most 2 s, one try: a stopped container's name is not podman's any
    # more, and its DNS service may pass the question on to resolvers that never answer; the loop must
    # not wait on them while a restarted replica has its new address.
    [ -n "$ip" ] || ip=$(RES_OPTIONS="timeout:1 attempts:1" timeout 2 getent ahostsv4 "$h" 2>/dev/null \
                           | awk 'NR == 1 { print $1 }') || ip=""
    [ -z "$ip" ] || last[$h]=$ip
    printf '%s=%s ' "$h" "${last[$h]:-}"
  done
}
if [ "${1:-}" = addresses ]; then addresses; echo; exit 0; fi

if [ "${1:-}" = health ]; then
  case $SERVICE in
    postgres) exec "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p 5432 ;;
    redis) REDISCLI_AUTH=$(secret REDIS_PASSWORD) redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG; exit ;;
    nginx) exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080' ;;
  esac
fi

case $SERVICE in
  postgres)
    db=${POSTGRES_DB:-advisor} user=${POSTGRES_USER:-advisor}
    [[ "$db$user" =~ ^[A-Za-z0-9_]+$ ]] || die "POSTGRES_DB and POSTGRES_USER: letters, digits and _ only"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      pw=$(secret POSTGRES_PASSWORD)
      echo "service-entrypoint: creating the PostgreSQL cluster in $PGDATA" >&2
      "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 >/dev/null
      # the application's role with a password over the container network; the superuser only locally
      # (the container's user, uid 10001, is the superuser `postgres` over the local socket only)
      printf 'local all postgres peer map=container\nhost all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' > "$PGDATA/pg_hba.conf"
      printf 'container %s postgres\n' "$(id -un)" > "$PGDATA/pg_ident.conf"
      "$PG_BIN/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -k /tmp" -w -t 60 start >/dev/null
      # The SQL, which holds the password, on psql's standard input: never on a command line, never logged.
      printf "SET log_statement = 'none'; SET log_min_error_statement = 'panic';\nCREATE ROLE \"%s\" LOGIN PASSWORD '%s';\nCREATE DATABASE \"%s\" OWNER \"%s\";\n" \
        "$user" "${pw//\'/\'\'}" "$db" "$user" | "$PG_BIN/psql" -h /tmp -U postgres -d postgres -v ON_ERROR_STOP=1 -q -f -
      "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
    fi
    exec "$PG_BIN/postgres" -D "$PGDATA" -c listen_addresses='*' -c max_connections=200 -k /tmp ;;
  redis)
    # Locks only: nothing is written to disk. The password comes from a private config file.
    conf=$(mktemp /tmp/redis.XXXXXX.conf)
    printf 'bind 0.0.0.0\nport 6379\nprotected-mode yes\ndir /tmp\nsave ""\nappendonly no\nrequirepass "%s"\n' \
      "$(secret REDIS_PASSWORD | sed 's/["\\]/\\&/g')" > "$conf"
    exec redis-server "$conf" ;;
  nginx)
    # The same configuration as `make run-cluster` (scripts/cluster.sh nginx-conf): sticky routing per
    # conversation, the chat rate limit (CLUSTER_CHAT_RATE, CLUSTER_CHAT_BURST), CLUSTER_REPLICAS replicas
    # at CLUSTER_UPSTREAM_HOST (rasa-1, rasa-2 ...) on CLUSTER_REPLICA_BASE_PORT + i - 1; with each
    # replica's current address in place of its name. nginx would resolve a name only when it loads its
    # configuration, and refuse to start while one replica is missing; so every 2 s the names are looked
    # up and, when an address changed, the configuration is written again and nginx reloaded (graceful), as
    # `make run-cluster`'s watch loop does. A replica whose name never resolved (its container has not
    # started yet) is marked down until it does.
    mkdir -p "$CLUSTER_DIR/nginx/tmp"
    export CLUSTER_NGINX_LISTEN=${CLUSTER_NGINX_LISTEN:-0.0.0.0:8080}
    render() {  # addresses -> nginx.conf
      local conf pair host ip
      conf=$(/opt/advisor/scripts/cluster.sh nginx-conf) || return 1
      for pair in $1; do
        host=${pair%%=*} ip=${pair#*=}
        if [ -n "$ip" ]; then conf=${conf//"server $host:"/"server $ip:"}
        else conf=$(sed -E "s/server $host:([0-9]+) (.*);/server 127.0.0.1:\1 \2 down;/" <<< "$conf"); fi
      done
      printf '%s\n' "$conf" > "$CLUSTER_DIR/nginx.conf"
    }
    run_nginx() { local g=$1; shift; nginx -e stderr -p "$CLUSTER_DIR/nginx" -c "$CLUSTER_DIR/nginx.conf" -g "pid $CLUSTER_DIR/nginx.pid; $g" "$@"; }
    addresses > "$CLUSTER_DIR/addresses"
    known=$(cat "$CLUSTER_DIR/addresses")
    render "$known" || die "scripts/cluster.sh nginx-conf failed"
    run_nginx "daemon off; error_log stderr crit;" &
    nginx_pid=$!
    trap 'kill -QUIT "$nginx_pid" 2>/dev/null; wait "$nginx_pid"; exit 0' TERM INT
    while kill -0 "$nginx_pid" 2>/dev/null; do
      sleep 2 & wait $!
      addresses > "$CLUSTER_DIR/addresses"  # not $(…): the subshell would lose what `last` learns
      now=$(cat "$CLUSTER_DIR/addresses")
      [ "$now" != "$known" ] || continue
      echo "service-entrypoint: replicas now at ${now}: reloading nginx" >&2
      if render "$now" && run_nginx "" -s reload; then known=$now; fi
    done
    wait "$nginx_pid" ;;
  *) die "SERVICE must be postgres, redis or nginx" ;;
esac
