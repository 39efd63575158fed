-- 003: per-user task counts, kept by statement-level triggers, so that
-- X-Total-Count for an unfiltered (or status-only) list is one primary-key
-- lookup instead of a scan of all the user's tasks: the cost of a list page
-- stays flat as a user's task count grows. Filtered lists still count the
-- matching rows.

CREATE TABLE task_counts (
    user_id   uuid   PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    total     bigint NOT NULL DEFAULT 0 CHECK (total >= 0),
    completed bigint NOT NULL DEFAULT 0 CHECK (completed BETWEEN 0 AND total)
);

-- Statement-level triggers with transition tables: one upsert per user per
-- statement, whatever the number of rows (bulk COPY, clear-completed).
CREATE FUNCTION task_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_counts AS c (user_id, total, completed)
    SELECT user_id, count(*), count(*) FILTER (WHERE completed)
      FROM added GROUP BY user_id
    ON CONFLICT (user_id) DO UPDATE
       SET total = c.total + EXCLUDED.total,
           completed = c.completed + EXCLUDED.completed;
    RETURN NULL;
END $$;

CREATE FUNCTION task_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE task_counts c
       SET total = c.total - r.n, completed = c.completed - r.done
      FROM (SELECT user_id, count(*) AS n, count(*) FILTER (WHERE completed) AS done
              FROM removed GROUP BY user_id) r
     WHERE c.user_id = r.user_id;
    RETURN NULL;
END $$;

CREATE FUNCTION task_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE task_counts c
       SET completed = c.completed + d.delta
      FROM (SELECT n.user_id,
                   sum(n.completed::int - o.completed::int) AS delta
              FROM before_rows o JOIN after_rows n USING (user_id, id)
             GROUP BY n.user_id) d
     WHERE c.user_id = d.user_id AND d.delta <> 0;
    RETURN NULL;
END $$;

CREATE TRIGGER tasks_counts_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION task_counts_add();
CREATE TRIGGER tasks_counts_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION task_counts_remove();
CREATE TRIGGER tasks_counts_update AFTER UPDATE ON tasks
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION task_counts_change();

INSERT INTO task_counts (user_id, total, completed)
SELECT user_id, count(*), count(*) FILTER (WHERE completed)
  FROM tasks GROUP BY user_id;
