-- 011: idempotent creates (Idempotency-Key) and the changes feed
-- (GET /api/tasks/changes).
--
-- idempotency_keys: one row per (user, key). A request claims its key
-- (done = false) in a statement of its own, so that a second request
-- with the key while the first runs finds the claim (409); the create
-- and the key's record of its answer (done, response: the created row's
-- columns as the store reads them) are written by one statement, so a
-- task never exists without its key's record nor the record without its
-- task. A failed create lets its claim go. Keys are kept 24 hours; the
-- claim statement deletes a few expired ones of anybody's each time (no
-- cron job), and an expired key may be claimed again.
--
-- The changes feed: every user has a change counter (users.change_seq).
-- Every write of a task takes the next number of its owner's counter,
-- in the same statement (a trigger), under the users row's lock, so the
-- numbers follow commit order: a reader that saw number n has seen every
-- change numbered below it. A deleted task leaves a tombstone with its
-- number; tombstones are kept 30 days (the feed's statement deletes a
-- few older ones each time), and a token older than that is refused
-- (410), so no client misses a deletion.

CREATE TABLE idempotency_keys (
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key         text        NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    fingerprint text        NOT NULL,   -- SHA-256 of method, path and body
    created_at  timestamptz NOT NULL DEFAULT now(),
    done        boolean     NOT NULL DEFAULT false,
    response    text[],                 -- the created row, column by column
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

ALTER TABLE users ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;

-- The tasks that exist get their numbers, oldest change first.
UPDATE tasks t SET change_seq = n.seq
  FROM (SELECT user_id, id,
               row_number() OVER (PARTITION BY user_id ORDER BY updated_at, id) AS seq
          FROM tasks) n
 WHERE t.user_id = n.user_id AND t.id = n.id;
UPDATE users u SET change_seq = c.top
  FROM (SELECT user_id, max(change_seq) AS top FROM tasks GROUP BY user_id) c
 WHERE u.id = c.user_id;
CREATE INDEX tasks_user_change_idx ON tasks (user_id, change_seq);

CREATE TABLE task_tombstones (
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    change_seq bigint      NOT NULL,
    task_id    bigint      NOT NULL,
    deleted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, change_seq)
);
CREATE INDEX task_tombstones_deleted_idx ON task_tombstones (deleted_at);

-- A written task takes its owner's next number.
CREATE FUNCTION tasks_change_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET change_seq = change_seq + 1 WHERE id = NEW.user_id
    RETURNING change_seq INTO NEW.change_seq;
    RETURN NEW;
END $$;

-- Deleted tasks: one number each and a tombstone, per statement. When
-- the owner is being deleted (the cascade of an account's deletion) the
-- users row is gone already: no numbers, no tombstones.
CREATE FUNCTION tasks_change_tombstones() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH counts AS (SELECT user_id, count(*) AS n FROM removed GROUP BY user_id),
         bumped AS (UPDATE users u SET change_seq = u.change_seq + c.n
                      FROM counts c WHERE u.id = c.user_id
                    RETURNING u.id, u.change_seq - c.n AS base)
    INSERT INTO task_tombstones (user_id, change_seq, task_id)
    SELECT r.user_id, b.base + row_number() OVER (PARTITION BY r.user_id ORDER BY r.id), r.id
      FROM removed r JOIN bumped b ON b.id = r.user_id;
    RETURN NULL;
END $$;

CREATE TRIGGER tasks_change_insert BEFORE INSERT ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_change_number();
CREATE TRIGGER tasks_change_update BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_change_number();
CREATE TRIGGER tasks_change_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION tasks_change_tombstones();

-- As the owner (see 005): the runtime role numbers changes and leaves
-- tombstones only through the tasks it writes.
DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['tasks_change_number()', 'tasks_change_tombstones()'] LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %I, pg_temp',
                       f, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END $$;
