#!/bin/bash
# compare.sh - `make bench-compare BASE=<git rev>`: the module as built now
# against the module of BASE, side by side in one run. One PostgreSQL
# (seeded once), two httpds with the same configuration, each loading one
# of the two modules; get-one and list-of-50 are driven with wrk against
# one httpd at a time, alternating A B B A ... for ROUNDS rounds, so both
# see the same machine load on average. Prints each round and the median
# requests/s of each, and the ratio now / base.
#
# Environment: BASE [HEAD], ROUNDS [4], DURATION seconds per run [8],
# USERS [200], TASKS_PER_USER [1000], CONNS [16], THREADS [2].
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BENCH="$ROOT/tests/bench"
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
BASE=${BASE:-HEAD}
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-8}
USERS=${USERS:-200}
TASKS_PER_USER=${TASKS_PER_USER:-1000}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}
DIR="$ROOT/.run/compare-$$"
WT="$DIR/base-src"

say() { echo "==> $*"; }
cleanup() {
    "$WT/scripts/stack.sh" httpd-down "$DIR/b" >/dev/null 2>&1 || true
    scripts/stack.sh destroy "$DIR/a" >/dev/null 2>&1 || true
    git worktree remove --force "$WT" >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$DIR"

rev=$(git rev-parse --short "$BASE")
say "building the base module ($BASE = $rev) in a worktree"
git worktree add --detach "$WT" "$rev" >/dev/null 2>&1
make -C "$WT" .libs/mod_tasks.so >/dev/null
say "building the token minter"
cc -std=gnu11 -O2 -Iinclude $(pkg-config --cflags apr-1) -o "$DIR/mint" \
    "$BENCH/mint.c" src/core/token.c src/core/keys.c src/core/b64url.c \
    $(pkg-config --libs apr-1) -ljwt -ljansson -lcrypto

PORT_A=$(scripts/stack.sh free-port)
PORT_B=$(scripts/stack.sh free-port)
while [ "$PORT_B" = "$PORT_A" ]; do PORT_B=$(scripts/stack.sh free-port); done
say "starting PostgreSQL, httpd A (now) on $PORT_A and httpd B ($rev) on $PORT_B"
PG_OPTS="-c shared_buffers=512MB" scripts/stack.sh up "$DIR/a" "$PORT_A" >/dev/null
mkdir -p "$DIR/b"
cp "$DIR/a/pg.env" "$DIR/a/jwt.secret" "$DIR/b/"
[ -f "$DIR/a/pg.root" ] && cp "$DIR/a/pg.root" "$DIR/b/"
# B is started by the base revision's own stack.sh, with its own
# configuration (conf/tasks.conf, the template) and module: a build is
# compared as it was run, also across changes of the configuration. Its
# database role is whatever that revision's template names.
"$WT/scripts/stack.sh" httpd-up "$DIR/b" "$PORT_B" >/dev/null
# shellcheck disable=SC1091
. "$DIR/a/pg.env"
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U tasks -d tasks)
# The column order seed.awk writes (as tests/bench/run.sh loads it).
TASK_COLS="user_id, title, description, completed, priority, due_at, tags, created_at, updated_at, completed_at, version, list_id"

say "seeding $USERS users x $TASKS_PER_USER tasks"
awk -v mode=users -v users="$USERS" -v per_user="$TASKS_PER_USER" -v seed=7 \
    -f "$BENCH/seed.awk" > "$DIR/users.tsv"
cut -f1-3 "$DIR/users.tsv" | "${PSQL[@]}" -c "COPY users (id, email, name) FROM STDIN"
# Every task in a list (sql/009): the Inbox the trigger made, or a second
# list of the user's.
"${PSQL[@]}" -tA -F $'\t' -c "WITH w AS (INSERT INTO lists (user_id, name, position)
    SELECT id, 'Work', 1 FROM users RETURNING user_id, id)
    SELECT w.user_id, l.id, w.id FROM w JOIN lists l ON l.user_id = w.user_id AND l.inbox" > "$DIR/lists.tsv"
awk -v mode=tasks -v now="$(date +%s)" -v seed=7 -v lists="$DIR/lists.tsv" \
    -f "$BENCH/seed.awk" "$DIR/users.tsv" 2>/dev/null |
    "${PSQL[@]}" -c "COPY tasks ($TASK_COLS) FROM STDIN"
"${PSQL[@]}" -c "ANALYZE" >/dev/null
"${PSQL[@]}" -tAc "SELECT user_id, min(id), max(id) FROM tasks GROUP BY user_id" |
    tr '|' ' ' > "$DIR/ranges.txt"
# A session per user, as a login makes, for its tokens' sid (a build
# from before sessions ignores the claim).
"${PSQL[@]}" -tA -F ' ' -c "WITH s AS (INSERT INTO sessions (user_id) SELECT id FROM users
    RETURNING user_id, id) SELECT s.user_id, u.email, s.id FROM s JOIN users u ON u.id = s.user_id" |
    "$DIR/mint" "$DIR/a/jwt.secret" 86400 2>/dev/null |
    awk 'NR == FNR { r[$1] = $2 " " $3; next } ($1 in r) { print $1, $2, r[$1] }' "$DIR/ranges.txt" - \
    > "$DIR/tokens.txt"
[ -s "$DIR/tokens.txt" ] || { echo "compare: no tokens minted" >&2; exit 1; }

run() {  # mode port -> requests/s
    BENCH_MODE=$1 BENCH_TOKENS="$DIR/tokens.txt" wrk -t "$THREADS" -c "$CONNS" \
        -d "${DURATION}s" -s "$BENCH/bench.lua" "http://127.0.0.1:$2" |
        awk '/^BENCH_RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rps") print kv[2]; if (kv[1] == "non2xx" && kv[2] != 0) print "errors " kv[2] > "/dev/stderr" } }'
}
say "warming up both"
for p in "$PORT_A" "$PORT_B"; do
    BENCH_MODE=get BENCH_TOKENS="$DIR/tokens.txt" wrk -t "$THREADS" -c "$CONNS" -d 3s \
        -s "$BENCH/bench.lua" "http://127.0.0.1:$p" >/dev/null
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for mode in get list; do
    : > "$DIR/$mode.a"; : > "$DIR/$mode.b"
    for r in $(seq 1 "$ROUNDS"); do
        # A B in odd rounds, B A in even ones.
        if [ $((r % 2)) = 1 ]; then order="a b"; else order="b a"; fi
        for side in $order; do
            port=$PORT_A; [ "$side" = b ] && port=$PORT_B
            run "$mode" "$port" >> "$DIR/$mode.$side"
        done
        printf '%s round %d: now %s req/s, base %s req/s\n' "$mode" "$r" \
            "$(tail -n 1 "$DIR/$mode.a")" "$(tail -n 1 "$DIR/$mode.b")"
    done
    a=$(median < "$DIR/$mode.a"); b=$(median < "$DIR/$mode.b")
    awk -v m="$mode" -v a="$a" -v b="$b" -v rev="$rev" 'BEGIN {
        printf "RESULT %s: median now %.0f req/s, base (%s) %.0f req/s, now/base %.3f\n", m, a, rev, b, a / b }'
done
