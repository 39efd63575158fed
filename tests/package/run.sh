#!/bin/bash
# tests/package/run.sh - the Debian package is the module the tests test
# (make test-package; README, "Tests"). As root:
#   1. make deb (lintian: no errors), then install dist/*.deb with apt-get
#      into this machine's Apache (/etc/apache2, /usr/lib/apache2/modules),
#      with a policy-rc.d that keeps Debian's apache2 service from starting;
#   2. installing enables nothing; `a2enmod tasks` enables it and dbd and
#      the machine's `apache2ctl configtest` still passes;
#   3. a private PostgreSQL (scripts/stack.sh pg-up) migrated by the
#      installed /usr/sbin/mod-tasks, and a private httpd whose
#      configuration is the installed files: mods-available/*.load,
#      mods-available/tasks.conf and, in a virtual host, tasks/vhost.conf
#      (paths and DBDParams by Define). Its configtest passes with the
#      module alone, fails naming TasksJWTSecretFile while the site has
#      no secret, passes with it; then health, the app's page from
#      /usr/share/mod-tasks/htdocs, signup, a task created and read back;
#   4. the same package installed again keeps an edited conffile, a secret
#      in /etc/apache2/tasks and the module enabled;
#   5. purge: every path of `dpkg -L` that was not there before is gone,
#      and so is the a2enmod state (mods-enabled, /var/lib/apache2); the
#      machine's a2enmod state of dbd is put back as it was.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PKG=libapache2-mod-tasks
STACK=$ROOT/scripts/stack.sh
APACHE=/usr/sbin/apache2
APT_OPTS=(-y -qq --no-install-recommends -o DPkg::Lock::Timeout=300)
export DEBIAN_FRONTEND=noninteractive

fail() { echo "package test: FAIL: $*" >&2; exit 1; }
ok() { echo "  ok: $*"; }

[ "$(id -u)" = 0 ] || fail "needs root (it installs the package into this machine's Apache)"

DIR=$ROOT/.run/package-$$          # the private servers (stack.sh)
WORK=$(mktemp -d)                   # logs and the machine's state before
mkdir -p "$DIR"
POLICY_CREATED=
OUR_SECRET=
HTTPD_CONF=$DIR/httpd.conf

# Everything the test set up, undone whatever happened: the private
# servers, the package (purged), a2enmod's state of dbd, policy-rc.d.
cleanup() {
    local rc=$?
    set +e
    [ -f "$DIR/httpd.pid" ] && { "$APACHE" -f "$HTTPD_CONF" -k stop 2>/dev/null; sleep 1; }
    "$STACK" destroy "$DIR" >/dev/null 2>&1
    if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'installed\|config-files'; then
        echo "==> package test: purging $PKG after a failure" >&2
        apt-get purge "${APT_OPTS[@]}" "$PKG" >/dev/null 2>&1 || dpkg --purge "$PKG" >/dev/null 2>&1
    fi
    [ -n "$OUR_SECRET" ] && rm -f /etc/apache2/tasks/jwt.secret && rmdir /etc/apache2/tasks 2>/dev/null
    restore_dbd
    [ -n "$POLICY_CREATED" ] && rm -f /usr/sbin/policy-rc.d
    if [ "$rc" = 0 ]; then rm -rf "$WORK"; else echo "package test: logs in $WORK" >&2; fi
    exit $rc
}
trap cleanup EXIT

# a2enmod tasks enables dbd too; what it was before is restored at the end.
DBD_STATE=$WORK/dbd.state
snapshot_state() {  # the a2enmod state of every module: links and records
    { ls -l /etc/apache2/mods-enabled/ 2>/dev/null | awk 'NR>1 {print $9, $11}'
      find /var/lib/apache2 2>/dev/null; } | sort
}
save_dbd() {
    find /var/lib/apache2 -type d > "$WORK/dirs.before" 2>/dev/null || true
    { [ -e /etc/apache2/mods-enabled/dbd.load ] && echo enabled || echo disabled
      find /var/lib/apache2/module -name dbd 2>/dev/null; } > "$DBD_STATE"
}
restore_dbd() {
    [ -f "$DBD_STATE" ] || return 0
    if ! head -1 "$DBD_STATE" | grep -q enabled; then
        a2dismod -q -f -p dbd >/dev/null 2>&1 || true
    fi
    # the records a2enmod wrote that were not there before
    find /var/lib/apache2/module -name dbd 2>/dev/null | while read -r f; do
        grep -qx "$f" "$DBD_STATE" || rm -f "$f"; done
    # and the (empty) folders a2enmod and a2dismod made for their records
    find /var/lib/apache2 -depth -type d -empty 2>/dev/null | while read -r d; do
        grep -qx "$d" "$WORK/dirs.before" || rmdir "$d"; done
    mv "$DBD_STATE" "$DBD_STATE.done"
}

