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

-- The lists' counts (009's triggers) find a task's list by the whole key.
CREATE OR REPLACE FUNCTION list_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lists l
       SET task_count = l.task_count + a.n, pending_count = l.pending_count + a.pending,
           version = l.version + 1
      FROM (SELECT user_id, list_id, count(*) AS n,
                   count(*) FILTER (WHERE NOT completed) AS pending
              FROM added GROUP BY user_id, list_id) a
     WHERE l.user_id = a.user_id AND l.id = a.list_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION list_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lists l
       SET task_count = l.task_count - r.n, pending_count = l.pending_count - r.pending,
           version = l.version + 1
      FROM (SELECT user_id, list_id, count(*) AS n,
                   count(*) FILTER (WHERE NOT completed) AS pending
              FROM removed GROUP BY user_id, list_id) r
     WHERE l.user_id = r.user_id AND l.id = r.list_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION list_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lists
       SET task_count = task_count - 1,
           pending_count = pending_count - CASE WHEN OLD.completed THEN 0 ELSE 1 END,
           version = version + 1
     WHERE user_id = OLD.user_id AND id = OLD.list_id;
    UPDATE lists
       SET task_count = task_count + 1,
           pending_count = pending_count + CASE WHEN NEW.completed THEN 0 ELSE 1 END
     WHERE user_id = NEW.user_id AND id = NEW.list_id;
    RETURN NULL;
END $$;

-- The purges' indexes (oldest first, over every person) hold the user id
-- after the time, so that each shard keeps its own.
DROP INDEX task_tombstones_deleted_idx;
CREATE INDEX task_tombstones_deleted_idx ON task_tombstones (deleted_at, user_id);
DROP INDEX dav_departures_departed_idx;
CREATE INDEX dav_departures_departed_idx ON dav_departures (departed_at, user_id);
DROP INDEX idempotency_keys_created_idx;
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at, user_id);

-- As the owner again (see 005: a replaced function is SECURITY INVOKER
-- unless it says otherwise).
DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['list_counts_add()', 'list_counts_remove()',
                             'list_counts_change()'] LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %I, pg_temp',
                       f, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END $$;
