/* test_database.c - the least-privileged database role (README, "Database
 * and migrations"): httpd connects as a runtime role that is no
 * superuser, owns nothing and holds exactly the privileges of
 * sql/grants.sql, while the schema belongs to an owner role (no superuser
 * either) that runs the migrations. Every other suite runs through that
 * role, which shows that these privileges are enough; this one shows that
 * they are no more. Part of the foundation suite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"

/* The user= of the stack's DBDParams, as httpd got it (the generated
 * httpd.conf's TASKS_DBD_PARAMS). */
static char *dbd_user(void)
{
    char *path = fmt("%s/httpd.conf", getenv("STACK_DIR"));
    char *conf = read_text(path), *line, *user, *end;

    ck_assert_msg(conf != NULL, "cannot read %s", path);
    line = strstr(conf, "Define TASKS_DBD_PARAMS ");
    ck_assert_msg(line != NULL, "no TASKS_DBD_PARAMS in %s", path);
    if ((end = strchr(line, '\n')))
        *end = '\0';
    user = strstr(line, " user=");
    ck_assert_msg(user != NULL, "no user= in %s", line);
    user += strlen(" user=");
    end = user + strcspn(user, " \"");
    user = strndup(user, (size_t)(end - user));
    free(conf);
    free(path);
    return user;
}

/* Run sql as the cluster's superuser in the stack's database, with psql's
 * variable u set to user; its output. */
static char *sql_as_admin(const char *sql, const char *user)
{
    const char *dir = getenv("STACK_DIR");
    char *file = fmt("%s/role.sql", dir), *out = fmt("%s/role.out", dir), *cmd, *text;
    FILE *f = fopen(file, "w");
    int rc;

    ck_assert_ptr_nonnull(f);
    fputs(sql, f);
    fclose(f);
    cmd = fmt(". %s/pg.env; psql -X -q -At -v ON_ERROR_STOP=1 -h \"$PGHOST\" -p \"$PGPORT\""
              " -U tasks -d tasks -v u='%s' -f %s > %s 2>&1", dir, user, file, out);
    rc = system(cmd);
    text = read_text(out);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(rc == 0, "psql failed: %s", text);
    free(cmd);
    free(file);
    free(out);
    return text;
}

/* What the role is, and which objects it owns anywhere in the cluster
 * (every ownership by an ordinary role is recorded in pg_shdepend). */
static const char role_sql[] =
    "SELECT format('superuser=%s createdb=%s createrole=%s replication=%s "
    "bypassrls=%s login=%s member_of=%s owns=%s', r.rolsuper, r.rolcreatedb,"
    " r.rolcreaterole, r.rolreplication, r.rolbypassrls, r.rolcanlogin,"
    " (SELECT count(*) FROM pg_auth_members m WHERE m.member = r.oid),"
    " (SELECT count(*) FROM pg_shdepend d WHERE d.refclassid = 'pg_authid'::regclass"
    "   AND d.refobjid = r.oid AND d.deptype = 'o'))"
    " FROM pg_roles r WHERE r.rolname = :'u';\n";

/* Who owns the schema's relations and functions. */
static const char owners_sql[] =
    "SELECT DISTINCT format('owner=%s superuser=%s', r.rolname, r.rolsuper)"
    " FROM (SELECT relowner AS o FROM pg_class WHERE relnamespace = 'public'::regnamespace"
    "       UNION SELECT proowner FROM pg_proc WHERE pronamespace = 'public'::regnamespace) x"
    " JOIN pg_roles r ON r.oid = x.o;\n";

/* Every privilege the role has on the database, its schemas and the
 * schema's tables, columns, sequences and functions: the effective ones
 * (PUBLIC's and any membership's included), as PostgreSQL checks them. */
