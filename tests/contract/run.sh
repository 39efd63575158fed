#!/bin/bash
# run.sh - the OpenAPI document against the server (README, "The document
# checked against every response"); tests/integration/run.sh calls it
# after its suites, while its httpd still serves:
#   tests/contract/run.sh EXCHANGE_LOG SERVED_URL BASE...
# 1. Redocly's recommended rules on htdocs/openapi.json (the exceptions,
#    each with its reason, in .redocly.lint-ignore.yaml);
# 2. validate.mjs against planted.jsonl: every planted mismatch reported;
# 3. validate.mjs: every exchange of the run (EXCHANGE_LOG) with a module
#    at one of the BASEs matches the document;
# 4. openapi-typescript generates types from the document the server
#    serves (SERVED_URL/api/openapi.json) and tsc compiles client.ts
#    against them.
# Runs every step, fails when any failed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR="$ROOT/tests/contract"
log=$1 served=$2; shift 2
cd "$DIR" || exit 2
[ -d node_modules/ajv ] && [ -d node_modules/@redocly/cli ] && [ -d node_modules/openapi-typescript ] ||
    npm ci --no-audit --no-fund --loglevel=error >/dev/null || { echo "contract: npm ci failed" >&2; exit 2; }
rc=0
fail() { echo "FAIL: $*" >&2; rc=1; }
echo "==> contract: redocly lint (recommended rules)"
# Redocly's banner about Node.js versions is not a finding.
npx --no-install redocly lint ../../htdocs/openapi.json > "$ROOT/build/contract-lint.log" 2>&1 ||
    { grep -v '║\|╔\|╚' "$ROOT/build/contract-lint.log"; fail "redocly lint"; }
grep -E "problems? (is|are) explicitly ignored|valid" "$ROOT/build/contract-lint.log" | head -2
echo "==> contract: the check itself, on planted mismatches"
node validate.mjs --expect-fail ../../htdocs/openapi.json planted.jsonl http://planted.invalid ||
    fail "the contract check let a planted mismatch through"
echo "==> contract: every exchange of the run against the document"
node validate.mjs ../../htdocs/openapi.json "$log" "$@" ||
    fail "exchanges that do not match htdocs/openapi.json (above)"
echo "==> contract: a TypeScript client generated from $served/api/openapi.json"
mkdir -p "$ROOT/build/contract"
if npx --no-install openapi-typescript "$served/api/openapi.json" -o "$ROOT/build/contract/api.d.ts" \
        > "$ROOT/build/contract/generate.log" 2>&1; then
    npx --no-install tsc -p tsconfig.json || fail "client.ts does not compile against the generated types"
    echo "    generated build/contract/api.d.ts; client.ts compiles"
else
    cat "$ROOT/build/contract/generate.log"; fail "openapi-typescript"
fi
exit $rc
