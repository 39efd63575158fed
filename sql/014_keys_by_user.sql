-- 014: every key of a person's data leads with their user id (README,
-- "Capacity and sharding"). A table spread over several databases by
-- user_id (Citus: create_distributed_table('tasks', 'user_id')) can only
-- keep a primary key, a unique constraint or an index that holds
-- user_id; every statement already names the caller's user id, so these
-- keys serve them as before. The integration test
-- person_data_keys_all_hold_the_user_id (test_database.c) checks it for
-- every table with a user_id.
--
-- Ids still come from one identity sequence per table, so they stay
-- unique without an index of their own.

-- tasks: the primary key is (user_id, id) since 001; tasks_id_key, the id
-- alone, served nothing a statement asks.
DROP INDEX tasks_id_key;

-- lists: the primary key becomes (user_id, id), the key tasks' foreign
-- key already used (as a unique constraint of its own).
ALTER TABLE tasks DROP CONSTRAINT tasks_list_fkey;
ALTER TABLE lists DROP CONSTRAINT lists_user_id_id_key;
ALTER TABLE lists DROP CONSTRAINT lists_pkey;
ALTER TABLE lists ADD PRIMARY KEY (user_id, id);
ALTER TABLE tasks ADD CONSTRAINT tasks_list_fkey FOREIGN KEY (user_id, list_id)
    REFERENCES lists (user_id, id) ON DELETE CASCADE;

-- task_completions: the same.
ALTER TABLE task_completions DROP CONSTRAINT task_completions_pkey;
ALTER TABLE task_completions ADD PRIMARY KEY (user_id, id);

-- The purges' indexes (oldest first, over every person) hold the user id
-- after the time, so that each shard keeps its own.
DROP INDEX task_tombstones_deleted_idx;
CREATE INDEX task_tombstones_deleted_idx ON task_tombstones (deleted_at, user_id);
DROP INDEX dav_departures_departed_idx;
CREATE INDEX dav_departures_departed_idx ON dav_departures (departed_at, user_id);
DROP INDEX idempotency_keys_created_idx;
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at, user_id);