static const char privileges_sql[] =
    "SELECT line FROM ("
    " SELECT format('database %s %s', d.datname, p) AS line"
    "   FROM pg_database d, unnest('{CONNECT,CREATE,TEMPORARY}'::text[]) p"
    "  WHERE d.datname = current_database() AND has_database_privilege(:'u', d.oid, p)"
    " UNION ALL"
    " SELECT format('schema %s %s', n.nspname, p)"
    "   FROM pg_namespace n, unnest('{USAGE,CREATE}'::text[]) p"
    "  WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'"
    "    AND has_schema_privilege(:'u', n.oid, p)"
    " UNION ALL"
    " SELECT format('table %s %s', c.relname, p)"
    "   FROM pg_class c, unnest('{SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER}'::text[]) p"
    "  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
    "    AND has_table_privilege(:'u', c.oid, p)"
    " UNION ALL"
    " SELECT format('column %s.%s %s', c.relname, a.attname, p)"
    "   FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
    "        AND NOT a.attisdropped, unnest('{SELECT,INSERT,UPDATE,REFERENCES}'::text[]) p"
    "  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
    "    AND has_column_privilege(:'u', c.oid, a.attnum, p)"
    "    AND NOT has_table_privilege(:'u', c.oid, p)"
    " UNION ALL"
    " SELECT format('sequence %s %s', c.relname, p)"
    "   FROM pg_class c, unnest('{USAGE,SELECT,UPDATE}'::text[]) p"
    "  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'"
    "    AND has_sequence_privilege(:'u', c.oid, p)"
    " UNION ALL"
    " SELECT format('function %s EXECUTE', f.oid::regprocedure)"
    "   FROM pg_proc f WHERE f.pronamespace = 'public'::regnamespace"
    "    AND has_function_privilege(:'u', f.oid, 'EXECUTE')"
    ") x ORDER BY line COLLATE \"C\";\n";

/* sql/grants.sql, written out independently: what the statements of
 * src/store/statements.c need. No sequence (tasks.id is an identity
 * column), task_counts read only (its triggers write as the owner, sql/
 * 005), of users only the password hash and the sign-out columns (006)
 * updatable; users deletable (a person deletes their own account:
 * DELETE /api/auth/me); sessions and refresh values (008) come and go,
 * and only their use and rotation times change; a recurring task's
 * completions (010) are recorded and removed, never changed;
 * idempotency keys (011) are claimed, taken over when expired (four
 * columns), marked done and deleted; tombstones are only read and
 * purged (a trigger writes them as the owner); app passwords (012) are
 * made, revoked and marked used; CalDAV departures (013) are read and
 * purged (triggers write them). */
static const char expected_privileges[] =
    "column app_passwords.last_used_at UPDATE\n"
    "column idempotency_keys.created_at UPDATE\n"
    "column idempotency_keys.done UPDATE\n"
    "column idempotency_keys.fingerprint UPDATE\n"
    "column idempotency_keys.response UPDATE\n"
    "column lists.color UPDATE\n"
    "column lists.name UPDATE\n"
    "column lists.position UPDATE\n"
    "column lists.updated_at UPDATE\n"
    "column lists.version UPDATE\n"
    "column refresh_tokens.rotated_at UPDATE\n"
    "column sessions.last_used_at UPDATE\n"
    "column users.kept_jti UPDATE\n"
    "column users.password_hash UPDATE\n"
    "column users.signed_out_before UPDATE\n"
    "database tasks CONNECT\n"
    "function tasks_tags_valid(text[]) EXECUTE\n"
    "function tasks_words_keys(uuid,text,text,text[]) EXECUTE\n"
    "function tasks_words_wanted(uuid,text,jsonb) EXECUTE\n"
    "schema public USAGE\n"
    "table app_passwords DELETE\n"
    "table app_passwords INSERT\n"
    "table app_passwords SELECT\n"
    "table dav_departures DELETE\n"
    "table dav_departures SELECT\n"
    "table idempotency_keys DELETE\n"
    "table idempotency_keys INSERT\n"
    "table idempotency_keys SELECT\n"
    "table lists DELETE\n"
    "table lists INSERT\n"
    "table lists SELECT\n"
    "table login_failures DELETE\n"
    "table login_failures INSERT\n"
    "table login_failures SELECT\n"
    "table refresh_tokens DELETE\n"
    "table refresh_tokens INSERT\n"
    "table refresh_tokens SELECT\n"
    "table reset_codes DELETE\n"
    "table reset_codes SELECT\n"
    "table revoked_tokens DELETE\n"
    "table revoked_tokens INSERT\n"
    "table revoked_tokens SELECT\n"
    "table schema_migrations SELECT\n"
    "table sessions DELETE\n"
    "table sessions INSERT\n"
    "table sessions SELECT\n"
    "table task_completions DELETE\n"
    "table task_completions INSERT\n"
    "table task_completions SELECT\n"
    "table task_counts SELECT\n"
    "table task_tombstones DELETE\n"
    "table task_tombstones SELECT\n"
    "table tasks DELETE\n"
    "table tasks INSERT\n"
    "table tasks SELECT\n"
    "table tasks UPDATE\n"
    "table user_identities INSERT\n"
    "table user_identities SELECT\n"
    "table users DELETE\n"
    "table users INSERT\n"
    "table users SELECT\n";

