#!/bin/bash
# run.sh - the browser tests: installs the pinned test tooling (npm ci),
# starts a private stack (PostgreSQL + httpd with the built module) on free
# ports under .run/, runs tests/e2e/*.test.mjs with node's test runner in
# headless Chromium with the app at /, then a representative subset with
# the app under /tasks/ of another virtual host, and always tears the stack
# down. Exit status: the tests'.
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

new_port() {
    local p
    while :; do
        p=$("$STACK" free-port)
        case " ${USED_PORTS:-} " in *" $p "*) ;; *) USED_PORTS="${USED_PORTS:-} $p"; echo "$p"; return;; esac
    done
}
PORT=$(new_port); USED_PORTS="$PORT"
PREFIX_PORT=$(new_port); USED_PORTS="$USED_PORTS $PREFIX_PORT"
SITE_PORT=$(new_port); USED_PORTS="$USED_PORTS $SITE_PORT"
SHORT_PORT=$(new_port)
mkdir -p "$RUN"
# One httpd, four virtual hosts, conf/tasks.conf included per host (not
# at server level, TASKS_AT=vhosts) as README "Behind an existing Apache"
# shows: the app as the whole host (PORT); the app under /tasks/ of a site
# that keeps its own pages (PREFIX_PORT); that site alone, untouched
# (SITE_PORT); and the app with tokens of 5 seconds and sessions of 12
# idle seconds (SHORT_PORT), for the silent refresh. The site has an
# /api/health file of its own.
SITE="$("$STACK" service-dir "$RUN")/site"
mkdir -p "$SITE/api"
printf '<!doctype html><title>the site</title><p>the site beside the app\n' > "$SITE/index.html"
printf 'a plain file of this site, not the API\n' > "$SITE/api/health"
chmod -R a+rX "$SITE"
cat > "$RUN/vhosts.conf" <<CONF
DocumentRoot $SITE
<Directory $SITE>
    Require all granted
</Directory>
<VirtualHost 127.0.0.1:$PORT>
    Include $ROOT/conf/tasks.conf
</VirtualHost>
Listen 127.0.0.1:$PREFIX_PORT
<VirtualHost 127.0.0.1:$PREFIX_PORT>
    Define TASKS_PREFIX /tasks
    Include $ROOT/conf/tasks.conf
    UnDefine TASKS_PREFIX
</VirtualHost>
Listen 127.0.0.1:$SITE_PORT
<VirtualHost 127.0.0.1:$SITE_PORT>
</VirtualHost>
Listen 127.0.0.1:$SHORT_PORT
<VirtualHost 127.0.0.1:$SHORT_PORT>
    Include $ROOT/conf/tasks.conf
    TasksJWTLifetime 5
    TasksJWTLeeway 0
    TasksSessionLifetime 12
</VirtualHost>
CONF
echo "==> e2e: starting the stack on ports $PORT (app at /), $PREFIX_PORT (app at /tasks/), $SITE_PORT (site alone), $SHORT_PORT (short sessions)"
if ! TASKS_AT=vhosts EXTRA_CONF="$RUN/vhosts.conf" "$STACK" up "$RUN" "$PORT" >"$RUN/stack-up.log" 2>&1; then
    cat "$RUN/stack-up.log" >&2
    exit 1
fi
for p in "$PREFIX_PORT" "$SITE_PORT" "$SHORT_PORT"; do
    for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && break; sleep 0.1; done
done

export SITE_URL="http://127.0.0.1:$SITE_PORT"
# For tests that act as the administrator (mod-tasks reset-code).
export E2E_STACK_DIR="$RUN" TASKS_ROOT="$ROOT"
rm -rf "$HERE/screenshots"
mkdir -p "$HERE/screenshots"
status=0
# Every suite with the app at / (but the short sessions'); then the
# journey, the security suite and the virtual hosts' checks again with the
# app under /tasks/; then staying signed in on the host of short sessions
# (E2E_RUNS picks runs: "root prefix short" by default).
for run in ${E2E_RUNS:-root prefix short}; do
    case "$run" in
        root)   base="http://127.0.0.1:$PORT"
                files=()
                for f in "$HERE"/*.test.mjs; do
                    [ "$f" = "$HERE/session.test.mjs" ] || files+=("$f")
                done ;;
        prefix) base="http://127.0.0.1:$PREFIX_PORT/tasks"
                files=("$HERE/journey.test.mjs" "$HERE/security.test.mjs" "$HERE/vhosts.test.mjs" "$HERE/app-passwords.test.mjs" "$HERE/mcp.test.mjs") ;;
        short)  base="http://127.0.0.1:$SHORT_PORT"; files=("$HERE/session.test.mjs") ;;
        *) echo "e2e: unknown run '$run' (root, prefix, short)" >&2; exit 2 ;;
    esac
    echo "==> e2e: the app at $base/"
    BASE_URL="$base" node --test --test-concurrency=1 "${files[@]}" || status=$?
done
if [ "$status" -ne 0 ]; then
    echo "==> e2e: FAILED; the end of httpd's error log:" >&2
    tail -n 20 "$RUN/error.log" >&2 2>/dev/null || true
fi
exit "$status"
