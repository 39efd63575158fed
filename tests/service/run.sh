#!/bin/bash
# run.sh - the service tests: the task and account services and the store,
# linked with apr_dbd's pgsql driver (no httpd, no mod_dbd), against a
# private PostgreSQL started here and always removed afterwards. Built
# under AddressSanitizer + UBSan like the unit tests.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

mkdir -p build
BIN=build/service_tests
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
cc -std=gnu11 -g -O1 -Wall -Wextra -Werror $SAN -Iinclude \
   $(pkg-config --cflags apr-1 apr-util-1 jansson check libpq) \
   -o "$BIN" tests/service/*.c src/core/*.c src/store/*.c src/service/*.c \
   $(pkg-config --libs apr-1 apr-util-1 jansson check) -ljwt -lcrypto -lpq -lical

STACK_DIR="$ROOT/.run/svc-$$"
cleanup() { scripts/stack.sh destroy "$STACK_DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> starting PostgreSQL for the service tests"
PG_OPTS="-c fsync=off -c synchronous_commit=off" scripts/stack.sh pg-up "$STACK_DIR" >/dev/null
# shellcheck disable=SC1091
. "$STACK_DIR/pg.env"
export TASKS_ROOT="$ROOT" DB_PARAMS="host=$PGHOST port=$PGPORT user=tasks dbname=tasks"
# Twice: the store as under TasksDBPooling session (named statements,
# the session's settings), then as under transaction (unnamed statements,
# nothing set in the session).
for pooling in session transaction; do
    echo "==> the services under TasksDBPooling $pooling"
    POOLING=$pooling ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$BIN"
done