START_TEST(runtime_role_has_exactly_its_privileges)
{
    char *user = dbd_user(), *out, *token, *line;
    http_resp *r;

    ck_assert_str_ne(user, "tasks");    /* the cluster's superuser */
    out = sql_as_admin(role_sql, user);
    ck_assert_str_eq(out, "superuser=f createdb=f createrole=f replication=f "
                          "bypassrls=f login=t member_of=0 owns=0\n");
    free(out);
    out = sql_as_admin(owners_sql, user);
    ck_assert_str_eq(out, "owner=tasks_owner superuser=f\n");
    free(out);
    out = sql_as_admin(privileges_sql, user);
    ck_assert_str_eq(out, expected_privileges);
    free(out);

    /* And httpd's pooled connections are that role's. */
    token = make_user("dbrole", NULL);
    r = http_auth("GET", "/api/tasks", token, NULL);
    ck_assert_status(r, 200);
    http_free(r);
    out = sql_as_admin("SELECT DISTINCT usename FROM pg_stat_activity"
                       " WHERE application_name = 'mod_tasks';\n", user);
    line = fmt("%s\n", user);
    ck_assert_str_eq(out, line);
    free(line);
    free(out);
    free(token);
    free(user);
}
END_TEST

/* What sharding by user_id (README, "Capacity and sharding") needs of
 * the schema. A person's data (their tasks and what hangs off them) may
 * be spread over databases by user_id: every primary key, unique
 * constraint and index of those tables holds user_id. The account tables
 * stay whole (sign-in finds a row by e-mail, secret or token hash, not by
 * user id). Every table with a user_id column is one or the other, so a
 * new table cannot go unnoticed. */
START_TEST(person_data_keys_all_hold_the_user_id)
{
    static const char person_data[] = "tasks lists task_completions task_counts "
        "task_tombstones dav_departures idempotency_keys";
    static const char accounts[] = "sessions app_passwords user_identities reset_codes";
    char *sql, *out;

    sql = fmt("SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c"
              " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'"
              " AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid"
              "             AND a.attname = 'user_id' AND NOT a.attisdropped)"
              " AND NOT c.relname = ANY (string_to_array('%s %s', ' '))",
              person_data, accounts);
    out = db_query(sql);
    ck_assert_msg(!*out, "tables with a user_id that are neither a person's "
                  "data nor an account table (add each to one list): %s", out);
    free(out);
    free(sql);
    sql = fmt("SELECT string_agg(i.indexrelid::regclass || ' on ' || c.relname, ', ')"
              " FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
              " WHERE c.relname = ANY (string_to_array('%s', ' '))"
              " AND c.relnamespace = 'public'::regnamespace"
              " AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid"
              "                 AND a.attname = 'user_id' AND a.attnum = ANY (i.indkey))"
              /* or in its expression: the words index's keys (sql/015) */
              " AND coalesce(pg_get_expr(i.indexprs, i.indrelid), '') !~ '\\muser_id\\M'",
              person_data);
    out = db_query(sql);
    ck_assert_msg(!*out, "indexes of a person's data without user_id: %s", out);
    free(out);
    free(sql);
}
END_TEST

void database_tcases(Suite *s)
{
    TCase *tc = tcase_create("database role");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, runtime_role_has_exactly_its_privileges);
    tcase_add_test(tc, person_data_keys_all_hold_the_user_id);
    suite_add_tcase(s, tc);
}
