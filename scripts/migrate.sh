#!/bin/sh
# migrate.sh DATABASE_URL - apply the pending sql/NNN_*.sql migrations in
# order, each in its own transaction together with its record in
# schema_migrations. Safe to run again: applied files are skipped.
set -eu
url=${1:?usage: migrate.sh DATABASE_URL}
dir=$(cd "$(dirname "$0")/../sql" && pwd)
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$url" "$@"; }

psql -c "CREATE TABLE IF NOT EXISTS schema_migrations (
           version text PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now())" 2>&1 | grep -v 'already exists, skipping' >&2 || true
for f in "$dir"/[0-9][0-9][0-9]_*.sql; do
    v=$(basename "$f" .sql)
    done_already=$(psql -At -c "SELECT 1 FROM schema_migrations WHERE version = '$v'")
    [ -n "$done_already" ] && continue
    echo "==> applying $v"
    # The advisory lock serialises concurrent runs of this script.
    { echo "SELECT pg_advisory_xact_lock(7310585) \\g /dev/null"
      echo "DO \$\$ BEGIN IF EXISTS (SELECT 1 FROM schema_migrations WHERE version = '$v') THEN RAISE EXCEPTION 'already applied'; END IF; END \$\$;"
      cat "$f"
      echo "INSERT INTO schema_migrations (version) VALUES ('$v');"; } \
      | psql -1 -f - || { echo "migration $v failed; nothing of it was applied" >&2; exit 1; }
done
echo "==> database schema is up to date"
