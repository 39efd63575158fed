#!/bin/bash
# run.sh - `make bench`: load-test mod_tasks against its own PostgreSQL and
# httpd (scripts/stack.sh on free ports under .run/bench-PID, always torn
# down), next to two ceilings measured in the same run: the same httpd
# serving a static file of one task's size, and pgbench running the module's
# get-one SQL. Writes tests/bench/results/latest.md, latest.json and
# profile.md.
#
# Environment (defaults in brackets):
#   SCALE            default | full   [default: 1,000 users x 1,000 tasks;
#                                      full: 10,000 x 1,000]
#   USERS, TASKS_PER_USER              override the scale
#   TOKENS           users with minted tokens the load picks from [1000]
#   DURATION         seconds per scenario [12]
#   GROWTH_DURATION  seconds per growth measurement [3]
#   GROWTH_PASSES    passes over the growth sizes, best one reported [4]
#   DURATION_LONG    seconds of the memory soak [60; full: 300]
#   CONNS, THREADS   wrk connections / threads [16 / 2]
#   CONNS2           a second connection count for the targets' scenarios
#                    (static, floors, get, list, create, mix, the
#                    10,000-task user's pages) [32; 0: none]
#   DBD_POOL         mod_dbd connections per child (DBDMin = DBDKeep =
#                    DBDMax) [conf/tasks.conf's: 4]
#   LOGIN_CONNS      connections for the scrypt-bound login scenario [4]
#   PROFILE          auto | 0: perf profile of get-one [auto]
#   KEEP_STACK=1     keep .run/bench-PID (data, logs) after the run
#   BENCH_PG_OPTS    postgres -c options for the run
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BENCH="$ROOT/tests/bench"
RESULTS="$BENCH/results"
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
STARTED=$(date +%s)
LOAD_START=$(cut -d" " -f1-3 /proc/loadavg)

SCALE=${SCALE:-default}
case "$SCALE" in
    full) USERS=${USERS:-10000}; DURATION_LONG=${DURATION_LONG:-300} ;;
    default) USERS=${USERS:-1000}; DURATION_LONG=${DURATION_LONG:-60} ;;
    *) echo "SCALE must be default or full" >&2; exit 2 ;;
esac
TASKS_PER_USER=${TASKS_PER_USER:-1000}
TOKENS=${TOKENS:-1000}
[ "$TOKENS" -gt "$USERS" ] && TOKENS=$USERS
DURATION=${DURATION:-12}
GROWTH_DURATION=${GROWTH_DURATION:-3}
GROWTH_PASSES=${GROWTH_PASSES:-4}
CONNS=${CONNS:-16}
CONNS2=${CONNS2:-32}
THREADS=${THREADS:-2}
LOGIN_CONNS=${LOGIN_CONNS:-4}
PROFILE=${PROFILE:-auto}
DBD_POOL=${DBD_POOL:-}
# The soak measures RSS after a warm-up of at least 10 s and 2 s before
# its end: anything shorter than 30 s measures nothing.
for v in USERS TASKS_PER_USER TOKENS DURATION GROWTH_DURATION GROWTH_PASSES DURATION_LONG \
         CONNS THREADS LOGIN_CONNS; do
    case "${!v}" in
        ''|*[!0-9]*|0) echo "run.sh: $v='${!v}' must be a positive whole number" >&2; exit 2 ;;
    esac
done
case "$CONNS2" in
    ''|*[!0-9]*) echo "run.sh: CONNS2='$CONNS2' must be a whole number (0: none)" >&2; exit 2 ;;
esac
case "$DBD_POOL" in
    ''|[1-9]|[1-9][0-9]) ;;
    *) echo "run.sh: DBD_POOL='$DBD_POOL' must be 1-99 connections per child" >&2; exit 2 ;;
esac
if [ "$DURATION_LONG" -lt 30 ]; then
    echo "run.sh: DURATION_LONG=$DURATION_LONG: the memory soak needs at least 30 s" >&2
    exit 2
fi
LOGIN_USERS=4
GROWTH_COUNTS="100 1000 10000"
# The 1M/10M comparison: with SCALE=full the first 1,000 users (1M rows) are
# seeded, measured, then the rest.
PHASE1_USERS=$USERS
[ "$SCALE" = full ] && [ "$USERS" -gt 1000 ] && PHASE1_USERS=1000
BENCH_PG_OPTS=${BENCH_PG_OPTS:-"-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min -c maintenance_work_mem=512MB"}

DIR="$ROOT/.run/bench-$$"
HTTPD_PORT=""
cleanup() {
    [ -n "${SAMPLER_PID:-}" ] && kill "$SAMPLER_PID" 2>/dev/null
    [ -n "${RADICALE_PID:-}" ] && kill "$RADICALE_PID" 2>/dev/null
    if [ "${KEEP_STACK:-}" = 1 ]; then
        scripts/stack.sh down "$DIR" >/dev/null 2>&1 || true
        echo "==> stack kept in $DIR"
    else
        scripts/stack.sh destroy "$DIR" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '==> %s\n' "$*"; }
elapsed() { echo $(( $(date +%s) - STARTED )); }

mkdir -p "$DIR" "$RESULTS"
KV="$DIR/results.kv"        # key=value facts; report.awk turns them into md/json
: > "$KV"
kv() { printf '%s=%s\n' "$1" "$2" >> "$KV"; }

# ---------------------------------------------------------------- set-up
say "building the token minter"
cc -std=gnu11 -O2 -Wall -Wextra -Werror -Iinclude $(pkg-config --cflags apr-1) \
    -o "$DIR/mint" "$BENCH/mint.c" src/core/token.c src/core/keys.c src/core/b64url.c \
    $(pkg-config --libs apr-1) -ljwt -ljansson -lcrypto

# The floors' module (tests/bench/floor.c), built here, loaded only by
# this run's httpd.
say "building the floors' module (tests/bench/floor.c)"
mkdir -p "$DIR/floor"
cp "$BENCH/floor.c" "$DIR/floor/"
(cd "$DIR/floor" && apxs -c floor.c > build.log 2>&1) ||
    { cat "$DIR/floor/build.log" >&2; echo "cannot build tests/bench/floor.c" >&2; exit 1; }

PORT=$(scripts/stack.sh free-port)
mkdir -p "$DIR/static"
cat > "$DIR/extra.conf" <<CONF
# make bench: the static ceiling, served by the same httpd (same MPM
# settings) from a folder of the bench run; no mmap, like a plain read.
Alias /bench-static/ "$DIR/static/"
<Directory "$DIR/static">
    Require all granted
    EnableMMAP Off
    EnableSendfile Off
    Header always set X-Content-Type-Options nosniff
