#!/bin/bash
# run.sh - the CalDAV clients nobody on the team wrote, against a private
# stack (PostgreSQL + httpd with the built module, free ports under
# .run/): Debian's python3-caldav, vdirsyncer with todoman, and tsdav
# from npm (pinned in package-lock.json). Each suite makes its own
# accounts through the JSON API. Exit status: non-zero if any failed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STACK="$ROOT/scripts/stack.sh"
# Debian's Python (python3-caldav, vdirsyncer and todoman live there),
# not whatever python3 comes first on PATH.
PY=/usr/bin/python3

[ -f "$ROOT/.libs/mod_tasks.so" ] || { echo "caldav: build the module first (make build)" >&2; exit 2; }
for tool in vdirsyncer todoman npm; do
    command -v "$tool" >/dev/null || { echo "caldav: $tool is missing (make deps)" >&2; exit 2; }
done
"$PY" -c 'import caldav' 2>/dev/null || { echo "caldav: python3-caldav is missing (make deps)" >&2; exit 2; }

echo "==> caldav: installing tsdav (npm ci)"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

RUN="$ROOT/.run/caldav-$$"
cleanup() {
    "$STACK" destroy "$RUN" >/dev/null 2>&1 || "$STACK" down "$RUN" >/dev/null 2>&1 || true
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$("$STACK" free-port)
mkdir -p "$RUN"
echo "==> caldav: starting the stack on port $PORT"
if ! "$STACK" up "$RUN" "$PORT" >"$RUN/stack-up.log" 2>&1; then
    cat "$RUN/stack-up.log" >&2
    exit 1
fi
export API_URL="http://127.0.0.1:$PORT/api" DAV_URL="http://127.0.0.1:$PORT/api/dav/"

status=0
cd "$HERE"
echo "==> caldav: python3-caldav $(dpkg-query -W -f '${Version}' python3-caldav)"
PYTHON_CALDAV_DEBUGMODE=DEVELOPMENT "$PY" -W ignore::ResourceWarning -m unittest -v \
    test_python_caldav 2>&1 || status=1
echo "==> caldav: vdirsyncer $(dpkg-query -W -f '${Version}' vdirsyncer) and todoman $(dpkg-query -W -f '${Version}' todoman)"
"$PY" -W ignore::ResourceWarning -m unittest -v test_vdirsyncer_todoman 2>&1 || status=1
echo "==> caldav: tsdav $(node -p 'require("./node_modules/tsdav/package.json").version')"
node --test tsdav.test.mjs || status=1
if [ "$status" -ne 0 ]; then
    echo "==> caldav: FAILED; the end of httpd's error log:" >&2
    tail -n 20 "$RUN/error.log" >&2 2>/dev/null || true
fi
exit "$status"
