#!/bin/bash
# stack.sh - a private PostgreSQL cluster and a private httpd with the built
# module, under a folder of the repo. Used by `make run`, the integration
# and browser tests, and the benchmark; nothing system-wide is touched.
#
#   stack.sh run                   PORT (8080) and RUN_DIR (.run) from the
#                                  environment; serves until Ctrl-C
#   stack.sh up DIR HTTP_PORT      start both (data kept in DIR), write DIR/env
#   stack.sh down DIR              stop both
#   stack.sh destroy DIR           stop both and remove DIR with its data
#   stack.sh pg-up DIR | pg-down DIR | httpd-up DIR PORT | httpd-down DIR
#   stack.sh pg-restart DIR        pg_ctl restart -m fast (the faults suite)
#   stack.sh pg-crash DIR          SIGKILL the postmaster, then whatever of
#                                  its backends outlives it (a power cut,
#                                  as far as the clients can tell); pg-up
#                                  starts it again, through crash recovery
#   stack.sh httpd-graceful DIR    graceful restart (the parent reads the
#                                  configuration again); returns once the
#                                  new generation serves
#   stack.sh pooler-up DIR MODE    a PgBouncer (pool_mode MODE: session or
#                                  transaction) in front of DIR's cluster;
#                                  httpd-up then connects through it
#   stack.sh pooler-down DIR       stop it
#   stack.sh free-port             print a free TCP port on 127.0.0.1
#   stack.sh service-dir DIR       a folder of DIR's stack that httpd's
#                                  children and postgres can read
#
# EXTRA_CONF (a file) is appended to the generated httpd.conf, so tests can
# set directives; TASKS_AT=vhosts leaves conf/tasks.conf out of the server
# level, for an EXTRA_CONF that includes it inside virtual hosts; PG_OPTS
# adds postgres -c options; MODULE loads another build of the module (make
# bench-compare); MIGRATE migrates with another command (make test-package).
# PG_TLS=1: the cluster also listens on 127.0.0.1 with TLS only, with a
# certificate from a CA made here (pg.env: PGTLS_PORT, PGTLS_CA, and
# PGTLS_OTHER_CA, a CA that did not sign it). POOLER=session|transaction
# (up): PgBouncer between httpd and the cluster, and TasksDBPooling to
# match.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
APACHE=${APACHE:-/usr/sbin/apache2}

die() { echo "stack: $*" >&2; exit 1; }

# Commands that must not run as root (PostgreSQL refuses to) run as the
# postgres account that Debian's postgresql package creates.
as_pg() {
    if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port nobody listens on, below the kernel's range for outgoing
# connections: a port in that range may be the local end of some client's
# connection at the moment httpd binds it (EADDRINUSE), which no probe of
# listeners can see.
free_port() {
    local p low=32768 high span
    read -r low high < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
    span=$(( low - 20000 ))
    [ "$span" -ge 1000 ] || { low=65535; span=$(( 65535 - 20000 )); }
    for _ in $(seq 1 200); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % span ))
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "no free port found"
}

# Where the cluster of folder $1 lives: inside it, unless (as root) the
# postgres account cannot reach the checkout (e.g. one under a 0700 home):
# then in a folder of its own under /var/tmp, recorded in $1/pg.root.
pg_root() {
    local dir=$1
    if [ -f "$dir/pg.root" ]; then cat "$dir/pg.root"; return; fi
    if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
        local alt
        alt=/var/tmp/mod_tasks-$(printf '%s' "$dir" | md5sum | cut -c1-16)
        mkdir -p "$alt" && chown postgres: "$alt" && chmod 755 "$alt"
        echo "stack: postgres cannot reach $dir; keeping the cluster in $alt" >&2
        echo "$alt" > "$dir/pg.root"
        echo "$alt"
        return
    fi
    echo "$dir"
}

# The roles of the private cluster, as the README's "Database and
# migrations" sets them up for production: "tasks", initdb's superuser, is
# the administrator (the tests and the benchmark seed and inspect as it);
# tasks_owner owns the database and every object of the schema and runs
# the migrations; tasks_app is the role httpd connects as: no superuser,
# owns nothing, holds only sql/grants.sql's privileges, and logs in with a
# password (scram-sha-256, the pg_hba.conf line of the README). The others
# are trusted: the cluster listens on a Unix socket of its folder only.
OWNER_ROLE=tasks_owner
APP_ROLE=tasks_app