</Directory>
# Threads for the run's connection counts (CONNS2: 32 by default): the
# event MPM closes kept-alive connections once fewer than MinSpareThreads
# workers are idle and no more may start (AH10159), which wrk counts as
# read errors; the stack's 2 x 25 did that at 32 connections. Each child
# still shares its 4 pooled connections (conf/tasks.conf).
ThreadsPerChild 64
MaxRequestWorkers 128
MinSpareThreads 32
MaxSpareThreads 128
CONF
# DBD_POOL: another pool size than conf/tasks.conf's (the README advises
# 2-4 per child; make bench can measure what more does).
[ -n "$DBD_POOL" ] && printf 'DBDMin %s\nDBDKeep %s\nDBDMax %s\n' "$DBD_POOL" "$DBD_POOL" "$DBD_POOL" >> "$DIR/extra.conf"
# Without the floors for the PgBouncer scenarios: their statements are
# prepared by name on every connection, which a transaction pooler cannot
# keep.
cp "$DIR/extra.conf" "$DIR/extra-pooled.conf"
cat >> "$DIR/extra.conf" <<CONF
# make bench: the floors, on the same mod_dbd pool as mod_tasks.
LoadModule bench_floor_module $DIR/floor/.libs/floor.so
<Location "/bench-floor/">
    SetHandler bench-floor
</Location>
CONF
say "starting PostgreSQL and httpd in $DIR (port $PORT)"
PG_OPTS="$BENCH_PG_OPTS" EXTRA_CONF="$DIR/extra.conf" PGBIN="$PGBIN" \
    scripts/stack.sh up "$DIR" "$PORT" >/dev/null
# shellcheck disable=SC1091
. "$DIR/env"
export PGHOST PGPORT PGUSER PGDATABASE
BASE="http://127.0.0.1:$PORT"
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1)

# ---------------------------------------------------------------- seeding
TASK_COLS="user_id, title, description, completed, priority, due_at, tags, created_at, updated_at, completed_at, version, list_id"

# Secondary indexes are dropped for the bulk load and rebuilt afterwards
# (one sort per index instead of a million random insertions); the primary
# key stays. FK triggers are skipped during COPY (session_replication_role)
# and the reference is checked once afterwards; CHECK constraints still run.
# The replica role also skips the task_counts triggers: recounted below.
seed_tasks() {  # users-file
    local users_file=$1 idx
    idx=$("${PSQL[@]}" -tA -c "SELECT indexdef FROM pg_indexes WHERE tablename = 'tasks'
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'tasks'::regclass)")
    "${PSQL[@]}" -tA -c "SELECT 'DROP INDEX ' || string_agg(quote_ident(indexname), ', ') FROM pg_indexes
        WHERE tablename = 'tasks' AND indexname NOT IN
        (SELECT conname FROM pg_constraint WHERE conrelid = 'tasks'::regclass)" | "${PSQL[@]}"
    # Every user has an Inbox (a trigger made it); each gets a second list,
    # "Work", for the one-list scenario.
    "${PSQL[@]}" -tA -F $'\t' -c "CREATE TEMP TABLE m (id uuid); COPY m FROM STDIN" \
        -c "WITH w AS (INSERT INTO lists (user_id, name, position) SELECT id, 'Work', 1 FROM m
            ON CONFLICT DO NOTHING RETURNING user_id, id)
            SELECT w.user_id, l.id, w.id FROM w JOIN lists l ON l.user_id = w.user_id AND l.inbox" \
        < <(cut -f1 "$users_file") >> "$DIR/lists.tsv"
    awk -v mode=tasks -v now="$(date +%s)" -v seed="$RANDOM" -v lists="$DIR/lists.tsv" \
        -f "$BENCH/seed.awk" "$users_file" |
        "${PSQL[@]}" -c "SET session_replication_role = replica" -c "SET synchronous_commit = off" \
            -c "COPY tasks ($TASK_COLS) FROM STDIN"
    say "  rebuilding indexes"
    { echo "SET maintenance_work_mem = '512MB';"; echo "$idx" | sed 's/$/;/'; } | "${PSQL[@]}"
    local orphans
    orphans=$("${PSQL[@]}" -tA -c "SELECT count(*) FROM tasks t WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id)")
    [ "$orphans" = 0 ] || { echo "seeding left $orphans tasks without a user" >&2; exit 1; }
    # The replica role skipped the triggers that keep task_counts (sql/003):
    # recount once, as the migration does.
    say "  recounting task_counts"
    "${PSQL[@]}" -c "INSERT INTO task_counts AS c (user_id, total, completed)
        SELECT user_id, count(*), count(*) FILTER (WHERE completed) FROM tasks GROUP BY user_id
        ON CONFLICT (user_id) DO UPDATE SET total = EXCLUDED.total, completed = EXCLUDED.completed"
    # And the lists' counts (sql/009).
    "${PSQL[@]}" -c "UPDATE lists l SET task_count = c.n, pending_count = c.p
        FROM (SELECT list_id, count(*) AS n, count(*) FILTER (WHERE NOT completed) AS p
              FROM tasks GROUP BY list_id) c WHERE l.id = c.list_id"
    say "  VACUUM ANALYZE"
    "${PSQL[@]}" -c "VACUUM ANALYZE users" -c "VACUUM ANALYZE tasks" -c "VACUUM ANALYZE lists"
}

seed_users() {  # first last special -> appends to users.tsv, loads them
    awk -v mode=users -v users="$2" -v per_user="$TASKS_PER_USER" -v seed="$RANDOM$RANDOM" \
        -v special="$3" -f "$BENCH/seed.awk" | awk -v first="$1" 'NR >= first || $2 ~ /^grow-/' > "$DIR/users.part"
    # ids are random: an accidental repeat from another seed is ignored
    cut -f1-3 "$DIR/users.part" | "${PSQL[@]}" -c "COPY users (id, email, name) FROM STDIN"
    cat "$DIR/users.part" >> "$DIR/users.tsv"
}

T0=$(date +%s)
: > "$DIR/users.tsv"
: > "$DIR/lists.tsv"
say "seeding $PHASE1_USERS users x $TASKS_PER_USER tasks (+ users with $GROWTH_COUNTS tasks) by COPY"
seed_users 1 "$PHASE1_USERS" "$GROWTH_COUNTS"
seed_tasks "$DIR/users.part"
ROWS_PHASE1=$("${PSQL[@]}" -tA -c "SELECT count(*) FROM tasks")
say "  $ROWS_PHASE1 task rows after $(( $(date +%s) - T0 )) s"
kv seed.rows_phase1 "$ROWS_PHASE1"

# A handful of users with passwords, only for the login scenario: created
# through the API (scrypt hashes made by the module itself).
: > "$DIR/logins.txt"
for i in $(seq 1 $LOGIN_USERS); do
    email="login-$i@bench.example"; pw="bench-password-$i-$$"
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$pw\",\"name\":\"Login $i\"}" "$BASE/api/auth/signup")
    [ "$code" = 201 ] || { echo "signup of $email answered $code" >&2; exit 1; }
    echo "$email $pw" >> "$DIR/logins.txt"
done

