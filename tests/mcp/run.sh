#!/bin/bash
# run.sh - MCP clients nobody on the team wrote, against a private stack
# (PostgreSQL + httpd with the built module, free ports under .run/):
# the official TypeScript SDK's Client (sdk.test.mjs), inspector-cli, and
# the official conformance suite in server mode, all pinned in
# package-lock.json (the conformance suite needs Node 22: the "node"
# package brings it). The conformance suite cannot send a token, so it
# talks to the endpoint through proxy.mjs, which adds one account's. Exit
# status: non-zero if any failed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STACK="$ROOT/scripts/stack.sh"

[ -f "$ROOT/.libs/mod_tasks.so" ] || { echo "mcp: build the module first (make build)" >&2; exit 2; }
command -v npm >/dev/null || { echo "mcp: npm is missing (make deps)" >&2; exit 2; }

echo "==> mcp: installing the SDK, inspector-cli and the conformance suite (npm ci)"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
NODE22="$HERE/node_modules/node/bin/node"

RUN="$ROOT/.run/mcp-$$"
cleanup() {
    [ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null
    "$STACK" destroy "$RUN" >/dev/null 2>&1 || "$STACK" down "$RUN" >/dev/null 2>&1 || true
    rm -rf "$RUN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$("$STACK" free-port)
PROXY_PORT=$("$STACK" free-port)
while [ "$PROXY_PORT" = "$PORT" ]; do PROXY_PORT=$("$STACK" free-port); done
mkdir -p "$RUN"
# The conformance suite's page origin (its dns-rebinding scenario checks
# that an allowed one is answered, and that another is refused).
printf 'TasksCORSAllowOrigin http://localhost:%s\n' "$PROXY_PORT" > "$RUN/extra.conf"
echo "==> mcp: starting the stack on port $PORT"
if ! EXTRA_CONF="$RUN/extra.conf" "$STACK" up "$RUN" "$PORT" >"$RUN/stack-up.log" 2>&1; then
    cat "$RUN/stack-up.log" >&2
    exit 1
fi
export API_URL="http://127.0.0.1:$PORT/api"

status=0
cd "$HERE"
echo "==> mcp: @modelcontextprotocol/sdk $(node -p 'require("./node_modules/@modelcontextprotocol/sdk/package.json").version')"
node --test --test-concurrency=1 sdk.test.mjs || status=1

# One account for the command-line clients.
email="mcp-cli-$$@example.org"
token=$(curl -sf -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"correct horse battery\"}" \
        "$API_URL/auth/signup" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "mcp: no account for the command-line clients" >&2; exit 1; }

echo "==> mcp: inspector-cli $(node -p 'require("./node_modules/@modelcontextprotocol/inspector-cli/package.json").version')"
# inspector-cli 1.0.3 reads ../package.json relative to the working
# directory (fixed upstream later): run it from a folder below this one.
mkdir -p "$RUN/inspector" && cp package.json "$RUN/" && cd "$RUN/inspector"
inspector() {
    "$HERE/node_modules/.bin/mcp-inspector-cli" --cli "$API_URL/mcp" --transport http \
        --header "Authorization: Bearer $token" "$@"
}
if ! tools=$(inspector --method tools/list) ||
   [ "$(echo "$tools" | grep -o '"name": *"[a-z_]*_task[s]*"' | sort | tr -d ' \n')" != \
     '"name":"add_task""name":"complete_task""name":"delete_task""name":"list_tasks""name":"update_task"' ]; then
    echo "mcp: inspector-cli did not list the five tools: $tools" >&2; status=1
fi
if ! added=$(inspector --method tools/call --tool-name add_task --tool-arg 'title="From the inspector"'); then
    echo "mcp: inspector-cli could not call add_task: $added" >&2; status=1
fi
if ! curl -sf -H "Authorization: Bearer $token" "$API_URL/tasks" | grep -q '"title":"From the inspector"'; then
    echo "mcp: the task the inspector added is not in the JSON API" >&2; status=1
else
    echo "    inspector-cli listed the five tools and added a task the JSON API shows"
fi
cd "$HERE"

echo "==> mcp: the conformance suite $(node -p 'require("./node_modules/@modelcontextprotocol/conformance/package.json").version') (server scenarios, through proxy.mjs)"
TARGET="$API_URL/mcp" TOKEN="$token" PORT="$PROXY_PORT" node proxy.mjs > "$RUN/proxy.log" 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_PORT") 2>/dev/null && break; sleep 0.1; done
"$NODE22" node_modules/@modelcontextprotocol/conformance/dist/index.js server \
    --url "http://localhost:$PROXY_PORT/api/mcp" --expected-failures conformance-baseline.yml \
    -o "$RUN/conformance" > "$RUN/conformance.log" 2>&1 || { status=1; cat "$RUN/conformance.log"; }
grep -E "^(Total|Summary)|passed|failed" "$RUN/conformance.log" | tail -n 3 || true

if [ "$status" -ne 0 ]; then
    echo "==> mcp: FAILED; the end of httpd's error log:" >&2
    tail -n 20 "$RUN/error.log" >&2 2>/dev/null || true
fi
exit "$status"
