#!/bin/bash
# stack.sh - a private PostgreSQL cluster and a private httpd with the built
# module, under a folder of the repo. Used by `make run`, the integration
# and browser tests, and the benchmark; nothing system-wide is touched.
#
#   stack.sh run                   PORT (8080) and RUN_DIR (.run) from the
#                                  environment; serves until Ctrl-C
#   stack.sh up DIR HTTP_PORT      start both (data kept in DIR), write DIR/env
#   stack.sh down DIR              stop both
#   stack.sh pg-up DIR | pg-down DIR | httpd-up DIR PORT | httpd-down DIR
#   stack.sh free-port             print a free TCP port on 127.0.0.1
#
# EXTRA_CONF (a file) is appended to the generated httpd.conf, so tests can
# set directives; PG_OPTS adds postgres -c options.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
APACHE=${APACHE:-/usr/sbin/apache2}

die() { echo "stack: $*" >&2; exit 1; }

# Commands that must not run as root (PostgreSQL refuses to) run as the
# postgres account that Debian's postgresql package creates.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "no free port found"
}

pg_up() {
    local dir=$1 data=$1/pg sock=$1/pgsock port
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$dir" 2>/dev/null || true
        runuser -u postgres -- test -x "$dir" ||
            die "the postgres account cannot reach $dir; clone the repo where other users can traverse (e.g. not under /root)"
    fi
    port=$( [ -f "$dir/pg.port" ] && cat "$dir/pg.port" || true )
    if [ -z "$port" ] || port_in_use "$port"; then port=$(free_port); fi
    echo "$port" > "$dir/pg.port"
    if [ ! -f "$data/PG_VERSION" ]; then
        echo "==> creating PostgreSQL cluster in $data"
        as_pg mkdir -p "$data"
        as_pg "$PGBIN/initdb" -D "$data" -U tasks --auth=trust --encoding=UTF8 \
            --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    as_pg mkdir -p "$sock"
    chmod 755 "$sock" 2>/dev/null || as_pg chmod 755 "$sock"
    # Unix socket only: nothing listens on the network.
    as_pg "$PGBIN/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 30 start \
        -o "-c listen_addresses='' -c unix_socket_directories='$sock' -p $port -c max_connections=200 ${PG_OPTS:-}" >/dev/null ||
        { tail -20 "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
    as_pg "$PGBIN/psql" -X -q -h "$sock" -p "$port" -U tasks -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'tasks'" | grep -q 1 ||
        as_pg "$PGBIN/psql" -X -q -h "$sock" -p "$port" -U tasks -d postgres -c "CREATE DATABASE tasks"
    PATH="$PGBIN:$PATH" as_pg "$ROOT/scripts/migrate.sh" "postgresql:///tasks?host=$sock&port=$port&user=tasks" >/dev/null
    printf 'PGHOST=%s\nPGPORT=%s\nPGUSER=tasks\nPGDATABASE=tasks\n' "$sock" "$port" > "$dir/pg.env"
}

pg_down() {
    local data=$1/pg
    [ -f "$data/postmaster.pid" ] || return 0
    as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

httpd_up() {
    local dir=$1 port=$2 user=""
    # shellcheck disable=SC1091
    . "$dir/pg.env"
    [ -f "$dir/jwt.secret" ] || (umask 077; head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/jwt.secret")
    [ "$(id -u)" = 0 ] && user=$'User www-data\nGroup www-data'
    local extra=""
    [ -n "${EXTRA_CONF:-}" ] && extra=$(cat "$EXTRA_CONF")
    ROOT="$ROOT" RUN="$dir" PORT="$port" PGHOST="$PGHOST" PGPORT="$PGPORT" USERS="$user" EXTRA="$extra" \
        perl -pe 's/\@(ROOT|RUN|PORT|PGHOST|PGPORT)\@/$ENV{$1}/g; s/\@USER\@/$ENV{USERS}/; s/\@EXTRA\@/$ENV{EXTRA}/' \
        "$ROOT/conf/httpd.conf.in" > "$dir/httpd.conf"
    port_in_use "$port" && die "port $port is already in use"
    "$APACHE" -f "$dir/httpd.conf" -k start || { tail -20 "$dir/error.log" >&2 2>/dev/null; die "httpd did not start"; }
    for _ in $(seq 1 100); do
        port_in_use "$port" && break
        sleep 0.1
    done
    port_in_use "$port" || { tail -20 "$dir/error.log" >&2; die "httpd is not listening on $port"; }
    printf 'BASE_URL=http://127.0.0.1:%s\nHTTP_PORT=%s\n' "$port" "$port" > "$dir/env"
    cat "$dir/pg.env" >> "$dir/env"
}

httpd_down() {
    local dir=$1 pid
    [ -f "$dir/httpd.pid" ] || return 0
    pid=$(cat "$dir/httpd.pid")
    "$APACHE" -f "$dir/httpd.conf" -k stop 2>/dev/null || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/httpd.pid"
}

cmd=${1:-}
# Folders are used from several processes (httpd, postgres): make them absolute.
if [ $# -ge 2 ]; then mkdir -p "$2"; set -- "$1" "$(cd "$2" && pwd)" "${@:3}"; fi
case "$cmd" in
    free-port) free_port ;;
    pg-up) pg_up "$2" ;;
    pg-down) pg_down "$2" ;;
    httpd-up) httpd_up "$2" "$3" ;;
    httpd-down) httpd_down "$2" ;;
    up) pg_up "$2"; httpd_up "$2" "$3" ;;
    down) httpd_down "$2"; pg_down "$2" ;;
    run)
        dir=${RUN_DIR:-$ROOT/.run}/dev
        port=${PORT:-8080}
        trap 'echo; echo "==> stopping"; httpd_down "$dir"; pg_down "$dir"; exit 0' INT TERM
        pg_up "$dir"
        httpd_up "$dir" "$port"
        echo "==> mod_tasks is serving on http://127.0.0.1:$port/  (Ctrl-C stops httpd and PostgreSQL)"
        echo "    logs: $dir/error.log $dir/access.log"
        while kill -0 "$(cat "$dir/httpd.pid" 2>/dev/null || echo 0)" 2>/dev/null; do sleep 1 & wait $!; done
        echo "httpd exited; see $dir/error.log" >&2
        pg_down "$dir"; exit 1 ;;
    *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
