-- grants.sql: the privileges of the runtime role (the user in DBDParams),
-- exactly what the module's statements (src/store/statements.c) need.
-- Not a migration: scripts/migrate.sh --grant-to ROLE (make migrate
-- GRANT_TO=ROLE) runs it after the migrations, on every run, as the owner
-- of the schema's objects, in one transaction with psql's variable "role"
-- set. It first revokes everything the owner had granted the role, so
-- the role ends with exactly what is below, whatever it had before; it is
-- safe to run again, also while httpd is serving (the privileges change
-- at commit, all at once).
--
-- Why a script and not ALTER DEFAULT PRIVILEGES: default privileges would
-- give every later table the same broad set (and would not cover
-- task_counts' read-only grant nor users' one updatable column), while
-- this list is the least each table needs. A migration that adds a table
-- (or a statement that needs another privilege) adds its line here, and
-- to the expected list of the integration test
-- runtime_role_has_exactly_its_privileges (tests/integration/
-- test_foundation.c), which fails until both agree.
--
-- No sequence privileges: task ids come from an identity column
-- (tasks.id), which takes its next value without USAGE, and user ids from
-- gen_random_uuid(). (A column with DEFAULT nextval() would need USAGE on
-- its sequence.) task_counts is only read: its triggers write it as its
-- owner (sql/005_task_counts_as_owner.sql).

SELECT pg_advisory_xact_lock(7310585) \g /dev/null

-- Start from nothing (of what the owner granted; PUBLIC's privileges are
-- the database's: see the README's commands).
SELECT format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', current_schema(), :'role') \gexec
SELECT format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', current_schema(), :'role') \gexec
SELECT format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM %I', current_schema(), :'role') \gexec
SELECT format('REVOKE ALL ON SCHEMA %I FROM %I', current_schema(), :'role') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), :'role') \gexec

-- Connect (PUBLIC may not: REVOKE ALL ON DATABASE ... FROM PUBLIC) and
-- see the schema's objects.
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'role') \gexec
SELECT format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), :'role') \gexec

-- Accounts: signup and first sight of an external identity insert; a
-- login re-hashes a weak password, a person changes theirs or signs out
-- everywhere (those columns only); a person deletes
-- their own account (its tasks, identities and counts go by the schema's
-- cascades, which run as the tables' owner).
GRANT SELECT, INSERT, DELETE ON users TO :"role";
GRANT UPDATE (password_hash, signed_out_before, kept_jti) ON users TO :"role";
GRANT SELECT, INSERT ON user_identities TO :"role";
-- A reset code is spent (deleted) by the reset it allows; the admin
-- command, as the owner, issues them.
GRANT SELECT, DELETE ON reset_codes TO :"role";
-- Sessions: begun at login and signup, used (last_used_at) and ended
-- (logout, sign out everywhere, password change, reset, a refresh value
-- used twice, idle too long); refresh values added, marked rotated and
-- let go after the session lifetime.
GRANT SELECT, INSERT, DELETE ON sessions TO :"role";
GRANT UPDATE (last_used_at) ON sessions TO :"role";
GRANT SELECT, INSERT, DELETE ON refresh_tokens TO :"role";
GRANT UPDATE (rotated_at) ON refresh_tokens TO :"role";
-- Logout; expired entries are deleted by the next logout.
GRANT SELECT, INSERT, DELETE ON revoked_tokens TO :"role";
-- Login throttling: attempts recorded, counted, forgotten.
GRANT SELECT, INSERT, DELETE ON login_failures TO :"role";
-- Lists: made, renamed, recolored, reordered (the others shift), deleted
-- (their tasks go by the cascade, as the owner); the Inbox is made by a
-- trigger on users, and the counts by triggers on tasks, both as the
-- owner. A task's write locks its list FOR KEY SHARE, which needs
-- UPDATE on some column.
GRANT SELECT, INSERT, DELETE ON lists TO :"role";
GRANT UPDATE (name, color, position, updated_at, version) ON lists TO :"role";
-- The tasks; their counts are kept by triggers.
GRANT SELECT, INSERT, UPDATE, DELETE ON tasks TO :"role";
GRANT SELECT ON task_counts TO :"role";
-- A recurring task's completions: recorded when an occurrence is
-- completed, removed when a task completed for good is un-completed, gone
-- with their task (the cascade, as the owner).
GRANT SELECT, INSERT, DELETE ON task_completions TO :"role";
-- Idempotency keys: claimed (inserted, or an expired one taken over:
-- its columns updated), marked done with the created row by the create's
-- statement, let go after a failed create, and expired ones deleted.
GRANT SELECT, INSERT, DELETE ON idempotency_keys TO :"role";
GRANT UPDATE (fingerprint, created_at, done, response) ON idempotency_keys TO :"role";
-- The changes feed reads tombstones and deletes those past the
-- retention; a task's trigger (as the owner) writes them.
GRANT SELECT, DELETE ON task_tombstones TO :"role";
-- CalDAV's sync-collection reads the names that left a list and deletes
-- those past the retention; the tasks' triggers (as the owner) write them.
GRANT SELECT, DELETE ON dav_departures TO :"role";
-- App passwords: made, listed, revoked; a Basic sign-in marks one used.
GRANT SELECT, INSERT, DELETE ON app_passwords TO :"role";
GRANT UPDATE (last_used_at) ON app_passwords TO :"role";
-- tasks.tags' CHECK constraint calls it (as the inserting role).
GRANT EXECUTE ON FUNCTION tasks_tags_valid(text[]) TO :"role";
-- The store checks the schema version once per session.
GRANT SELECT ON schema_migrations TO :"role";
