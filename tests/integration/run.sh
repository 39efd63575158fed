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
BA_PID=
cleanup() {
    [ -n "$BA_PID" ] && kill "$BA_PID" 2>/dev/null || true
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
DEAD_PORT=$(new_port)
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

# Test-only settings on top of conf/tasks.conf: a CORS origin, and a second
# port (a virtual host) with tight login throttling and signup disabled.
cat > "$STACK_DIR/extra.conf" <<CONF
TasksCORSAllowOrigin https://app.example.org http://localhost:3000
Listen 127.0.0.1:$PORT2
<VirtualHost 127.0.0.1:$PORT2>
    TasksLoginThrottle 3 60 6
    <Location "/api/auth/signup">
        TasksSignup Off
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
CONF
echo "==> starting PostgreSQL and httpd for the integration tests"
PG_OPTS="-c fsync=off -c synchronous_commit=off" EXTRA_CONF="$STACK_DIR/extra.conf" \
    scripts/stack.sh up "$STACK_DIR" "$PORT" >/dev/null
export STACK_DIR BASE_URL="http://127.0.0.1:$PORT" BASE_URL2="http://127.0.0.1:$PORT2"
export BASE_URL_PROXY="http://127.0.0.1:$PORT4" BASE_URL_PROXY_PLAIN="http://127.0.0.1:$PORT5"
export BASE_URL3="http://127.0.0.1:$PORT3" BA1_URL="http://127.0.0.1:$BA1_PORT" \
       BA2_URL="http://127.0.0.1:$BA2_PORT" DEAD_ISSUER="http://127.0.0.1:$DEAD_PORT"
export TASKS_ROOT="$ROOT"
set +e
"$BIN"
rc=$?
set -e
if [ $rc -ne 0 ]; then
    echo "---- httpd error log (last 40 lines) ----"
    tail -n 40 "$STACK_DIR/error.log" || true
fi
exit $rc
