#!/bin/bash
# run.sh - integration tests: builds the Check + libcurl test program,
# starts a private PostgreSQL and httpd (with the built module) on free
# ports, runs every suite against them over HTTP, and always tears the
# stack down, also on failure or Ctrl-C.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

mkdir -p build
BIN="build/integration_tests.$$"
cc -std=gnu11 -g -O1 -Wall -Wextra -Werror -Iinclude -Itests/integration \
   $(pkg-config --cflags apr-1 jansson libcurl check) \
   -o "$BIN" tests/integration/*.c \
   $(pkg-config --libs apr-1 jansson libcurl check) -lcrypto
# The store's statements, listed through its own interface (plan test).
cc -std=gnu11 -Wall -Wextra -Werror -Iinclude \
   $(pkg-config --cflags apr-1 apr-util-1) -o build/store_statements \
   tests/tools/store_statements.c src/store/statements.c

STACK_DIR="$ROOT/.run/it-$$"
# The module every httpd of the run loads, and the httpd binary (stack.sh
# and the tests read both).
export MODULE="${MODULE:-$ROOT/.libs/mod_tasks.so}" APACHE="${APACHE:-/usr/sbin/apache2}"
BA_PID=
SITES=
COLD_PID=
NODE_B=
cleanup() {
    [ -n "$BA_PID" ] && kill "$BA_PID" 2>/dev/null || true
    [ -n "$COLD_PID" ] && kill "$COLD_PID" 2>/dev/null || true
    [ -n "$NODE_B" ] && scripts/stack.sh httpd-down "$NODE_B" >/dev/null 2>&1 || true
    for site in $SITES; do
        # One still starting writes its pid file in a moment.
        for _ in $(seq 1 50); do [ -f "$STACK_DIR/$site.pid" ] && break; sleep 0.1; done
        "$APACHE" -f "$STACK_DIR/$site.conf" -k stop 2>/dev/null || true
    done
    rm -f "$BIN"
    if [ "${KEEP_STACK:-}" = 1 ]; then
        scripts/stack.sh down "$STACK_DIR" >/dev/null 2>&1 || true
    else
        scripts/stack.sh destroy "$STACK_DIR" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(scripts/stack.sh free-port)
PORT2=$(scripts/stack.sh free-port)
while [ "$PORT2" = "$PORT" ]; do PORT2=$(scripts/stack.sh free-port); done
mkdir -p "$STACK_DIR"

# Identity from outside: two real Better Auth servers (EdDSA and ES256
# keys; tests/integration/betterauth/server.mjs) on loopback ports, a
# third port behind HTTP Basic with TasksTrustRemoteUser, and an issuer
# whose JWKS URL is down from the start.
new_port() {
    local p
    while :; do
        p=$(scripts/stack.sh free-port)
        case " $USED_PORTS " in *" $p "*) ;; *) USED_PORTS="$USED_PORTS $p"; echo "$p"; return;; esac
    done
}
USED_PORTS="$PORT $PORT2"
BA1_PORT=$(new_port); USED_PORTS="$USED_PORTS $BA1_PORT"
BA2_PORT=$(new_port); USED_PORTS="$USED_PORTS $BA2_PORT"
PORT3=$(new_port); USED_PORTS="$USED_PORTS $PORT3"
PORT4=$(new_port); USED_PORTS="$USED_PORTS $PORT4"
PORT5=$(new_port); USED_PORTS="$USED_PORTS $PORT5"
DEAD_PORT=$(new_port); USED_PORTS="$USED_PORTS $DEAD_PORT"
PLAIN_PORT=$(new_port); USED_PORTS="$USED_PORTS $PLAIN_PORT"
WITH_PORT=$(new_port); USED_PORTS="$USED_PORTS $WITH_PORT"
PREFIX_PORT=$(new_port); USED_PORTS="$USED_PORTS $PREFIX_PORT"
SERVING_PORT=$(new_port)
BA_DIR=tests/integration/betterauth
[ -d "$BA_DIR/node_modules/better-auth" ] ||
    (cd "$BA_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
node "$BA_DIR/server.mjs" "$BA1_PORT" "$BA2_PORT" > "$STACK_DIR/betterauth.log" 2>&1 &
BA_PID=$!
for _ in $(seq 1 100); do grep -q ready "$STACK_DIR/betterauth.log" && break; sleep 0.1; done
grep -q ready "$STACK_DIR/betterauth.log" || { cat "$STACK_DIR/betterauth.log"; echo "Better Auth did not start" >&2; exit 1; }
# The ES256 issuer is configured from a file (read at start-up); the EdDSA
# one from its URL (fetched, re-fetched for unknown kids every second).
curl -fsS "http://127.0.0.1:$BA2_PORT/api/auth/jwks" > "$STACK_DIR/es256.jwks"
# httpd's children read the password file at request time: keep it where
# they can (the checkout itself may be out of their reach).
SERVICE_DIR=$(scripts/stack.sh service-dir "$STACK_DIR")
htpasswd -cbB "$SERVICE_DIR/htpasswd" alice "alice-password" 2>/dev/null
chmod 644 "$SERVICE_DIR/htpasswd"

# make integration SANITIZE=1: the module built with ASan + UBSan
# (build/san/mod_tasks.so), every httpd of the run (the stack, the sites,
# each configtest) started with the sanitizers' runtime preloaded (httpd
# itself is not instrumented), and their reports written to files that
# the end of the run reads: any report fails it. fast_unwind_on_malloc=0:
# APR and OpenSSL have no frame pointers, and the leak suppressions
# (lsan.supp) match frames beyond them. exitcode=0: a leak report at
# exit must not turn `apache2 -k start` into a failed start; the report
# file fails the run instead.
SAN_DIR=
if [ "${SANITIZE:-}" = 1 ]; then
    MODULE="$ROOT/build/san/mod_tasks.so"
    [ -f "$MODULE" ] || { echo "run.sh: SANITIZE=1 needs $MODULE (make integration SANITIZE=1)" >&2; exit 2; }
    SAN_DIR="$SERVICE_DIR/sanitizers"
    mkdir -p "$SAN_DIR" && chmod 1777 "$SAN_DIR"
    APACHE="$STACK_DIR/apache2-sanitized"
    cat > "$APACHE" <<WRAP
#!/bin/sh
# httpd with the runtime of the sanitized module preloaded (run.sh).
LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" \\
ASAN_OPTIONS="log_path=$SAN_DIR/asan:detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=40" \\
LSAN_OPTIONS="suppressions=$ROOT/tests/integration/lsan.supp:print_suppressions=0:exitcode=0" \\
UBSAN_OPTIONS="log_path=$SAN_DIR/ubsan:print_stacktrace=1" \\
exec /usr/sbin/apache2 "\$@"
WRAP
    chmod 755 "$APACHE"
    echo "==> the module under ASan + UBSan ($MODULE); reports go to $SAN_DIR"
fi
# The site of the virtual host that serves mod_tasks under /tasks/: its own
# page at /, no /api of its own.
PREFIX_SITE="$SERVICE_DIR/prefix-site"
mkdir -p "$PREFIX_SITE"
printf '<!doctype html><title>the site beside the app</title>\n' > "$PREFIX_SITE/index.html"
chmod -R a+rX "$PREFIX_SITE"

# Test-only settings on top of conf/tasks.conf: a CORS origin, and a second
# port (a virtual host) with tight login throttling and signup disabled.
cat > "$STACK_DIR/extra.conf" <<CONF
TasksCORSAllowOrigin https://app.example.org http://localhost:3000
# A client that announces more body than it sends holds a worker until
# httpd's Timeout (30 s); mod_reqtimeout gives up sooner (README
# "Configuration"). Debian's defaults but a short body timeout, so that
# the edges suite sees its 408 in seconds.
LoadModule reqtimeout_module modules/mod_reqtimeout.so
RequestReadTimeout header=20-40,MinRate=500 body=3,MinRate=500
# The module's counters, as an operator reads them (test_counters.c).
LoadModule status_module modules/mod_status.so
LoadModule authz_host_module modules/mod_authz_host.so
<Location "/server-status">
    SetHandler server-status
    Require ip 127.0.0.1
</Location>
Listen 127.0.0.1:$PORT2
<VirtualHost 127.0.0.1:$PORT2>
    TasksLoginThrottle 3 60 6
    TasksSessionLifetime 600
    <Location "/api/auth/signup">
        TasksSignup Off
    </Location>
    # The handler named in upper case: httpd lower-cases it, and so must
    # every hook that asks "is this ours?" (test_auth.c).
    <Location "/api/auth/me">
        SetHandler TASKS
    </Location>
</VirtualHost>
TasksJWTTrustIssuer http://127.0.0.1:$BA1_PORT jwks=http://127.0.0.1:$BA1_PORT/api/auth/jwks aud=http://127.0.0.1:$BA1_PORT refresh=1
TasksJWTTrustIssuer http://127.0.0.1:$BA2_PORT jwks=$STACK_DIR/es256.jwks alg=ES256
TasksJWTTrustIssuer http://127.0.0.1:$DEAD_PORT jwks=http://127.0.0.1:$DEAD_PORT/api/auth/jwks refresh=1
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule authn_file_module modules/mod_authn_file.so
LoadModule authz_user_module modules/mod_authz_user.so
Listen 127.0.0.1:$PORT3
<VirtualHost 127.0.0.1:$PORT3>
    <Location "/api">
        AuthType Basic
        AuthName "Tasks SSO"
        AuthBasicProvider file
        AuthUserFile $SERVICE_DIR/htpasswd
        Require valid-user
        TasksTrustRemoteUser On
    </Location>
</VirtualHost>
# Behind a reverse proxy (README "Behind a reverse proxy"): the proxy is
# 127.0.0.2; it declares the real client in X-Forwarded-For. The first
# host says its clients use https (ServerName https://...); the second
# does not, so a Secure cookie there could only come from a header.
LoadModule remoteip_module modules/mod_remoteip.so
Listen 127.0.0.1:$PORT4
<VirtualHost 127.0.0.1:$PORT4>
    ServerName https://127.0.0.1:443
    RemoteIPHeader X-Forwarded-For
    RemoteIPInternalProxy 127.0.0.2
    TasksLoginThrottle 3 60 3
</VirtualHost>
Listen 127.0.0.1:$PORT5
<VirtualHost 127.0.0.1:$PORT5>
    RemoteIPHeader X-Forwarded-For
    RemoteIPTrustedProxy 127.0.0.2
    TasksLoginThrottle 3 60 3
</VirtualHost>
# Under a prefix (README "Behind an existing Apache"): a site of its own at
# /, the shipped snippet with TASKS_PREFIX, so the app is /tasks/ and the
# API /tasks/api. It inherits the main server's <Location "/api">, which
# must not make /api the module's here.
Listen 127.0.0.1:$PREFIX_PORT
<VirtualHost 127.0.0.1:$PREFIX_PORT>
    DocumentRoot $PREFIX_SITE
    <Directory $PREFIX_SITE>
        Require all granted
    </Directory>
    Define TASKS_PREFIX /tasks
    Include $ROOT/conf/tasks.conf
    UnDefine TASKS_PREFIX
</VirtualHost>
CONF
# POOLER=transaction|session (make integration POOLER=...): httpd reaches
# PostgreSQL through a real PgBouncer in that pool_mode, with the
# TasksDBPooling to match. PostgreSQL also serves TLS on 127.0.0.1 (the
# remote suite's sites use it).
echo "==> starting PostgreSQL${POOLER:+, PgBouncer (pool_mode = $POOLER)} and httpd for the integration tests"
PG_TLS=1 POOLER="${POOLER:-}" PG_OPTS="-c fsync=off -c synchronous_commit=off" \
    EXTRA_CONF="$STACK_DIR/extra.conf" scripts/stack.sh up "$STACK_DIR" "$PORT" >/dev/null

# Harmless to enable (README, "Configuration"): an ordinary site, which
# keeps its own /api files and uses mod_dbd itself (HTTP Basic checked by
# mod_authn_dbd against another database), served by two more httpds:
# "plain", without mod_tasks, and "with", the same site with mod_tasks
# loaded and serving only in a virtual host of its own (its own database,
# the stack's secret). The stack above cannot hold such a site: its main
# server serves mod_tasks, and every virtual host inherits that.
# shellcheck disable=SC1091
. "$STACK_DIR/pg.env"
SITE_DIR="$SERVICE_DIR/site"
mkdir -p "$SITE_DIR/api" "$SITE_DIR/private" "$SITE_DIR/odd"
printf 'a file the tasks handler is named for\n' > "$SITE_DIR/odd/x.tasks"
printf 'a plain file of this site, not the API\n' > "$SITE_DIR/api/health"
printf '<!doctype html><title>plain site</title>\n' > "$SITE_DIR/index.html"
printf 'for bob only\n' > "$SITE_DIR/private/index.html"
chmod -R a+rX "$SITE_DIR"
BOB_HASH=$(htpasswd -nbB bob bob-password | cut -d: -f2)
# The start of the configuration of a site of its own: name, port.
site_head() {
    cat <<CONF
ServerRoot /usr/lib/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:$2
PidFile $STACK_DIR/$1.pid
DefaultRuntimeDir $STACK_DIR/$1.rt
ErrorLog $STACK_DIR/$1.error.log
LogLevel warn
$( [ "$(id -u)" = 0 ] && printf 'User www-data\nGroup www-data\n' )
LoadModule mpm_event_module modules/mod_mpm_event.so
LoadModule authz_core_module modules/mod_authz_core.so
CONF
}
site_conf() { # name port
    site_head "$1" "$2"
    cat <<CONF
LoadModule authn_core_module modules/mod_authn_core.so
LoadModule authz_user_module modules/mod_authz_user.so
LoadModule auth_basic_module modules/mod_auth_basic.so
LoadModule mime_module modules/mod_mime.so
LoadModule dir_module modules/mod_dir.so
LoadModule dbd_module modules/mod_dbd.so
LoadModule authn_dbd_module modules/mod_authn_dbd.so
StartServers 1
ServerLimit 1
ThreadsPerChild 8
MaxRequestWorkers 8
MinSpareThreads 1
MaxSpareThreads 16
TypesConfig /etc/mime.types
DocumentRoot $SITE_DIR
<Directory />
    Require all denied
</Directory>
<Directory $SITE_DIR>
    Require all granted
</Directory>
# The tasks handler named where the module cannot see it, on a server
# without a signing key: mod_tasks leaves it to httpd.
<Directory $SITE_DIR/odd>
    AddHandler tasks .tasks
</Directory>
# A connection per request: mod_authn_dbd does not recover its statements
# on a pooled connection PostgreSQL dropped (the outage test restarts it).
DBDriver pgsql
DBDParams "host=$PGHOST port=$PGPORT dbname=postgres user=tasks connect_timeout=2"
DBDPersist Off
<Location "/private">
    AuthType Basic
    AuthName "private"
    AuthBasicProvider dbd
    AuthDBDUserPWQuery "SELECT '$BOB_HASH' WHERE %s = 'bob'"
    Require valid-user
</Location>
CONF
}
site_conf plain "$PLAIN_PORT" > "$STACK_DIR/plain.conf"
{ site_conf with "$WITH_PORT"; cat <<CONF
LoadModule tasks_module $MODULE
Listen 127.0.0.1:$SERVING_PORT
<VirtualHost 127.0.0.1:$SERVING_PORT>
    DBDParams "host=$PGHOST port=$PGPORT dbname=tasks user=$TASKS_DB_USER password=$TASKS_DB_PASSWORD connect_timeout=2"
    DBDPersist On
    TasksJWTSecretFile $STACK_DIR/jwt.secret
    <Location "/api">
        SetHandler tasks
        Require all granted
    </Location>
</VirtualHost>
CONF
} > "$STACK_DIR/with.conf"
for site in plain with; do
    mkdir -p "$STACK_DIR/$site.rt"
    SITES="$SITES $site"
    # One that does not start fails the tests that use it, which show why.
    "$APACHE" -f "$STACK_DIR/$site.conf" -k start ||
        { echo "run.sh: the $site site did not start:" >&2;
          tail -n 5 "$STACK_DIR/$site.error.log" >&2 2>/dev/null || true; }
done

# The remote suite's sites (test_remote.c): mod_tasks alone, on the
# stack's database over TLS checked against the CA that signed its
# certificate (tlsgood) or another one (tlsbad), and on a "database" that
# accepts connections and never answers, as a cold serverless compute
# does for a while (cold: libpq's connect_timeout=2 ends each attempt).
COLD_DB_PORT=$(new_port); USED_PORTS="$USED_PORTS $COLD_DB_PORT"
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(128); time.sleep(86400)' "$COLD_DB_PORT" &
COLD_PID=$!
tasks_site_conf() { # name port dbdparams
    site_head "$1" "$2"
    cat <<CONF
LoadModule dbd_module modules/mod_dbd.so
LoadModule tasks_module $MODULE
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
MinSpareThreads 1
MaxSpareThreads 32
DBDriver pgsql
DBDParams "$3"
DBDPersist On
DBDMin 2
DBDKeep 2
DBDMax 4
TasksJWTSecretFile $STACK_DIR/jwt.secret
<Location "/api">
    SetHandler tasks
    Require all granted
</Location>
CONF
}
TLSGOOD_PORT=$(new_port); USED_PORTS="$USED_PORTS $TLSGOOD_PORT"
TLSBAD_PORT=$(new_port); USED_PORTS="$USED_PORTS $TLSBAD_PORT"
COLD_PORT=$(new_port); USED_PORTS="$USED_PORTS $COLD_PORT"
TLS_PARAMS="host=127.0.0.1 port=$PGTLS_PORT dbname=tasks user=$TASKS_DB_USER password=$TASKS_DB_PASSWORD sslmode=verify-full connect_timeout=3"
tasks_site_conf tlsgood "$TLSGOOD_PORT" "$TLS_PARAMS sslrootcert=$PGTLS_CA" > "$STACK_DIR/tlsgood.conf"
tasks_site_conf tlsbad "$TLSBAD_PORT" "$TLS_PARAMS sslrootcert=$PGTLS_OTHER_CA" > "$STACK_DIR/tlsbad.conf"
tasks_site_conf cold "$COLD_PORT" "host=127.0.0.1 port=$COLD_DB_PORT dbname=tasks user=$TASKS_DB_USER password=x connect_timeout=2" > "$STACK_DIR/cold.conf"
# Started without HOME: libpq looks for a client certificate in
# ~/.postgresql, and a root shell's HOME is out of the children's reach
# (an error, not "none"); without it libpq asks the password database for
# the children's own home, as under systemd.
for site in tlsgood tlsbad cold; do
    mkdir -p "$STACK_DIR/$site.rt"
    SITES="$SITES $site"
    env -u HOME "$APACHE" -f "$STACK_DIR/$site.conf" -k start ||
        { echo "run.sh: the $site site did not start:" >&2;
          tail -n 5 "$STACK_DIR/$site.error.log" >&2 2>/dev/null || true; }
done

# The nodes suite's second node (test_nodes.c): another httpd, with its
# own port, runtime folder and processes, on the same database (through
# the same pooler, if any) with a copy of the same secret and the same
# trusted issuer; nothing else in common.
NODE_B="$STACK_DIR/node-b"
NODE_B_PORT=$(new_port); USED_PORTS="$USED_PORTS $NODE_B_PORT"
mkdir -p "$NODE_B"
cp "$STACK_DIR/pg.env" "$STACK_DIR/jwt.secret" "$NODE_B/"
[ -f "$STACK_DIR/pooler.env" ] && cp "$STACK_DIR/pooler.env" "$NODE_B/"
cat > "$NODE_B/extra.conf" <<CONF
TasksJWTTrustIssuer http://127.0.0.1:$BA1_PORT jwks=http://127.0.0.1:$BA1_PORT/api/auth/jwks aud=http://127.0.0.1:$BA1_PORT refresh=1
CONF
EXTRA_CONF="$NODE_B/extra.conf" scripts/stack.sh httpd-up "$NODE_B" "$NODE_B_PORT" >/dev/null ||
    echo "run.sh: node B did not start (the nodes suite fails)" >&2

# Ready once each has written its pid file (after its start-up).
for site in plain with tlsgood tlsbad cold; do
    for _ in $(seq 1 100); do [ -f "$STACK_DIR/$site.pid" ] && break; sleep 0.1; done
done
export STACK_DIR BASE_URL="http://127.0.0.1:$PORT" BASE_URL2="http://127.0.0.1:$PORT2"
export BASE_URL_PROXY="http://127.0.0.1:$PORT4" BASE_URL_PROXY_PLAIN="http://127.0.0.1:$PORT5"
export BASE_URL_PREFIX="http://127.0.0.1:$PREFIX_PORT"
export TLSGOOD_URL="http://127.0.0.1:$TLSGOOD_PORT" TLSBAD_URL="http://127.0.0.1:$TLSBAD_PORT" \
       COLD_URL="http://127.0.0.1:$COLD_PORT" NODE_B_URL="http://127.0.0.1:$NODE_B_PORT" \
       NODE_B_DIR="$NODE_B" POOLER="${POOLER:-}"
export BASE_URL3="http://127.0.0.1:$PORT3" BA1_URL="http://127.0.0.1:$BA1_PORT" \
       BA2_URL="http://127.0.0.1:$BA2_PORT" DEAD_ISSUER="http://127.0.0.1:$DEAD_PORT"
export TASKS_ROOT="$ROOT" SITE_PLAIN_URL="http://127.0.0.1:$PLAIN_PORT" \
       SITE_WITH_URL="http://127.0.0.1:$WITH_PORT" \
       SITE_SERVING_URL="http://127.0.0.1:$SERVING_PORT"
# Every exchange of the suites is recorded, then checked against the
# OpenAPI document (README, "The document checked against every response").
export EXCHANGE_LOG="$STACK_DIR/exchanges.jsonl"
: > "$EXCHANGE_LOG"
set +e
"$BIN"
rc=$?
set -e
# The OpenAPI document against this run (tests/contract/run.sh), while
# the stack still serves the document it compiled in.
tests/contract/run.sh "$EXCHANGE_LOG" "$BASE_URL" \
    "$BASE_URL" "$BASE_URL2" "$BASE_URL3" "$BASE_URL_PROXY" "$BASE_URL_PROXY_PLAIN" \
    "$BASE_URL_PREFIX/tasks" "$SITE_SERVING_URL" "$TLSGOOD_URL" "$TLSBAD_URL" \
    "$COLD_URL" "$NODE_B_URL" || rc=1
if [ -n "$SAN_DIR" ]; then
    # The children report as they exit: stop every httpd first.
    for site in $SITES; do
        pid=$(cat "$STACK_DIR/$site.pid" 2>/dev/null || echo 0)
        "$APACHE" -f "$STACK_DIR/$site.conf" -k stop 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    done
    SITES=
    scripts/stack.sh httpd-down "$NODE_B" >/dev/null 2>&1 || true
    scripts/stack.sh httpd-down "$STACK_DIR" >/dev/null 2>&1 || true
    reports=$(find "$SAN_DIR" -type f -size +0 | sort)
    if [ -n "$reports" ]; then
        for f in $reports; do echo "---- $f ----"; head -n 60 "$f"; done
        echo "FAIL: $(echo "$reports" | wc -l) sanitizer report(s) from httpd" >&2
        rc=1
    else
        echo "==> no sanitizer report from httpd"
    fi
fi
if [ $rc -ne 0 ]; then
    echo "---- httpd error log (last 40 lines) ----"
    tail -n 40 "$STACK_DIR/error.log" || true
    for site in $SITES; do
        echo "---- $site.error.log (last 10 lines) ----"
        tail -n 10 "$STACK_DIR/$site.error.log" 2>/dev/null || true
    done
fi
exit $rc