pg_up() {
    local dir=$1 base data sock port pw
    mkdir -p "$dir"
    base=$(pg_root "$dir")
    data=$base/pg
    sock=$base/pgsock
    if [ "$(id -u)" = 0 ] && [ "$base" = "$dir" ]; then
        chown postgres: "$dir" 2>/dev/null || true
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
    as_pg tee "$data/pg_hba.conf" >/dev/null <<HBA
# Written by scripts/stack.sh at every start. The runtime role as in
# production (README, "Database and migrations"); the rest trusted.
local   tasks   $APP_ROLE   scram-sha-256
local   all     $APP_ROLE   reject
local   all     all         trust
HBA
    # The runtime role's password: made once, kept with the stack (httpd
    # keeps using it across restarts of PostgreSQL).
    [ -s "$dir/db.password" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/db.password")
    pw=$(cat "$dir/db.password")
    as_pg mkdir -p "$sock"
    chmod 755 "$sock" 2>/dev/null || as_pg chmod 755 "$sock"
    # A Unix socket only (nothing listens on the network), unless PG_TLS:
    # then 127.0.0.1 too, TLS only.
    local listen="''" tls_opts=""
    # Once asked for, kept: later pg-up (the tests' restarts) serve TLS too.
    [ "${PG_TLS:-}" = 1 ] && touch "$dir/pg.tls"
    if [ -f "$dir/pg.tls" ]; then
        pg_tls "$base"
        listen=127.0.0.1
        tls_opts="-c ssl=on -c ssl_cert_file=$base/tls/server.crt -c ssl_key_file=$base/tls/server.key"
        as_pg tee -a "$data/pg_hba.conf" >/dev/null <<HBA
hostssl tasks   $APP_ROLE   127.0.0.1/32 scram-sha-256
hostnossl all   all         all          reject
HBA
    fi
    as_pg "$PGBIN/pg_ctl" -D "$data" -l "$base/postgres.log" -w -t 30 start \
        -o "-c listen_addresses=$listen -c unix_socket_directories='$sock' -p $port -c max_connections=200 $tls_opts ${PG_OPTS:-}" >/dev/null ||
        { tail -20 "$base/postgres.log" >&2; die "PostgreSQL did not start"; }
    # Clients connect over the socket (trust for the private cluster), so
    # they need not run as postgres. The roles and the database, as the
    # README's commands make them; a database made before the two roles
    # (everything owned by the superuser) is handed to the owner.
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U tasks -d postgres \
        -v owner="$OWNER_ROLE" -v app="$APP_ROLE" -v pw="$pw" >/dev/null <<'SQL' || die "cannot set up the roles and the database"
SELECT format('CREATE ROLE %I LOGIN', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec
ALTER ROLE :"app" PASSWORD :'pw';
SELECT format('CREATE DATABASE tasks OWNER %I ENCODING ''UTF8'' LOCALE ''C.UTF-8'' TEMPLATE template0', :'owner')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'tasks') \gexec
ALTER DATABASE tasks OWNER TO :"owner";
REVOKE ALL ON DATABASE tasks FROM PUBLIC;
\connect tasks
SELECT set_config('stack.owner', :'owner', false) \g /dev/null
DO $$
DECLARE
    cmd text;
BEGIN
    FOR cmd IN
        SELECT format('ALTER %s %s OWNER TO %I', CASE c.relkind WHEN 'S' THEN 'SEQUENCE'
                      WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, c.oid::regclass,
                      current_setting('stack.owner'))
          FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = 'tasks'::regrole
           AND c.relkind IN ('r', 'p', 'v', 'S')
           -- a table's identity or serial sequence follows its table
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                           AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
        UNION ALL
        SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure,
                      current_setting('stack.owner'))
          FROM pg_proc p
         WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = 'tasks'::regrole
    LOOP
        EXECUTE cmd;
    END LOOP;
END $$;
SQL
    # MIGRATE: another admin command taking the same arguments (the
    # package test runs the installed /usr/sbin/mod-tasks through one).
    PATH="$PGBIN:$PATH" "${MIGRATE:-$ROOT/scripts/migrate.sh}" --grant-to "$APP_ROLE" \
        "postgresql:///tasks?host=$sock&port=$port&user=$OWNER_ROLE" >/dev/null
    printf 'PGHOST=%s\nPGPORT=%s\nPGUSER=tasks\nPGDATABASE=tasks\nTASKS_DB_OWNER=%s\nTASKS_DB_USER=%s\nTASKS_DB_PASSWORD=%s\n' \
        "$sock" "$port" "$OWNER_ROLE" "$APP_ROLE" "$pw" > "$dir/pg.env"
    if [ -f "$dir/pg.tls" ]; then
        printf 'PGTLS_PORT=%s\nPGTLS_CA=%s\nPGTLS_OTHER_CA=%s\n' "$port" \
            "$base/tls/ca.crt" "$base/tls/other-ca.crt" >> "$dir/pg.env"
    fi
}

