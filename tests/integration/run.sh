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

STACK_DIR="$ROOT/.run/it-$$"
cleanup() {
    scripts/stack.sh down "$STACK_DIR" >/dev/null 2>&1 || true
    rm -f "$BIN"
    if [ "${KEEP_STACK:-}" != 1 ]; then rm -rf "$STACK_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(scripts/stack.sh free-port)
PORT2=$(scripts/stack.sh free-port)
while [ "$PORT2" = "$PORT" ]; do PORT2=$(scripts/stack.sh free-port); done
mkdir -p "$STACK_DIR"
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
CONF
echo "==> starting PostgreSQL and httpd for the integration tests"
PG_OPTS="-c fsync=off -c synchronous_commit=off" EXTRA_CONF="$STACK_DIR/extra.conf" \
    scripts/stack.sh up "$STACK_DIR" "$PORT" >/dev/null
export STACK_DIR BASE_URL="http://127.0.0.1:$PORT" BASE_URL2="http://127.0.0.1:$PORT2"
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
