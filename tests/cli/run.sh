#!/bin/bash
# run.sh - the admin command's tests: build/mod-tasks (built by `make
# admin`, as it is installed) run against a private PostgreSQL started
# here (scripts/stack.sh pg-up: roles tasks, tasks_owner, tasks_app; the
# tasks database migrated by scripts/migrate.sh) and always removed
# afterwards. The Check suite links the services (under ASan + UBSan) to
# see what the command did: a login with the password it set, a token it
# refuses.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

[ -x build/mod-tasks ] || { echo "build/mod-tasks is missing: make admin" >&2; exit 1; }
mkdir -p build
BIN=build/cli_tests
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
cc -std=gnu11 -g -O1 -Wall -Wextra -Werror $SAN -Iinclude \
   $(pkg-config --cflags apr-1 apr-util-1 jansson check libpq) \
   -o "$BIN" tests/cli/*.c src/core/*.c src/store/*.c src/service/*.c \
   $(pkg-config --libs apr-1 apr-util-1 jansson check) -ljwt -lcrypto -lpq -lical

STACK_DIR="$ROOT/.run/cli-$$"
cleanup() { scripts/stack.sh destroy "$STACK_DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> starting PostgreSQL for the admin command's tests"
PG_OPTS="-c fsync=off -c synchronous_commit=off" scripts/stack.sh pg-up "$STACK_DIR" >/dev/null
# shellcheck disable=SC1091
. "$STACK_DIR/pg.env"
export TASKS_ROOT="$ROOT" MOD_TASKS="$ROOT/build/mod-tasks" WORK_DIR="$STACK_DIR" \
    PG_BASE="host=$PGHOST port=$PGPORT" PG_HOST="$PGHOST" PG_PORT="$PGPORT" APP_PASSWORD="$TASKS_DB_PASSWORD"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$BIN"