# Tokens: "user_id token lo hi" for TOKENS users and each growth user. A
# user's seeded ids are one contiguous range (COPY inserts them in order);
# checked here, since the Lua script picks ids from the range.
mint_tokens() {  # users-lines-file out-file
    "${PSQL[@]}" -tA -F ' ' -c "CREATE TEMP TABLE m (id uuid); COPY m FROM STDIN" \
        -c "SELECT t.user_id, min(t.id), max(t.id), count(*) FROM tasks t JOIN m ON m.id = t.user_id GROUP BY 1" \
        < <(cut -f1 "$1") > "$DIR/ranges.txt"
    awk '$4 != $3 - $2 + 1 { bad++ } END { exit bad > 0 }' "$DIR/ranges.txt" ||
        { echo "task ids of a user are not contiguous" >&2; exit 1; }
    # A session per user, as a login makes, for the tokens' sid.
    "${PSQL[@]}" -tA -F ' ' -c "CREATE TEMP TABLE s (id uuid); COPY s FROM STDIN" \
        -c "WITH n AS (INSERT INTO sessions (user_id) SELECT id FROM s RETURNING user_id, id)
            SELECT n.user_id, u.email, n.id FROM n JOIN users u ON u.id = n.user_id" \
        < <(cut -f1 "$1") | "$DIR/mint" "$DIR/jwt.secret" 86400 2>/dev/null |
        awk 'NR == FNR { r[$1] = $2 " " $3; next } ($1 in r) { print $1, $2, r[$1] }' "$DIR/ranges.txt" - |
        awk -F'[\t ]' 'NR == FNR { w[$1] = $3; next } { print $0, w[$1] }' "$DIR/lists.tsv" - > "$2"
    [ -s "$2" ] || { echo "no tokens minted" >&2; exit 1; }
}
say "minting $TOKENS bearer tokens (tests/bench/mint.c, the module's tasks_token_issue)"
awk -v t="$TOKENS" '!/grow-/ && n++ < t' "$DIR/users.tsv" > "$DIR/token-users.tsv"
mint_tokens "$DIR/token-users.tsv" "$DIR/tokens.txt"
for n in $GROWTH_COUNTS; do
    grep "grow-$n@" "$DIR/users.tsv" > "$DIR/grow-$n.tsv"
    mint_tokens "$DIR/grow-$n.tsv" "$DIR/tokens-grow-$n.txt"
done
kv run.tokens "$(wc -l < "$DIR/tokens.txt")"

# The static ceiling's file: a real one-task response body.
read -r _ tok lo _ < "$DIR/tokens.txt"
curl -sf -H "Authorization: Bearer $tok" "$BASE/api/tasks/$lo" > "$DIR/static/task.json"
STATIC_BYTES=$(wc -c < "$DIR/static/task.json")
chmod 644 "$DIR/static/task.json"
curl -sf -o /dev/null "$BASE/bench-static/task.json" || { echo "static file not served" >&2; exit 1; }
kv static.bytes "$STATIC_BYTES"

# ---------------------------------------------------------------- measuring
HZ=$(getconf CLK_TCK)
httpd_pids() { local p; p=$(cat "$DIR/httpd.pid"); echo "$p"; ps -o pid= --ppid "$p" || true; }
# PostgreSQL's processes, and PgBouncer's once it runs (the last
# scenarios): the database side of a request.
pg_pids() {
    local p; p=$(head -n 1 "$DIR/pg/postmaster.pid"); echo "$p"; ps -o pid= --ppid "$p" || true
    [ -f "$DIR/pgbouncer.pid" ] && cat "$DIR/pgbouncer.pid"
    return 0
}
# utime+stime+cutime+cstime (clock ticks) of a set of processes; cutime/cstime
# keep the time of children that exited (e.g. pgbench's backends).
cpu_ticks() {
    local p s=0 t
    for p in "$@"; do
        t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$p/stat" 2>/dev/null) || continue
        s=$((s + ${t:-0}))
    done
    echo "$s"
}
cpu_snapshot() { echo "$(cpu_ticks $(httpd_pids)) $(cpu_ticks $(pg_pids))"; }
children_rss_kb() {  # sum of VmRSS of the httpd children
    local p s=0 v
    for p in $(ps -o pid= --ppid "$(cat "$DIR/httpd.pid")"); do
        v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
        s=$((s + ${v:-0}))
    done
    echo "$s"
}

# run_wrk NAME MODE CONNS THREADS DURATION TOKENS-FILE [BASE-URL]
run_wrk() {
    local name=$1 mode=$2 c=$3 t=$4 d=$5 tokens=$6 url=${7:-$BASE} before after out line wrk_cpu rb
    out="$DIR/wrk-$name.txt"
    before=$(cpu_snapshot)
    rb=$(cpu_ticks ${RADICALE_PID:-})
    { TIMEFORMAT='%U %S'; time BENCH_MODE=$mode BENCH_TOKENS=$tokens BENCH_LOGINS="$DIR/logins.txt" \
        wrk -t "$t" -c "$c" -d "${d}s" --timeout 10s --latency -s "$BENCH/bench.lua" "$url" > "$out"; } 2> "$DIR/wrk-$name.time"
    after=$(cpu_snapshot)
    [ -n "${RADICALE_PID:-}" ] && kv "sc.$name.cpu_radicale_s" \
        "$(awk -v a="$(cpu_ticks "$RADICALE_PID")" -v b="$rb" -v hz="$HZ" 'BEGIN { printf "%.2f", (a - b) / hz }')"
    line=$(grep '^BENCH_RESULT' "$out") || { cat "$out" >&2; echo "wrk gave no result for $name" >&2; exit 1; }
    wrk_cpu=$(awk '{ print $1 + $2 }' "$DIR/wrk-$name.time")
    echo "$line" | tr ' ' '\n' | grep = | sed "s/^/sc.$name./" >> "$KV"
    read -r hb pb <<< "$before"; read -r ha pa <<< "$after"
    kv "sc.$name.mode" "$mode"; kv "sc.$name.conns" "$c"; kv "sc.$name.threads" "$t"
    kv "sc.$name.cpu_httpd_s" "$(awk -v a="$ha" -v b="$hb" -v hz="$HZ" 'BEGIN { printf "%.2f", (a - b) / hz }')"
    kv "sc.$name.cpu_pg_s" "$(awk -v a="$pa" -v b="$pb" -v hz="$HZ" 'BEGIN { printf "%.2f", (a - b) / hz }')"
    kv "sc.$name.cpu_client_s" "$wrk_cpu"
    printf '    %-14s %s\n' "$name" "$(echo "$line" | sed 's/BENCH_RESULT //; s/duration_s=[^ ]* //; s/mean_us=[^ ]* //')"
}

SCENARIOS=""
scenario() { SCENARIOS="$SCENARIOS $1"; run_wrk "$1" "$2" "$3" "$THREADS" "$4" "$5"; }

