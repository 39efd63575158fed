-- 013: every task is also a CalDAV resource (API.md, "CalDAV"): a
-- member of its list's collection, /dav/<user>/<list>/<dav_name>, with
-- an iCalendar UID. A task a CalDAV client creates keeps the client's
-- resource name and UID, and the text of what a task does not model
-- (dav_kept: X- properties, RELATED-TO, alarms we cannot express...), so
-- that the client gets back what it sent. A task made any other way gets
-- a random UID and "<uid>.ics" (the trigger below).
--
-- Names are unique within a list (a GET, PUT or DELETE finds the task by
-- (user, list, name): the index), and so are UIDs (RFC 4791 5.3.2.1: one
-- calendar object per UID in a collection; a client that moves a task
-- PUTs it into the new list before it deletes the old one, so UIDs are
-- not unique per person). A task moved by the app to a list where its
-- name or UID is taken gets a fresh one, so a move never fails for them
-- (the client sees a new resource there either way).
--
-- sync-collection (RFC 6578) asks what changed in one collection since a
-- token. A task that changed in the list is found by its change number
-- (011); one that left the list (deleted, or moved to another) leaves a
-- departure: the list, the name it had there and the change's number.
-- Departures are kept as long as tombstones (30 days; the report's
-- statement deletes a few older ones each time), and a sync token as old
-- is refused as the changes feed's is.

ALTER TABLE tasks ADD COLUMN dav_uid text, ADD COLUMN dav_name text,
    ADD COLUMN dav_kept text;
UPDATE tasks SET dav_uid = gen_random_uuid()::text;
UPDATE tasks SET dav_name = dav_uid || '.ics';
-- Defaults for what writes tasks with triggers off (a bulk COPY under
-- session_replication_role = replica: make bench's seeding).
ALTER TABLE tasks ALTER COLUMN dav_uid SET NOT NULL,
    ALTER COLUMN dav_uid SET DEFAULT gen_random_uuid()::text,
    ALTER COLUMN dav_name SET NOT NULL,
    ALTER COLUMN dav_name SET DEFAULT gen_random_uuid()::text || '.ics',
    ADD CONSTRAINT tasks_dav_uid_check CHECK (octet_length(dav_uid) BETWEEN 1 AND 255),
    ADD CONSTRAINT tasks_dav_name_check CHECK (octet_length(dav_name) BETWEEN 1 AND 255),
    ADD CONSTRAINT tasks_dav_kept_check CHECK (octet_length(dav_kept) <= 262144);
CREATE UNIQUE INDEX tasks_dav_name_key ON tasks (user_id, list_id, dav_name);
CREATE UNIQUE INDEX tasks_dav_uid_key ON tasks (user_id, list_id, dav_uid);

CREATE TABLE dav_departures (
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    change_seq  bigint      NOT NULL,
    list_id     bigint      NOT NULL,   -- no reference: the list may be gone
    dav_name    text        NOT NULL,
    departed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, change_seq)
);
CREATE INDEX dav_departures_list_idx ON dav_departures (user_id, list_id, change_seq);
CREATE INDEX dav_departures_departed_idx ON dav_departures (departed_at);

-- A new task without a UID (any task not PUT by a CalDAV client) gets a
-- random one, and a name after it.
CREATE FUNCTION tasks_dav_defaults() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.dav_uid := coalesce(NEW.dav_uid, gen_random_uuid()::text);
    NEW.dav_name := coalesce(NEW.dav_name, NEW.dav_uid || '.ics');
    RETURN NEW;
END $$;
CREATE TRIGGER tasks_dav_insert BEFORE INSERT ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_dav_defaults();

-- A task moving to another list departs from the old one (with the
-- change number tasks_change_update gave it: triggers fire in name
-- order) and takes a fresh UID and name if either is taken in the new
-- one (a row moved earlier by the same statement is seen: PostgreSQL
-- shows a row-level BEFORE trigger the rows its statement already
-- changed).
CREATE FUNCTION tasks_dav_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.list_id IS DISTINCT FROM OLD.list_id THEN
        INSERT INTO dav_departures (user_id, change_seq, list_id, dav_name)
        VALUES (OLD.user_id, NEW.change_seq, OLD.list_id, OLD.dav_name);
        IF EXISTS (SELECT 1 FROM tasks t WHERE t.user_id = NEW.user_id
                   AND t.list_id = NEW.list_id AND t.id <> NEW.id
                   AND (t.dav_name = NEW.dav_name OR t.dav_uid = NEW.dav_uid)) THEN
            NEW.dav_uid := gen_random_uuid()::text;
            NEW.dav_name := NEW.dav_uid || '.ics';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER tasks_dav_update BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION tasks_dav_move();

-- Deleted tasks: 011's tombstones, and now a departure from their list
-- each, with the same numbers.
CREATE OR REPLACE FUNCTION tasks_change_tombstones() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH counts AS (SELECT user_id, count(*) AS n FROM removed GROUP BY user_id),
         bumped AS (UPDATE users u SET change_seq = u.change_seq + c.n
                      FROM counts c WHERE u.id = c.user_id
                    RETURNING u.id, u.change_seq - c.n AS base),
         gone AS (SELECT r.user_id, r.id, r.list_id, r.dav_name,
                         b.base + row_number() OVER (PARTITION BY r.user_id ORDER BY r.id) AS seq
                    FROM removed r JOIN bumped b ON b.id = r.user_id),
         stones AS (INSERT INTO task_tombstones (user_id, change_seq, task_id)
                    SELECT user_id, seq, id FROM gone)
    INSERT INTO dav_departures (user_id, change_seq, list_id, dav_name)
    SELECT user_id, seq, list_id, dav_name FROM gone;
    RETURN NULL;
END $$;

DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['tasks_dav_defaults()', 'tasks_dav_move()',
                             'tasks_change_tombstones()'] LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %I, pg_temp',
                       f, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END $$;
