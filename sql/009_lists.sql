-- 009: lists (GET/POST /api/lists, GET/PATCH/DELETE /api/lists/{id}).
-- Every task is in one list of its owner's; every user has one Inbox,
-- made with the account (a trigger, so signup, the admin command and the
-- first sight of an external identity all get one) and, for the users
-- that exist, here, in this migration's transaction: nobody is left
-- without one, and no task without a list.
--
-- A list and its tasks belong to the same user by the schema: tasks refer
-- to (user_id, list_id), so no statement can put a task into another
-- person's list. Deleting a list deletes its tasks (the foreign key
-- cascades); the Inbox cannot be deleted (the statement refuses it).
--
-- task_count and pending_count are kept by triggers as task_counts is
-- (003-005): statement-level for inserts and deletes, row-level when a
-- task changes list or is toggled, as the owner (SECURITY DEFINER). A
-- list's version counts every change of what GET /api/lists/{id} shows,
-- its counts included, so its ETag changes with them.

CREATE TABLE lists (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text        NOT NULL
                  CHECK (name = btrim(name) AND char_length(name) BETWEEN 1 AND 100),
    color         text        CHECK (color ~ '^#[0-9a-f]{6}$'),
    position      integer     NOT NULL CHECK (position >= 0),
    inbox         boolean     NOT NULL DEFAULT false,
    task_count    bigint      NOT NULL DEFAULT 0 CHECK (task_count >= 0),
    pending_count bigint      NOT NULL DEFAULT 0
                  CHECK (pending_count BETWEEN 0 AND task_count),
    version       integer     NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, id)
);
CREATE UNIQUE INDEX lists_user_name_key ON lists (user_id, lower(name));
CREATE UNIQUE INDEX lists_user_inbox_key ON lists (user_id) WHERE inbox;
CREATE INDEX lists_user_position_idx ON lists (user_id, position);

CREATE FUNCTION lists_inbox_for_new_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lists (user_id, name, position, inbox) VALUES (NEW.id, 'Inbox', 0, true);
    RETURN NULL;
END $$;
CREATE TRIGGER users_inbox AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION lists_inbox_for_new_user();

INSERT INTO lists (user_id, name, position, inbox)
SELECT id, 'Inbox', 0, true FROM users;

ALTER TABLE tasks ADD COLUMN list_id bigint;
UPDATE tasks t SET list_id = l.id FROM lists l WHERE l.user_id = t.user_id AND l.inbox;
ALTER TABLE tasks ALTER COLUMN list_id SET NOT NULL;
ALTER TABLE tasks ADD CONSTRAINT tasks_list_fkey FOREIGN KEY (user_id, list_id)
    REFERENCES lists (user_id, id) ON DELETE CASCADE;

-- A list's pages walk an index as the whole list's do (001), with the
-- list after the user.
CREATE INDEX tasks_list_created_idx  ON tasks (user_id, list_id, created_at, id);
CREATE INDEX tasks_list_updated_idx  ON tasks (user_id, list_id, updated_at, id);
CREATE INDEX tasks_list_due_idx      ON tasks (user_id, list_id, (coalesce(due_at, 'infinity')), id);
CREATE INDEX tasks_list_priority_idx ON tasks (user_id, list_id, priority, id);
CREATE INDEX tasks_list_title_idx    ON tasks (user_id, list_id, title COLLATE "C", id);

UPDATE lists l SET task_count = c.n, pending_count = c.pending
  FROM (SELECT list_id, count(*) AS n, count(*) FILTER (WHERE NOT completed) AS pending
          FROM tasks GROUP BY list_id) c
 WHERE l.id = c.list_id;

CREATE FUNCTION list_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lists l
       SET task_count = l.task_count + a.n, pending_count = l.pending_count + a.pending,
           version = l.version + 1
      FROM (SELECT list_id, count(*) AS n, count(*) FILTER (WHERE NOT completed) AS pending
              FROM added GROUP BY list_id) a
     WHERE l.id = a.list_id;
    RETURN NULL;
END $$;

CREATE FUNCTION list_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lists l
       SET task_count = l.task_count - r.n, pending_count = l.pending_count - r.pending,
           version = l.version + 1
      FROM (SELECT list_id, count(*) AS n, count(*) FILTER (WHERE NOT completed) AS pending
              FROM removed GROUP BY list_id) r
     WHERE l.id = r.list_id;
    RETURN NULL;
END $$;

-- A task that moves or is toggled: out of its old list's counts, into its
-- new one's (the same list when only toggled).
CREATE FUNCTION list_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lists
       SET task_count = task_count - 1,
           pending_count = pending_count - CASE WHEN OLD.completed THEN 0 ELSE 1 END,
           version = version + 1
     WHERE id = OLD.list_id;
    UPDATE lists
       SET task_count = task_count + 1,
           pending_count = pending_count + CASE WHEN NEW.completed THEN 0 ELSE 1 END
     WHERE id = NEW.list_id;
    RETURN NULL;
END $$;

CREATE TRIGGER tasks_list_counts_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION list_counts_add();
CREATE TRIGGER tasks_list_counts_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION list_counts_remove();
CREATE TRIGGER tasks_list_counts_change AFTER UPDATE OF list_id, completed ON tasks
    FOR EACH ROW WHEN (OLD.list_id IS DISTINCT FROM NEW.list_id
                       OR OLD.completed IS DISTINCT FROM NEW.completed)
    EXECUTE FUNCTION list_counts_change();

-- As the owner (see 005): the runtime role changes counts only through
-- the tasks it writes, and makes Inboxes only through the users it makes.
DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['list_counts_add()', 'list_counts_remove()',
                             'list_counts_change()', 'lists_inbox_for_new_user()'] LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %I, pg_temp',
                       f, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END $$;
