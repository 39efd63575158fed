#!/bin/sh
# migrate.sh [--grant-to ROLE] [--sql-dir DIR] DATABASE_URL - apply the pending
# sql/NNN_*.sql migrations in order, each in its own transaction together
# with its record in schema_migrations. Safe to run again: applied files
# are skipped. Run it as the role that owns the schema's objects (README,
# "Database and migrations").
#
# --grant-to ROLE: then give ROLE, the runtime role httpd connects as,
# exactly the privileges of sql/grants.sql (everything else the owner had
# granted it is revoked), in one more transaction; done on every run, so
# the grants follow the migrations. ROLE must not be the role running
# this, nor a superuser.
#
# --sql-dir DIR: where the migrations and grants.sql are. Default: SQL_DIR
# below; empty in the checkout, meaning ../sql next to this script. (What
# is installed is the admin command mod-tasks, whose "migrate" does the
# same: README, "mod-tasks (the admin command)".)
set -eu
SQL_DIR=
usage() { echo "usage: ${0##*/} [--grant-to ROLE] [--sql-dir DIR] DATABASE_URL" >&2; exit 2; }
role=
dir=$SQL_DIR
while [ $# -gt 0 ]; do
    case "$1" in
        --grant-to) [ $# -ge 2 ] && [ -n "$2" ] || usage; role=$2; shift 2 ;;
        --grant-to=*) role=${1#--grant-to=}; [ -n "$role" ] || usage; shift ;;
        --sql-dir) [ $# -ge 2 ] && [ -n "$2" ] || usage; dir=$2; shift 2 ;;
        --sql-dir=*) dir=${1#--sql-dir=}; [ -n "$dir" ] || usage; shift ;;
        -*) usage ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || usage
url=$1
[ -n "$dir" ] || dir=$(dirname "$0")/../sql
dir=$(cd "$dir" && pwd) || { echo "migrate: no SQL directory $dir" >&2; exit 1; }
[ -f "$dir/grants.sql" ] || { echo "migrate: $dir holds no mod_tasks migrations (grants.sql)" >&2; exit 1; }
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$url" "$@"; }

# The role to grant to, checked before anything is applied: never the
# owner itself (its REVOKE ALL would strip the owner), nor a superuser
# (grants mean nothing to it).
if [ -n "$role" ]; then
    kind=$(echo "SELECT CASE WHEN rolname = current_user THEN 'self' WHEN rolsuper THEN 'superuser'
                 ELSE 'ok' END FROM pg_roles WHERE rolname = :'role'" | psql -At -v role="$role" -f -)
    case "$kind" in
        ok) ;;
        self) echo "migrate: --grant-to $role names the role running the migrations; give the runtime role its own" >&2; exit 1 ;;
        superuser) echo "migrate: --grant-to $role names a superuser; the runtime role must be an ordinary role" >&2; exit 1 ;;
        *) echo "migrate: role $role does not exist (CREATE ROLE $role LOGIN PASSWORD ..., see README)" >&2; exit 1 ;;
    esac
fi

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

[ -n "$role" ] || exit 0
echo "==> granting $role the runtime privileges (sql/grants.sql)"
psql -1 -v role="$role" -f "$dir/grants.sql" || { echo "migrate: the grants failed; $role keeps what it had" >&2; exit 1; }