say "warm-up (5 s of get-one and lists, not reported)"
BENCH_MODE=mix BENCH_TOKENS="$DIR/tokens.txt" wrk -t "$THREADS" -c "$CONNS" -d 5s -s "$BENCH/bench.lua" "$BASE" > /dev/null
POOL_CONNS=$("${PSQL[@]}" -tA -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mod_tasks'")
CHILDREN=$(ps -o pid= --ppid "$(cat "$DIR/httpd.pid")" | wc -l)
kv run.pool_connections "$POOL_CONNS"; kv run.httpd_children "$CHILDREN"
say "httpd children: $CHILDREN, pooled PostgreSQL connections: $POOL_CONNS"

say "scenarios: $DURATION s each, $CONNS connections, $THREADS threads"
scenario static static "$CONNS" "$DURATION" "$DIR/tokens.txt"
scenario floor_one floor_one "$CONNS" "$DURATION" "$DIR/tokens.txt"
scenario floor_page floor_page "$CONNS" "$DURATION" "$DIR/tokens.txt"
scenario get get "$CONNS" "$DURATION" "$DIR/tokens.txt"
scenario list list "$CONNS" "$DURATION" "$DIR/tokens.txt"
scenario list_one list_one "$CONNS" "$DURATION" "$DIR/tokens.txt"
scenario filter filter "$CONNS" "$DURATION" "$DIR/tokens.txt"
scenario create create "$CONNS" "$DURATION" "$DIR/tokens.txt"
scenario update update "$CONNS" "$DURATION" "$DIR/tokens.txt"
# The changes feed of the largest growth user after 10 changes: its cost
# follows the changes, not the user's tasks (the seeded tasks, copied with
# triggers off, are numbered 0; the 10 updates take numbers 1-10; the
# token of the first page of the full listing stands at 0).
GMAX=${GROWTH_COUNTS##* }
read -r cuid ctok clo chi _ < "$DIR/tokens-grow-$GMAX.txt"
"${PSQL[@]}" -q -c "UPDATE tasks SET title = title || ' (changed)' WHERE user_id = '$cuid'
    AND id IN (SELECT id FROM tasks WHERE user_id = '$cuid' ORDER BY id LIMIT 10)"
csince=$(curl -sf -H "Authorization: Bearer $ctok" "$BASE/api/tasks/changes?limit=1" |
         sed -n 's/.*"next":"\([^"]*\)".*/\1/p')
cn=$(curl -sf -H "Authorization: Bearer $ctok" "$BASE/api/tasks/changes?since=$csince" | grep -o '"user_id"' | wc -l)
[ "$cn" = 10 ] || { echo "the changes feed gave $cn changes, not 10" >&2; exit 1; }
echo "$cuid $ctok $clo $chi 0 $csince" > "$DIR/tokens-changes.txt"
kv changes.tasks "$GMAX"
scenario changes changes "$CONNS" "$DURATION" "$DIR/tokens-changes.txt"
# The same user's first page, plain and filtered (status, q and a tag):
# the filter's cost follows its matches, not the user's 10,000 tasks.
kv big.tasks "$GMAX"
scenario list_big list "$CONNS" "$DURATION" "$DIR/tokens-grow-$GMAX.txt"
scenario filter_big filter "$CONNS" "$DURATION" "$DIR/tokens-grow-$GMAX.txt"
# ---------------------------------------------------------------- CalDAV
# One list of 1,000 tasks served by the module and, from the same VTODOs,
# by Radicale (Debian's, multifilesystem storage, no auth) on this machine:
# PROPFIND Depth 1 of the list (what vdirsyncer asks: etag, content type,
# resource type), and sync-collection after 10 changes (a token taken
# before them; every request asks for the same 10).
say "CalDAV: a list of 1,000 tasks here and in Radicale $(dpkg-query -W -f '${Version}' radicale)"
demail="dav-bench-$$@example.org"
dsign=$(curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$demail\",\"password\":\"correct horse battery\"}" "$BASE/api/auth/signup")
dtok=$(echo "$dsign" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
duid=$(echo "$dsign" | sed -n 's/.*"user":{"id":"\([^"]*\)".*/\1/p')
dpw=$(curl -sf -H "Authorization: Bearer $dtok" -H 'Content-Type: application/json' -d '{"name":"bench"}' \
      "$BASE/api/auth/app-passwords" | sed -n 's/.*"password":"\([^"]*\)".*/\1/p')
dinbox=$(curl -sf -H "Authorization: Bearer $dtok" "$BASE/api/lists" | sed -n 's/^\[{"id":\([0-9]*\),.*/\1/p')
"${PSQL[@]}" -c "INSERT INTO tasks (user_id, list_id, title, description, priority, tags, due_at)
    SELECT '$duid', $dinbox, 'Task ' || g, 'Notes for task ' || g, (g % 4)::smallint,
           ARRAY['bench', 'tag' || (g % 8)], timestamptz '2027-01-01' + g * interval '1 hour'
      FROM generate_series(1, 1000) g"
DCOLL="/api/dav/$duid/$dinbox/"
DAUTH="Basic $(printf '%s:%s' "$demail" "$dpw" | base64 -w0)"
printf '%s' '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:getcontenttype/><d:resourcetype/></d:prop></d:propfind>' > "$DIR/dav-propfind.xml"
dav_sync_body() {  # token -> a sync-collection body
    printf '<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>%s</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>' "$1"
}
sync_token_of() {  # the multistatus's sync-token (with a prefix, or Radicale's default namespace)
    grep -o '<\([A-Za-z]*:\)\{0,1\}sync-token>[^<]*<' | tail -n 1 | sed 's/^<[^>]*>//; s/<$//'
}
responses_of() { grep -o '<\([A-Za-z]*:\)\{0,1\}response>' | wc -l; }

# Radicale, with the module's VTODOs as its files.
RPORT=$(scripts/stack.sh free-port)
RDIR="$DIR/radicale"
RCOLL="/bench/tasks/"
RTASKS="$RDIR/store/collection-root/bench/tasks"
mkdir -p "$RTASKS"
printf '{"tag": "VCALENDAR", "C:supported-calendar-component-set": "VTODO", "D:displayname": "Tasks"}' \
    > "$RTASKS/.Radicale.props"
curl -sf -X REPORT -H "Authorization: $DAUTH" -H 'Depth: 1' -H 'Content-Type: application/xml' \
    --data '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>' \
    "$BASE$DCOLL" > "$DIR/dav-all.xml"
/usr/bin/python3 - "$DIR/dav-all.xml" "$RTASKS" <<'PY'
import sys, urllib.parse, xml.etree.ElementTree as ET
ns = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav"}
n = 0
for r in ET.parse(sys.argv[1]).getroot().findall("d:response", ns):
    name = urllib.parse.unquote(r.find("d:href", ns).text.rsplit("/", 1)[1])
    with open(f"{sys.argv[2]}/{name}", "w", newline="") as f:
        f.write(r.find(".//c:calendar-data", ns).text)
    n += 1
assert n == 1000, n
PY
cat > "$RDIR/config" <<CONF
[server]
hosts = 127.0.0.1:$RPORT
[auth]
type = none
[rights]
type = owner_only
[storage]
filesystem_folder = $RDIR/store
[web]
type = none
[logging]
level = warning
CONF
/usr/bin/python3 -m radicale --config "$RDIR/config" > "$RDIR/radicale.log" 2>&1 &
RADICALE_PID=$!
RBASE="http://127.0.0.1:$RPORT"
RAUTH="Basic $(printf 'bench:x' | base64 -w0)"
for _ in $(seq 1 100); do curl -s -o /dev/null "$RBASE/" && break; sleep 0.1; done
kv caldav.radicale_version "$(dpkg-query -W -f '${Version}' radicale)"

# Both answer the PROPFIND with 1,000 tasks (and the list itself).
for side in "$BASE$DCOLL|$DAUTH" "$RBASE$RCOLL|$RAUTH"; do
    n=$(curl -sf -X PROPFIND -H "Authorization: ${side#*|}" -H 'Depth: 1' -H 'Content-Type: application/xml' \
        --data-binary @"$DIR/dav-propfind.xml" "${side%|*}" | responses_of)
    [ "$n" = 1001 ] || { echo "CalDAV PROPFIND of ${side%|*} gave $n responses, not 1001" >&2; exit 1; }
done
# The tokens before 10 changes: ours, then Radicale's (its first sync
# stores the state the later ones compare with).
dav_sync_body "" > "$DIR/dav-sync0.xml"
dtoken=$(curl -sf -X REPORT -H "Authorization: $DAUTH" -H 'Content-Type: application/xml' \
         --data-binary @"$DIR/dav-sync0.xml" "$BASE$DCOLL" | sync_token_of)
rtoken=$(curl -sf -X REPORT -H "Authorization: $RAUTH" -H 'Content-Type: application/xml' \
         --data-binary @"$DIR/dav-sync0.xml" "$RBASE$RCOLL" | sync_token_of)
[ -n "$dtoken" ] && [ -n "$rtoken" ] || { echo "no initial sync token (ours: '$dtoken', Radicale's: '$rtoken')" >&2; exit 1; }
"${PSQL[@]}" -c "UPDATE tasks SET title = title || ' (changed)' WHERE user_id = '$duid'
    AND id IN (SELECT id FROM tasks WHERE user_id = '$duid' ORDER BY id LIMIT 10)"
for f in $(ls "$RTASKS" | grep -v '^\.' | sort | head -n 10); do
    sed 's/^SUMMARY:\(.*\)$/SUMMARY:\1 (changed)/' "$RTASKS/$f" |
        curl -sf -X PUT -H "Authorization: $RAUTH" -H 'Content-Type: text/calendar' --data-binary @- \
             "$RBASE$RCOLL$f" -o /dev/null
done
dav_sync_body "$dtoken" > "$DIR/dav-sync-mod.xml"
dav_sync_body "$rtoken" > "$DIR/dav-sync-rad.xml"
for side in "$BASE$DCOLL|$DAUTH|$DIR/dav-sync-mod.xml" "$RBASE$RCOLL|$RAUTH|$DIR/dav-sync-rad.xml"; do
    IFS='|' read -r u a b <<< "$side"
    n=$(curl -sf -X REPORT -H "Authorization: $a" -H 'Content-Type: application/xml' --data-binary @"$b" "$u" | responses_of)
    [ "$n" = 10 ] || { echo "sync-collection of $u gave $n changes, not 10" >&2; exit 1; }
done
dav_run() {  # name url auth method depth body-file
    BENCH_DAV_URL=$2 BENCH_DAV_AUTH=$3 BENCH_DAV_METHOD=$4 BENCH_DAV_DEPTH=$5 BENCH_DAV_BODY=$6 \
        run_wrk "$1" dav "$CONNS" "$THREADS" "$DURATION" "$DIR/tokens.txt" "$2"
}
dav_run dav_propfind "$BASE$DCOLL" "$DAUTH" PROPFIND 1 "$DIR/dav-propfind.xml"
dav_run dav_sync "$BASE$DCOLL" "$DAUTH" REPORT "" "$DIR/dav-sync-mod.xml"
dav_run radicale_propfind "$RBASE$RCOLL" "$RAUTH" PROPFIND 1 "$DIR/dav-propfind.xml"
dav_run radicale_sync "$RBASE$RCOLL" "$RAUTH" REPORT "" "$DIR/dav-sync-rad.xml"
kill "$RADICALE_PID" 2>/dev/null; wait "$RADICALE_PID" 2>/dev/null || true; RADICALE_PID=""
kv caldav.done 1
# the mix, with the httpd children's RSS sampled every second for the peak
( peak=0; while :; do r=$(children_rss_kb); [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" > "$DIR/rss-peak"; sleep 1; done ) &
SAMPLER_PID=$!
scenario mix mix "$CONNS" "$DURATION" "$DIR/tokens.txt"
# The targets again at a second connection count (CONNS2; 0 skips).
if [ "$CONNS2" != 0 ] && [ "$CONNS2" != "$CONNS" ]; then
    say "at $CONNS2 connections: static, the floors, get-one, list, create, mix, the filtered list"
    for m in static floor_one floor_page get list create mix; do
        scenario "${m}_c$CONNS2" "$m" "$CONNS2" "$DURATION" "$DIR/tokens.txt"
    done
    scenario "list_big_c$CONNS2" list "$CONNS2" "$DURATION" "$DIR/tokens-grow-$GMAX.txt"
    scenario "filter_big_c$CONNS2" filter "$CONNS2" "$DURATION" "$DIR/tokens-grow-$GMAX.txt"
    kv run.conns2 "$CONNS2"
fi
kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
kv mem.peak_rss_kb "$(cat "$DIR/rss-peak")"
SCENARIOS="$SCENARIOS login"
run_wrk login login "$LOGIN_CONNS" "$THREADS" "$DURATION" "$DIR/tokens.txt"

# ---------------------------------------------------------------- pgbench
# The database ceiling: the module's one statement of a get-one
# (tasks_task_get, with its caller check), its text taken from the built
# module so it is exactly what store.c prepares, run by pgbench -M prepared
# under the module's session settings with as many clients as the module's
# pool holds connections. Each client works for one user (uuid, jti, id
# range from a helper table) and switches to another random user every ~50
# transactions (that lookup is the only extra work). pgbench turns every
# ":name" into a parameter, even inside a string literal, so a to_char
# format HH24:MI:SS would be written HH24":"MI":"SS (the same output).
say "pgbench ceiling: the get-one SQL, -M prepared, $POOL_CONNS clients"
SO="$ROOT/.libs/mod_tasks.so"
GET_SQL=$(LC_ALL=C grep -aoE 'SELECT [[:print:]]*LEFT JOIN tasks t ON t\.user_id = p\.uid AND t\.id = p\.id' "$SO" | head -n 1)
SESSION_SQL=$(LC_ALL=C grep -aoE 'SET plan_cache_mode = [a-z_]+' "$SO" | head -n 1)
[ -n "$GET_SQL" ] && [ -n "$SESSION_SQL" ] || { echo "could not find the get-one statement in $SO" >&2; exit 1; }
# jti of each minted token (the payload's "jti"), for the revocation check
# jti, iat and sid of each minted token (its payload's), as the module
# passes them to every statement (CALLER_PARAMS)
"${PSQL[@]}" -c "DROP TABLE IF EXISTS bench_pgb; CREATE TABLE bench_pgb (n serial PRIMARY KEY, uid uuid, jti text, iat bigint, sid uuid, lo bigint, hi bigint)"
while read -r uid tok lo hi _; do
    p=${tok#*.}; p=${p%%.*}; p=$(printf '%s' "$p" | tr '_-' '/+'); while [ $(( ${#p} % 4 )) -ne 0 ]; do p="$p="; done
    payload=$(printf '%s' "$p" | base64 -d 2>/dev/null)
    jti=$(printf '%s' "$payload" | sed -n 's/.*"jti":"\([0-9a-f]*\)".*/\1/p')
    iat=$(printf '%s' "$payload" | sed -n 's/.*"iat":\([0-9]*\).*/\1/p')
    sid=$(printf '%s' "$payload" | sed -n 's/.*"sid":"\([0-9a-f-]*\)".*/\1/p')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$uid" "$jti" "$iat" "$sid" "$lo" "$hi"
done < "$DIR/tokens.txt" | "${PSQL[@]}" -c "COPY bench_pgb (uid, jti, iat, sid, lo, hi) FROM STDIN"
"${PSQL[@]}" -c "ANALYZE bench_pgb"
NPGB=$("${PSQL[@]}" -tA -c "SELECT count(*) FROM bench_pgb")
{
    echo '\set pick random(1, 50)'
    echo '\if :have = 0 or :pick = 1'
    echo "\\set rn random(1, $NPGB)"
    echo 'SELECT uid, jti, iat, sid, lo, hi FROM bench_pgb WHERE n = :rn \gset'
    echo '\set have 1'
    echo '\endif'
    echo '\set tid random(:lo, :hi)'
    echo "$GET_SQL;" | sed 's/HH24:MI:SS/HH24":"MI":"SS/g; s/%s::uuid/:uid::uuid/; s/%pDt::text AS jti/:jti::text AS jti/; s/%pDt::bigint AS iat/:iat::bigint AS iat/; s/%pDt::uuid AS sid/:sid::uuid AS sid/; s/%lld::bigint/:tid::bigint/'
} > "$DIR/pgbench-get.sql"
# The module's session settings, as every pooled connection has them.
PGB_OPTIONS=$(printf '%s' "$SESSION_SQL" | sed -E 's/SET ([A-Za-z_]+) = ([A-Za-z_]+);? ?/-c \1=\2 /g')
cp "$DIR/pgbench-get.sql" "$RESULTS/pgbench-get.sql"
before=$(cpu_snapshot)
{ TIMEFORMAT='%U %S'; time PGOPTIONS="$PGB_OPTIONS" "$PGBIN/pgbench" -n -M prepared -c "$POOL_CONNS" -j "$THREADS" -T "$DURATION" -D have=0 \
    -f "$DIR/pgbench-get.sql" -l --log-prefix="$DIR/pgb" > "$DIR/pgbench.txt" 2>&1; } 2> "$DIR/pgbench.time"
sleep 0.5
after=$(cpu_snapshot)
read -r hb pb <<< "$before"; read -r ha pa <<< "$after"
TPS=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$DIR/pgbench.txt")
TX=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$DIR/pgbench.txt")
FAILED=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$DIR/pgbench.txt")
[ -n "$TPS" ] || { cat "$DIR/pgbench.txt" >&2; echo "pgbench failed" >&2; exit 1; }
cat "$DIR"/pgb.* | awk '{ print $3 }' | sort -n | awk '{ v[NR] = $1 } END {
    printf "p50_us=%d\np90_us=%d\np99_us=%d\nmax_us=%d\n", v[int(NR*0.50)+1], v[int(NR*0.90)+1], v[int(NR*0.99)+1], v[NR] }' |
    sed 's/^/pgb./' >> "$KV"
kv pgb.tps "$TPS"; kv pgb.transactions "$TX"; kv pgb.failed "${FAILED:-0}"; kv pgb.clients "$POOL_CONNS"
kv pgb.cpu_pg_s "$(awk -v a="$pa" -v b="$pb" -v hz="$HZ" 'BEGIN { printf "%.2f", (a - b) / hz }')"
kv pgb.cpu_client_s "$(awk '{ print $1 + $2 }' "$DIR/pgbench.time")"
printf '    %-14s tps=%s transactions=%s failed=%s\n' pgbench "$TPS" "$TX" "${FAILED:-0}"

# PostgreSQL's CPU per statement depends on the load as well as on the
# statement: under a saturating pgbench a backend finds the next query
# already waiting, while at a lower rate every query wakes an idle backend
# (kernel time, counted as PostgreSQL's). So the CPU comparison also runs
# pgbench throttled (-R) to the rate the get-one scenario reached.
GET_RATE=$(sed -n 's/^sc\.get\.rps=\([0-9]*\).*/\1/p' "$KV" | head -n 1)
if [ -n "$GET_RATE" ] && [ "$GET_RATE" -gt 0 ]; then
    say "pgbench at the get-one scenario's rate: $GET_RATE tx/s"
    before=$(cpu_snapshot)
    PGOPTIONS="$PGB_OPTIONS" "$PGBIN/pgbench" -n -M prepared -c "$POOL_CONNS" -j "$THREADS" -T "$DURATION" -R "$GET_RATE" -D have=0 \
        -f "$DIR/pgbench-get.sql" > "$DIR/pgbench-rate.txt" 2>&1
    sleep 0.5
    after=$(cpu_snapshot)
    read -r hb pb <<< "$before"; read -r ha pa <<< "$after"
    RTX=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$DIR/pgbench-rate.txt")
    [ -n "$RTX" ] || { cat "$DIR/pgbench-rate.txt" >&2; echo "pgbench (throttled) failed" >&2; exit 1; }
    kv pgbr.rate "$GET_RATE"; kv pgbr.transactions "$RTX"
    kv pgbr.failed "$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$DIR/pgbench-rate.txt" | head -n 1)"
    kv pgbr.cpu_pg_s "$(awk -v a="$pa" -v b="$pb" -v hz="$HZ" 'BEGIN { printf "%.2f", (a - b) / hz }')"
    printf '    %-14s rate=%s transactions=%s\n' pgbench-rate "$GET_RATE" "$RTX"
fi

# The floor of a create: the same INSERT into tasks (its indexes, its
# triggers: the counts, the change number under the users row's lock,
# the CalDAV defaults; the words index's keys) by pgbench -M prepared,
# each client working for one user's Inbox and switching users every ~50
# transactions, with as many clients as the scenario has connections
# (CONNS, and CONNS2 when set). What it leaves out is what the module
# adds: the caller check, the list's lookup and lock, the JSON, HTTP.
"${PSQL[@]}" -c "ALTER TABLE bench_pgb ADD COLUMN inbox bigint" \
    -c "UPDATE bench_pgb b SET inbox = l.id FROM lists l WHERE l.user_id = b.uid AND l.inbox"
pgb_user() {  # the script's lines that pick (and now and then switch) its user
    echo '\set pick random(1, 50)'
    echo '\if :have = 0 or :pick = 1'
    echo "\\set rn random(1, $NPGB)"
    echo 'SELECT uid, jti, iat, sid, inbox FROM bench_pgb WHERE n = :rn \gset'
    echo '\set have 1'
    echo '\endif'
    echo '\set prio random(0, 3)'
}
{
    pgb_user
    echo "INSERT INTO tasks (user_id, list_id, title, description, priority, tags, due_at)"
    echo "  VALUES (:uid::uuid, :inbox::bigint, 'Bench pgbench', 'created by make bench',"
    echo "  :prio::smallint, ARRAY['work', 'bench'], '2031-05-15T09:30:00Z');"
} > "$DIR/pgbench-insert.sql"
cp "$DIR/pgbench-insert.sql" "$RESULTS/pgbench-insert.sql"
# pgbench_run KEY CLIENTS MODE SCRIPT: one pgbench run, its figures as KEY.*
pgbench_run() {
    local key=$1 clients=$2 mode=$3 script=$4 before after hb pb ha pa tps tx
    before=$(cpu_snapshot)
    PGOPTIONS="$PGB_OPTIONS" "$PGBIN/pgbench" -n -M "$mode" -c "$clients" -j "$THREADS" -T "$DURATION" -D have=0 \
        -D prepared=0 -f "$script" > "$DIR/$key.txt" 2>&1
    sleep 0.5
    after=$(cpu_snapshot)
    read -r hb pb <<< "$before"; read -r ha pa <<< "$after"
    tps=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$DIR/$key.txt")
    tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$DIR/$key.txt")
    [ -n "$tps" ] || { cat "$DIR/$key.txt" >&2; echo "pgbench ($key) failed" >&2; exit 1; }
    kv "$key.tps" "$tps"; kv "$key.transactions" "$tx"; kv "$key.clients" "$clients"
    kv "$key.failed" "$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$DIR/$key.txt" | head -n 1)"
    kv "$key.cpu_pg_s" "$(awk -v a="$pa" -v b="$pb" -v hz="$HZ" 'BEGIN { printf "%.2f", (a - b) / hz }')"
    printf '    %-14s clients=%s tps=%s transactions=%s\n' "$key" "$clients" "$tps" "$tx"
}
say "pgbench floor of a create: the same INSERT, -M prepared, $CONNS clients${CONNS2:+ and $CONNS2}"
pgbench_run pgbi "$CONNS" prepared "$DIR/pgbench-insert.sql"
if [ "$CONNS2" != 0 ] && [ "$CONNS2" != "$CONNS" ]; then
    pgbench_run "pgbi_c$CONNS2" "$CONNS2" prepared "$DIR/pgbench-insert.sql"
fi
# The statement alone: the module's whole create statement (taken from
# the store through tests/tools/store_statements, its parameters as
# $n) next to the bare INSERT, both as PREPARE once per client and
# EXECUTE (-M simple, which puts the variables into the text), with the
# pool's client count: what the statement adds in PostgreSQL, apart from
# what HTTP, httpd and the load generator add.
say "pgbench: the module's create statement and the bare INSERT, PREPARE/EXECUTE, $POOL_CONNS clients"
cc -std=gnu11 -O2 -Iinclude $(pkg-config --cflags apr-1 apr-util-1) -o "$DIR/store_statements" \
    tests/tools/store_statements.c src/store/statements.c
CREATE_SQL=$("$DIR/store_statements" | awk -F'\t' '$1 == "tasks_task_insert" {
    s = $2; out = ""; n = 0
    while (match(s, /%(%|pDt|pDz|lld|hd|d|s)/)) {
        tok = substr(s, RSTART, RLENGTH); out = out substr(s, 1, RSTART - 1)
        if (tok == "%%") out = out "%"; else out = out "$" ++n
        s = substr(s, RSTART + RLENGTH)
    }
    print out s }')
[ -n "$CREATE_SQL" ] || { echo "could not find the create statement" >&2; exit 1; }
prepared_script() {  # SQL ARGS: a script that prepares SQL once per client, then executes it
    pgb_user
    printf '%s\n' "\\if :prepared = 0" "PREPARE c AS $1;" "\\set prepared 1" "\\endif"
    echo "EXECUTE c($2);"
}
prepared_script "INSERT INTO tasks (user_id, list_id, title, description, priority, tags, due_at) VALUES (\$1::uuid, \$2::bigint, 'Bench pgbench', 'created by make bench', \$3::smallint, ARRAY['work', 'bench'], '2031-05-15T09:30:00Z')" \
    "':uid', ':inbox', :prio" > "$DIR/pgbench-insert-prepared.sql"
# The module's parameters: the caller (user, jti, iat, session), then each
# writable field (title, description, completed, priority, due_at, tags,
# list: NULL for the Inbox, recurrence, time zone, reminders) and the
# CalDAV resource (NULLs: the defaults); the create without an
# idempotency key, as the scenario's.
prepared_script "$CREATE_SQL" \
    "':uid', ':jti', ':iat', ':sid', 'Bench pgbench', 'created by make bench', 'f', :prio, '2031-05-15T09:30:00Z', '[\"work\", \"bench\"]', NULL, NULL, 'UTC', '[]', NULL, NULL, NULL" \
    > "$DIR/pgbench-create.sql"
cp "$DIR/pgbench-create.sql" "$RESULTS/pgbench-create.sql"
pgbench_run pgbs "$POOL_CONNS" simple "$DIR/pgbench-insert-prepared.sql"
pgbench_run pgbc "$POOL_CONNS" simple "$DIR/pgbench-create.sql"

# ---------------------------------------------------------------- growth
# Several short passes, sizes ascending and descending in turn, so that a
# burst of other work on this shared machine does not land on one size
# only; the report takes each measurement's best pass (interference only
# ever adds latency).
say "growth: one connection, $GROWTH_DURATION s each, users with $GROWTH_COUNTS tasks, $GROWTH_PASSES passes"
ASC="$GROWTH_COUNTS"; DESC=$(echo "$GROWTH_COUNTS" | tr ' ' '\n' | sort -rn | tr '\n' ' ')
for pass in $(seq 1 "$GROWTH_PASSES"); do
    suffix=""; [ "$pass" -gt 1 ] && suffix="_p$pass"
    order=$ASC; [ $((pass % 2)) -eq 0 ] && order=$DESC
    for n in $order; do
        run_wrk "grow_get_$n$suffix" get 1 1 "$GROWTH_DURATION" "$DIR/tokens-grow-$n.txt"
        run_wrk "grow_list_$n$suffix" list 1 1 "$GROWTH_DURATION" "$DIR/tokens-grow-$n.txt"
    done
done
run_wrk grow_get_rows1 get 1 1 "$GROWTH_DURATION" "$DIR/tokens.txt"
kv grow.rows1 "$ROWS_PHASE1"
if [ "$PHASE1_USERS" -lt "$USERS" ]; then
    say "seeding users $((PHASE1_USERS + 1))..$USERS (SCALE=full)"
    T0=$(date +%s)
    seed_users $((PHASE1_USERS + 1)) "$USERS" ""
    seed_tasks "$DIR/users.part"
    ROWS2=$("${PSQL[@]}" -tA -c "SELECT count(*) FROM tasks")
    say "  $ROWS2 task rows after $(( $(date +%s) - T0 )) s"
    kv grow.rows2 "$ROWS2"
    run_wrk grow_get_rows2 get 1 1 "$GROWTH_DURATION" "$DIR/tokens.txt"
fi

# ---------------------------------------------------------------- profile
# perf on every httpd and postgres process while wrk drives one scenario.
profile_scenario() {  # MODE
    local mode=$1 pids wrk_pid data="$DIR/perf-$1.data"
    BENCH_MODE=$mode BENCH_TOKENS="$DIR/tokens.txt" wrk -t "$THREADS" -c "$CONNS" -d 11s -s "$BENCH/bench.lua" "$BASE" > /dev/null &
    wrk_pid=$!
    sleep 2
    pids=$( { httpd_pids; pg_pids; } | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
    perf record -q -F 499 -g -p "$pids" -o "$data" -- sleep 8 >/dev/null 2>&1 || true
    wait "$wrk_pid" || true
    ( set +e +o pipefail
        echo "## Scenario \`$mode\`"
        echo
        echo "### By process and shared object (self time, % of all samples)"
        echo '```'
        perf report -i "$data" --no-children --sort comm,dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 22
        echo '```'
        echo
        echo "### httpd (apache2): top symbols, self"
        echo '```'
        perf report -i "$data" --no-children --comm apache2 --sort dso,sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 30
        echo '```'
        echo
        echo "### httpd: module, database client and JSON/crypto functions (children = inclusive, self)"
        echo '```'
        perf report -i "$data" --children --comm apache2 --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' |
            grep -E 'tasks_|ap_dbd|apr_dbd|jwt|json_|HMAC|PQ|pgsql|ap_process_request|ap_run_|EVP_|scrypt' | head -n 30
        echo '```'
        echo
        echo "### postgres: top symbols, self"
        echo '```'
        perf report -i "$data" --no-children --comm postgres --sort dso,sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 30
        echo '```'
        echo
    ) >> "$RESULTS/profile.md"
}
if [ "$PROFILE" != 0 ] && command -v perf >/dev/null && perf record -o /dev/null -q -- true >/dev/null 2>&1; then
    say "profiling get-one, list, filter, create, update and the mix with perf (8 s each)"
    {
        echo "# Profile (generated by tests/bench/run.sh)"
        echo
        echo "\`perf record -F 499 -g\` on every httpd and postgres process for 8 s of a scenario"
        echo "($CONNS connections, $THREADS wrk threads). Kernel time of a process is its system"
        echo "calls, loopback TCP, the Unix socket to PostgreSQL and context switches."
        echo
    } > "$RESULTS/profile.md"
    for m in get list filter create update mix; do
        profile_scenario "$m"
    done
    kv profile.done 1
else
    kv profile.done 0
fi

# ---------------------------------------------------------------- memory soak
say "memory: mixed load for $DURATION_LONG s, children's RSS after warm-up and at the end"
PIDS_START=$(ps -o pid= --ppid "$(cat "$DIR/httpd.pid")" | sort | tr -d ' ' | tr '\n' ' ')
BENCH_MODE=mix BENCH_TOKENS="$DIR/tokens.txt" wrk -t "$THREADS" -c "$CONNS" -d "${DURATION_LONG}s" --latency \
    -s "$BENCH/bench.lua" "$BASE" > "$DIR/wrk-soak.txt" &
WRK_PID=$!
WARM=$(( DURATION_LONG / 6 )); [ "$WARM" -lt 10 ] && WARM=10
sleep "$WARM"
RSS_START=$(children_rss_kb)
sleep $(( DURATION_LONG - WARM - 2 ))
RSS_END=$(children_rss_kb)
PIDS_END=$(ps -o pid= --ppid "$(cat "$DIR/httpd.pid")" | sort | tr -d ' ' | tr '\n' ' ')
wait "$WRK_PID"
grep '^BENCH_RESULT' "$DIR/wrk-soak.txt" | tr ' ' '\n' | grep = | sed 's/^/soak./' >> "$KV"
kv mem.soak_s "$DURATION_LONG"; kv mem.warm_s "$WARM"
kv mem.rss_start_kb "$RSS_START"; kv mem.rss_end_kb "$RSS_END"
kv mem.same_children "$([ "$PIDS_START" = "$PIDS_END" ] && echo yes || echo no)"
say "  RSS $RSS_START kB -> $RSS_END kB"

# ---------------------------------------------------------------- PgBouncer
# The same httpd, restarted to reach PostgreSQL through PgBouncer 1.18 in
# pool_mode = transaction (TasksDBPooling transaction: statements sent
# with their parameters and planned each time), for get-one and the mix
# next to the direct connection's figures above. PgBouncer's CPU counts
# as the database's.
say "through PgBouncer (pool_mode = transaction): get-one and mix"
scripts/stack.sh httpd-down "$DIR" >/dev/null
scripts/stack.sh pooler-up "$DIR" transaction >/dev/null
PG_OPTS="$BENCH_PG_OPTS" EXTRA_CONF="$DIR/extra-pooled.conf" PGBIN="$PGBIN" \
    scripts/stack.sh httpd-up "$DIR" "$PORT" >/dev/null
kv run.pgbouncer "$(dpkg-query -W -f '${Version}' pgbouncer)"
BENCH_MODE=mix BENCH_TOKENS="$DIR/tokens.txt" wrk -t "$THREADS" -c "$CONNS" -d 5s -s "$BENCH/bench.lua" "$BASE" > /dev/null
scenario get_pgbouncer get "$CONNS" "$DURATION" "$DIR/tokens.txt"
scenario mix_pgbouncer mix "$CONNS" "$DURATION" "$DIR/tokens.txt"

# ---------------------------------------------------------------- report
kv run.scale "$SCALE"; kv run.users "$USERS"; kv run.tasks_per_user "$TASKS_PER_USER"
kv run.duration_s "$DURATION"; kv run.growth_duration_s "$GROWTH_DURATION"; kv run.growth_passes "$GROWTH_PASSES"
kv run.conns "$CONNS"; kv run.threads "$THREADS"; kv run.login_conns "$LOGIN_CONNS"
kv run.scenarios "$(echo $SCENARIOS)"
kv run.growth_counts "$GROWTH_COUNTS"
kv run.command "$(env | grep -E '^(SCALE|USERS|TASKS_PER_USER|TOKENS|DURATION|GROWTH_DURATION|GROWTH_PASSES|DURATION_LONG|CONNS|CONNS2|THREADS|LOGIN_CONNS|PROFILE|DBD_POOL|BENCH_PG_OPTS)=' | sort | tr '\n' ' ')make bench"
kv run.date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
kv run.git "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . ':!tests/bench' 2>/dev/null || echo '+dirty')"
kv run.total_s "$(elapsed)"
kv run.pg_opts "$BENCH_PG_OPTS"
kv machine.loadavg_start "$LOAD_START"
kv machine.loadavg_end "$(cut -d" " -f1-3 /proc/loadavg)"
kv machine.nproc "$(nproc)"
kv machine.cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
kv machine.mem "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
kv machine.kernel "$(uname -sr)"
kv machine.os "$(. /etc/os-release && echo "$PRETTY_NAME")"
kv version.httpd "$(/usr/sbin/apache2 -v | sed -n 's/^Server version: //p')"
kv version.mpm "$(/usr/sbin/apache2 -f "$DIR/httpd.conf" -V 2>/dev/null | sed -n 's/^Server MPM: *//p')"
kv version.postgres "$("$PGBIN/postgres" --version)"
kv version.wrk "$(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }')"
kv version.pgbench "$("$PGBIN/pgbench" --version)"
kv version.libs "$(dpkg-query -W -f='${Package} ${Version}, ' libjwt0 libjwt2 libjansson4 libssl3 libaprutil1-dbd-pgsql libpq5 2>/dev/null | sed 's/, $//')"
kv version.cc "$(cc --version | head -n 1)"

awk -v format=md -f "$BENCH/report.awk" "$KV" > "$RESULTS/latest.md"
awk -v format=json -f "$BENCH/report.awk" "$KV" > "$RESULTS/latest.json"
cp "$KV" "$RESULTS/latest.kv"
say "results: tests/bench/results/latest.md, latest.json, profile.md ($(elapsed) s)"
echo
sed -n '/^## Targets/,/^## /p' "$RESULTS/latest.md" | sed '$d'
