#!/bin/bash
# run.sh - the browser tests: installs the pinned test tooling (npm ci),
# starts a private stack (PostgreSQL + httpd with the built module) on a free
# port under .run/, runs tests/e2e/*.test.mjs with node's test runner in
# headless Chromium, and always tears the stack down. Exit status: the tests'.
# Screenshots land in tests/e2e/screenshots/ (git-ignored).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STACK="$ROOT/scripts/stack.sh"

[ -f "$ROOT/.libs/mod_tasks.so" ] || { echo "e2e: build the module first (make build)" >&2; exit 2; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "e2e: ${CHROMIUM:-/usr/bin/chromium} is missing (make deps)" >&2; exit 2; }
command -v npm >/dev/null || { echo "e2e: npm is missing (make deps)" >&2; exit 2; }

echo "==> e2e: installing test tooling"
cd "$HERE"
if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
else
    npm install --no-audit --no-fund --loglevel=error >/dev/null
fi

RUN="$ROOT/.run/e2e-$$"
cleanup() {
    # destroy: stop httpd and PostgreSQL, remove the folder and any cluster
    # stack.sh had to keep elsewhere
    "$STACK" destroy "$RUN" >/dev/null 2>&1 || "$STACK" down "$RUN" >/dev/null 2>&1 || true
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$("$STACK" free-port)
echo "==> e2e: starting the stack on port $PORT"
mkdir -p "$RUN"
if ! "$STACK" up "$RUN" "$PORT" >"$RUN/stack-up.log" 2>&1; then
    cat "$RUN/stack-up.log" >&2
    exit 1
fi

export BASE_URL="http://127.0.0.1:$PORT"
rm -rf "$HERE/screenshots"
mkdir -p "$HERE/screenshots"
status=0
node --test --test-concurrency=1 "$HERE"/*.test.mjs || status=$?
if [ "$status" -ne 0 ]; then
    echo "==> e2e: FAILED; the end of httpd's error log:" >&2
    tail -n 20 "$RUN/error.log" >&2 2>/dev/null || true
fi
exit "$status"