# The cluster's TLS certificate (for 127.0.0.1, by IP address), signed by
# a CA made here, and a second CA that signed nothing: made once per
# cluster, in $1/tls, where httpd's children can read the CAs.
pg_tls() {
    local t=$1/tls
    [ -f "$t/server.crt" ] && return 0
    mkdir -p "$t"
    (
        cd "$t"
        for ca in ca other-ca; do
            openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=mod_tasks test $ca" \
                -keyout "$ca.key" -out "$ca.crt" 2>/dev/null
        done
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
            -keyout server.key -out server.csr 2>/dev/null
        printf 'subjectAltName=IP:127.0.0.1\n' > server.ext
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
            -days 30 -extfile server.ext -out server.crt 2>/dev/null
        rm -f server.csr server.ext ca.key other-ca.key ca.srl
    ) || die "cannot make the TLS certificates"
    chmod 755 "$t"; chmod 644 "$t"/*.crt; chmod 600 "$t/server.key"
    [ "$(id -u)" = 0 ] && chown postgres: "$t/server.key"
    return 0
}

# PgBouncer (pool_mode $2) on a free port of 127.0.0.1, in front of the
# cluster's socket, authenticating the runtime role itself (SCRAM, with
# the password from its auth_file) and logging in to PostgreSQL with it.
# Tight waits, so that a stopped PostgreSQL is an error within seconds
# (not after query_wait_timeout's default 120 s) and a restarted one is
# found again within a second. Runs as postgres (it refuses root).
pooler_up() {
    local dir=$1 mode=$2 base port
    case "$mode" in session|transaction) ;; *) die "pooler mode must be session or transaction" ;; esac
    # shellcheck disable=SC1091
    . "$dir/pg.env"
    base=$(pg_root "$dir")
    port=$(free_port)
    as_pg tee "$base/pgbouncer.users" >/dev/null <<USERS
"$TASKS_DB_USER" "$TASKS_DB_PASSWORD"
USERS
    chmod 600 "$base/pgbouncer.users" 2>/dev/null || as_pg chmod 600 "$base/pgbouncer.users"
    as_pg tee "$base/pgbouncer.ini" >/dev/null <<INI
[databases]
tasks = host=$PGHOST port=$PGPORT dbname=tasks
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $base/pgbouncer.users
pool_mode = $mode
max_client_conn = 400
default_pool_size = 40
server_login_retry = 1
query_wait_timeout = 5
server_connect_timeout = 3
logfile = $base/pgbouncer.log
pidfile = $base/pgbouncer.pid
INI
    as_pg /usr/sbin/pgbouncer -d -q "$base/pgbouncer.ini" ||
        { tail -20 "$base/pgbouncer.log" >&2; die "PgBouncer did not start"; }
    for _ in $(seq 1 50); do port_in_use "$port" && break; sleep 0.1; done
    port_in_use "$port" || { tail -20 "$base/pgbouncer.log" >&2; die "PgBouncer is not listening on $port"; }
    printf 'POOLER_HOST=127.0.0.1\nPOOLER_PORT=%s\nPOOLER_MODE=%s\n' "$port" "$mode" > "$dir/pooler.env"
}

pooler_down() {
    local pidf pid
    pidf=$(pg_root "$1")/pgbouncer.pid
    rm -f "$1/pooler.env"
    [ -f "$pidf" ] || return 0
    pid=$(cat "$pidf")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

pg_down() {
    local data
    data=$(pg_root "$1")/pg
    [ -f "$data/postmaster.pid" ] || return 0
    as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

pg_restart() {
    local data
    data=$(pg_root "$1")/pg
    as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w -t 30 restart >/dev/null 2>&1 ||
        { tail -20 "$(pg_root "$1")/postgres.log" >&2; die "PostgreSQL did not restart"; }
}

pg_crash() {
    local data pid
    data=$(pg_root "$1")/pg
    [ -f "$data/postmaster.pid" ] || die "PostgreSQL is not running in $1"
    pid=$(head -n 1 "$data/postmaster.pid")
    # pg_ctl starts the postmaster in a session and process group of its
    # own, which its backends share: the group dies at once (a postmaster
    # killed alone leaves backends that hold its shared memory, and a new
    # one refuses to start until they notice and exit).
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        pgrep -g "$pid" >/dev/null 2>&1 || break
        sleep 0.05
    done
}

httpd_up() {
    local dir=$1 port=$2 user=""
    # shellcheck disable=SC1091
    . "$dir/pg.env"
    [ -f "$dir/jwt.secret" ] || (umask 077; head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/jwt.secret")
    local htdocs="$ROOT/htdocs"
    if [ "$(id -u)" = 0 ]; then
        user=$'User www-data\nGroup www-data'
        # The children must read the app; from a checkout they cannot
        # reach, serve a copy kept next to the cluster.
        if ! runuser -u www-data -- test -r "$htdocs/index.html" 2>/dev/null; then
            htdocs=$(pg_root "$dir")/htdocs
            rm -rf "$htdocs" && cp -r "$ROOT/htdocs" "$htdocs" && chmod -R a+rX "$htdocs"
        fi
    fi
    local extra="" include="Include $ROOT/conf/tasks.conf"
    [ -n "${EXTRA_CONF:-}" ] && extra=$(cat "$EXTRA_CONF")
    case "${TASKS_AT:-server}" in
        server) ;;
        vhosts) include="# (TASKS_AT=vhosts: the virtual hosts below include it)" ;;
        *) die "TASKS_AT must be server or vhosts" ;;
    esac
    # httpd connects as the runtime role (TASKS_DB_USER of pg.env), to the
    # cluster or through the stack's PgBouncer (pooler.env).
    local dbhost=$PGHOST dbport=$PGPORT pooling=session
    if [ -f "$dir/pooler.env" ]; then
        # shellcheck disable=SC1091
        . "$dir/pooler.env"
        dbhost=$POOLER_HOST dbport=$POOLER_PORT pooling=$POOLER_MODE
    fi
    ROOT="$ROOT" RUN="$dir" HTDOCS="$htdocs" PORT="$port" PGHOST="$dbhost" PGPORT="$dbport" USERS="$user" EXTRA="$extra" \
        DBUSER="$TASKS_DB_USER" DBPASSWORD="$TASKS_DB_PASSWORD" INCLUDE="$include" MODULE="${MODULE:-$ROOT/.libs/mod_tasks.so}" \
        POOLING="$pooling" \
        perl -pe 's/\@(ROOT|RUN|HTDOCS|PORT|PGHOST|PGPORT|DBUSER|DBPASSWORD|MODULE|POOLING)\@/$ENV{$1}/g; s/\@USER\@/$ENV{USERS}/; s/\@TASKS_INCLUDE\@/$ENV{INCLUDE}/; s/\@EXTRA\@/$ENV{EXTRA}/' \
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

# httpd logs this notice (notices are logged at any LogLevel) when a
# generation of children has been started.
httpd_generations() {
    local n
    n=$(grep -c 'resuming normal operations' "$1/error.log" 2>/dev/null) || true
    echo "${n:-0}"
}

httpd_graceful() {
    local dir=$1 before
    [ -f "$dir/httpd.pid" ] || die "httpd is not running in $dir"
    before=$(httpd_generations "$dir")
    "$APACHE" -f "$dir/httpd.conf" -k graceful
    for _ in $(seq 1 150); do
        [ "$(httpd_generations "$dir")" -gt "$before" ] && return 0
        sleep 0.1
    done
    tail -20 "$dir/error.log" >&2
    die "httpd did not come back from a graceful restart"
}

cmd=${1:-}
# Folders are used from several processes (httpd, postgres): make them absolute.
if [ $# -ge 2 ]; then mkdir -p "$2"; set -- "$1" "$(cd "$2" && pwd)" "${@:3}"; fi
case "$cmd" in
    free-port) free_port ;;
    service-dir) pg_root "$2" ;;  # a folder of DIR's stack the service accounts can read
    pg-up) pg_up "$2" ;;
    pg-down) pg_down "$2" ;;
    pg-restart) pg_restart "$2" ;;
    pg-crash) pg_crash "$2" ;;
    httpd-up) httpd_up "$2" "$3" ;;
    httpd-down) httpd_down "$2" ;;
    httpd-graceful) httpd_graceful "$2" ;;
    pooler-up) pooler_up "$2" "$3" ;;
    pooler-down) pooler_down "$2" ;;
    up) pg_up "$2"; [ -n "${POOLER:-}" ] && pooler_up "$2" "$POOLER"; httpd_up "$2" "$3" ;;
    down) httpd_down "$2"; pooler_down "$2"; pg_down "$2" ;;
    destroy)  # down, then remove the folder (and a cluster kept elsewhere)
        httpd_down "$2"; pooler_down "$2"; pg_down "$2"
        [ -f "$2/pg.root" ] && rm -rf "$(cat "$2/pg.root")"
        rm -rf "$2" ;;
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
    *) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0" >&2; exit 2 ;;
esac