echo "==> package test: build"
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'installed\|config-files'; then
    echo "  $PKG is installed (an earlier run?): purging it first"
    apt-get purge "${APT_OPTS[@]}" "$PKG" >/dev/null
fi
make -C "$ROOT" -s deb >"$WORK/deb.log" 2>&1 || { cat "$WORK/deb.log" >&2; fail "make deb"; }
grep -q '^E:' "$WORK/deb.log" && fail "lintian reports errors"
VERSION=$(awk -F'"' '/define TASKS_VERSION /{print $2}' "$ROOT/include/tasks/core/version.h")
DEB=$ROOT/dist/${PKG}_${VERSION}_$(dpkg --print-architecture).deb
[ -f "$DEB" ] || fail "make deb left no $DEB"
ok "built $(basename "$DEB"); lintian: no errors"

# What the package will install, and which of those paths exist already
# (directories such as /etc/apache2; a file of ours here would be a
# leftover of some other install, which this test must not take over).
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^$' | sort > "$WORK/contents"
: > "$WORK/preexisting"
while read -r p; do
    [ -e "$p" ] || continue
    [ -d "$p" ] || fail "$p exists before the package is installed (make uninstall?)"
    echo "$p" >> "$WORK/preexisting"
done < "$WORK/contents"
save_dbd
snapshot_state | grep -v -e ' dbd\.' -e '/dbd$' > "$WORK/state.before"
apache2ctl -t >/dev/null 2>&1 && SYSTEM_CONFIG_OK=1 || SYSTEM_CONFIG_OK=

echo "==> package test: install"
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; POLICY_CREATED=1
fi
apache_running_before=$(pgrep -x -f '/usr/sbin/apache2 -k start' >/dev/null && echo yes || echo no)
apt-get install "${APT_OPTS[@]}" "$DEB" >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log" >&2; fail "apt-get install $DEB"; }
dpkg-query -W -f='${Status} ${Version}\n' "$PKG" | grep -q "install ok installed $VERSION" || fail "$PKG $VERSION is not installed"
dpkg -L "$PKG" | grep -vx '/\.' | sort > "$WORK/installed"
[ -f /usr/lib/apache2/modules/mod_tasks.so ] && [ -f /etc/apache2/mods-available/tasks.load ] &&
    [ -f /etc/apache2/mods-available/tasks.conf ] && [ -f /etc/apache2/tasks/vhost.conf ] &&
    [ -x /usr/sbin/mod-tasks ] && [ -f /usr/share/mod-tasks/htdocs/index.html ] &&
    [ -f /usr/share/mod-tasks/sql/grants.sql ] || fail "the package lacks one of its files"
for f in mods-available/tasks.load mods-available/tasks.conf tasks/vhost.conf; do
    grep -qx "/etc/apache2/$f" /var/lib/dpkg/info/$PKG.conffiles || fail "/etc/apache2/$f is not a conffile"
done
ok "installed $(wc -l < "$WORK/installed") paths; its /etc files are conffiles"
[ -e /etc/apache2/mods-enabled/tasks.load ] && fail "installing the package enabled the module"
[ "$apache_running_before" = no ] && pgrep -x -f '/usr/sbin/apache2 -k start' >/dev/null && fail "installing started Debian's apache2"
ok "the module is available, not enabled; Debian's apache2 was not started"

a2enmod -q tasks >/dev/null
[ -L /etc/apache2/mods-enabled/tasks.load ] && [ -L /etc/apache2/mods-enabled/tasks.conf ] ||
    fail "a2enmod tasks did not enable tasks.load and tasks.conf"
[ -e /etc/apache2/mods-enabled/dbd.load ] || fail "a2enmod tasks did not enable dbd (# Depends: dbd)"
if [ -n "$SYSTEM_CONFIG_OK" ]; then
    apache2ctl -t >"$WORK/configtest.log" 2>&1 || { cat "$WORK/configtest.log" >&2; fail "a2enmod tasks broke apache2ctl configtest"; }
    ok "a2enmod tasks enables it and dbd; the machine's apache2ctl configtest still passes"
else
    ok "a2enmod tasks enables it and dbd (the machine's configtest failed before: not checked)"
fi

echo "==> package test: PostgreSQL migrated by /usr/sbin/mod-tasks migrate"
# stack.sh migrates with "MIGRATE --grant-to ROLE URL"; the installed admin
# command takes the same as options (and finds the installed migrations
# next to itself: no --sql-dir).
cat > "$WORK/migrate" <<'SH'
#!/bin/sh
[ "$1" = --grant-to ] && [ $# = 3 ] || { echo "usage: migrate --grant-to ROLE URL" >&2; exit 2; }
exec /usr/sbin/mod-tasks migrate --grant-to "$2" --db "$3"
SH
chmod 755 "$WORK/migrate"
MIGRATE="$WORK/migrate" PGBIN=${PGBIN:?} "$STACK" pg-up "$DIR" >"$WORK/pg.log" 2>&1 ||
    { cat "$WORK/pg.log" >&2; fail "pg-up with the installed admin command"; }
# shellcheck disable=SC1091
. "$DIR/pg.env"
psql() { "$PGBIN/psql" -X -At -h "$PGHOST" -p "$PGPORT" -U tasks -d tasks "$@"; }
want=$(ls /usr/share/mod-tasks/sql/[0-9][0-9][0-9]_*.sql | wc -l)
have=$(psql -c "SELECT count(*) FROM schema_migrations")
[ "$want" -gt 0 ] && [ "$have" = "$want" ] || fail "schema_migrations has $have rows, the package $want migrations"
psql -c "SELECT has_table_privilege('$TASKS_DB_USER', 'tasks', 'INSERT')" | grep -qx t ||
    fail "the installed command did not grant $TASKS_DB_USER (sql/grants.sql)"
ok "$have migrations and the grants applied"

echo "==> package test: a private httpd on the installed module and snippets"
PORT=$("$STACK" free-port)
SECRET=$DIR/jwt.secret
for m in mpm_event authz_core authn_core mime dir alias headers; do
    echo "Include /etc/apache2/mods-available/$m.load"
done > "$WORK/modules.conf"
# what a2enmod tasks enables: dbd (its Depends), then the module's files
{ echo "Include /etc/apache2/mods-available/dbd.load"
  echo "Include /etc/apache2/mods-available/tasks.load"
  echo "Include /etc/apache2/mods-available/tasks.conf"; } >> "$WORK/modules.conf"
write_conf() {  # $1: with the site (1) or the module alone
    cat > "$HTTPD_CONF" <<EOF
ServerRoot /usr/lib/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:$PORT
PidFile $DIR/httpd.pid
DefaultRuntimeDir $DIR
ErrorLog $DIR/error.log
LogLevel warn
User www-data
Group www-data
Include $WORK/modules.conf
TypesConfig /etc/mime.types
AddType text/javascript .js .mjs
<Directory />
    AllowOverride None
    Require all denied
</Directory>
EOF
    [ "$1" = 1 ] || return 0
    cat >> "$HTTPD_CONF" <<EOF
Define TASKS_SECRET_FILE $SECRET
Define TASKS_DBD_PARAMS "host=$PGHOST port=$PGPORT dbname=tasks user=$TASKS_DB_USER password=$TASKS_DB_PASSWORD connect_timeout=3 application_name=mod_tasks"
<VirtualHost 127.0.0.1:$PORT>
    ServerName 127.0.0.1
    Include /etc/apache2/tasks/vhost.conf
</VirtualHost>
EOF
}
write_conf 0
"$APACHE" -t -f "$HTTPD_CONF" >"$WORK/t0.log" 2>&1 || { cat "$WORK/t0.log" >&2; fail "configtest with the module alone"; }
ok "configtest passes with the module loaded and no site serving it (no secret needed)"
write_conf 1
if "$APACHE" -t -f "$HTTPD_CONF" >"$WORK/t1.log" 2>&1; then fail "configtest passed without the secret file"; fi
grep -q TasksJWTSecretFile "$WORK/t1.log" || { cat "$WORK/t1.log" >&2; fail "configtest without the secret does not name TasksJWTSecretFile"; }
ok "configtest fails naming TasksJWTSecretFile while the site has no secret:"
sed 's/^/      /' "$WORK/t1.log"
(umask 077; head -c 48 /dev/urandom | base64 > "$SECRET")
"$APACHE" -t -f "$HTTPD_CONF" >"$WORK/t2.log" 2>&1 || { cat "$WORK/t2.log" >&2; fail "configtest with the secret"; }
ok "configtest passes once the secret exists"
"$APACHE" -f "$HTTPD_CONF" -k start || fail "httpd did not start"
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
grep -q 'mod_tasks.so' <(grep -h LoadModule /etc/apache2/mods-available/tasks.load) || fail "tasks.load loads no mod_tasks.so"

BASE=http://127.0.0.1:$PORT
code=$(curl -s -o "$WORK/health.json" -w '%{http_code}' "$BASE/api/health")
[ "$code" = 200 ] || { cat "$WORK/health.json" "$DIR/error.log" >&2; fail "GET /api/health: $code"; }
grep -q "$VERSION" "$WORK/health.json" || fail "health does not report $VERSION: $(cat "$WORK/health.json")"
code=$(curl -s -o "$WORK/index.html" -w '%{http_code}' "$BASE/")
[ "$code" = 200 ] && cmp -s "$WORK/index.html" /usr/share/mod-tasks/htdocs/index.html || fail "GET / is not the installed app ($code)"
ok "health 200 ($(cat "$WORK/health.json")); / serves /usr/share/mod-tasks/htdocs"

json() { curl -s -H 'Content-Type: application/json' "$@"; }
email="package-$$-$RANDOM@example.org"
json -o "$WORK/signup.json" -w '%{http_code}' -d "{\"email\":\"$email\",\"password\":\"correct horse battery\"}" \
    "$BASE/api/auth/signup" > "$WORK/code" || true
[ "$(cat "$WORK/code")" = 201 ] || fail "signup: $(cat "$WORK/code") $(cat "$WORK/signup.json")"
token=$(sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p' "$WORK/signup.json")
[ -n "$token" ] || fail "signup returned no token"
json -o "$WORK/create.json" -w '%{http_code}' -H "Authorization: Bearer $token" \
    -d '{"title":"installed by dpkg"}' "$BASE/api/tasks" > "$WORK/code" || true
[ "$(cat "$WORK/code")" = 201 ] || fail "create: $(cat "$WORK/code") $(cat "$WORK/create.json")"
id=$(sed -n 's/.*"id" *: *\([0-9][0-9]*\).*/\1/p' "$WORK/create.json")
[ -n "$id" ] || fail "create returned no id"
json -o "$WORK/get.json" -w '%{http_code}' -H "Authorization: Bearer $token" "$BASE/api/tasks/$id" > "$WORK/code" || true
[ "$(cat "$WORK/code")" = 200 ] && grep -q '"installed by dpkg"' "$WORK/get.json" ||
    fail "get task $id: $(cat "$WORK/code") $(cat "$WORK/get.json")"
ok "signup 201, task $id created (201) and read back (200)"

"$APACHE" -f "$HTTPD_CONF" -k stop
for _ in $(seq 1 100); do [ -f "$DIR/httpd.pid" ] || break; sleep 0.1; done
"$STACK" destroy "$DIR" >/dev/null 2>&1 || true

echo "==> package test: upgrade (the same package again) keeps config and secret"
echo "# edited by the package test" >> /etc/apache2/tasks/vhost.conf
[ -e /etc/apache2/tasks/jwt.secret ] && fail "/etc/apache2/tasks/jwt.secret exists (not the test's)"
OUR_SECRET=1
(umask 077; head -c 48 /dev/urandom | base64 > /etc/apache2/tasks/jwt.secret)
sum=$(md5sum < /etc/apache2/tasks/jwt.secret)
apt-get install --reinstall "${APT_OPTS[@]}" "$DEB" >"$WORK/reinstall.log" 2>&1 || { cat "$WORK/reinstall.log" >&2; fail "reinstall"; }
tail -1 /etc/apache2/tasks/vhost.conf | grep -q 'edited by the package test' || fail "reinstalling replaced the edited vhost.conf"
[ "$(md5sum < /etc/apache2/tasks/jwt.secret)" = "$sum" ] || fail "reinstalling changed the secret"
[ -e /etc/apache2/mods-enabled/tasks.load ] || fail "reinstalling disabled the module"
ok "an edited conffile, the secret and a2enmod's choice survive a reinstall"
rm /etc/apache2/tasks/jwt.secret; OUR_SECRET=   # the admin's file: not the package's to purge

echo "==> package test: purge"
# the module is still enabled (a2enmod above): purging must disable it
apt-get purge "${APT_OPTS[@]}" "$PKG" >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log" >&2; fail "apt-get purge"; }
dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'installed\|config-files' && fail "$PKG is still known to dpkg"
left=$(comm -23 "$WORK/installed" "$WORK/preexisting" | while read -r p; do [ -e "$p" ] || [ -L "$p" ] && echo "$p"; done || true)
[ -z "$left" ] || fail "left after purge: $left"
ok "nothing of the $(comm -23 "$WORK/installed" "$WORK/preexisting" | wc -l) paths it added is left"
[ -e /etc/apache2/mods-enabled/tasks.load ] || [ -L /etc/apache2/mods-enabled/tasks.load ] ||
    [ -L /etc/apache2/mods-enabled/tasks.conf ] && fail "mods-enabled still has the module"
find /var/lib/apache2 -name tasks | grep -q . && fail "a2enmod state left: $(find /var/lib/apache2 -name tasks)"
restore_dbd
snapshot_state | grep -v -e ' dbd\.' -e '/dbd$' > "$WORK/state.after"
diff "$WORK/state.before" "$WORK/state.after" >&2 || fail "the machine's a2enmod state differs from before"
was=$(head -1 "$DBD_STATE.done"); now=$([ -e /etc/apache2/mods-enabled/dbd.load ] && echo enabled || echo disabled)
[ "$was" = "$now" ] || fail "dbd was $was before the test, is $now after"
ok "purge disabled the module and removed its a2enmod state"
echo "==> package test passed"
