-- 005: the task_counts triggers write the counts as the owner of the
-- schema (SECURITY DEFINER), so the runtime role that httpd connects as
-- needs only SELECT on task_counts (sql/grants.sql): it cannot set a
-- user's counts itself, only change them through the tasks it inserts,
-- updates and deletes. A trigger function otherwise runs with the
-- privileges of the role whose statement fired it.
--
-- Their search_path is pinned to the schema these migrations run in
-- (pg_catalog is searched first anyway), with pg_temp last, so a temporary
-- table of the calling session can never stand in for task_counts. They
-- can only run as triggers (a trigger function cannot be called), and
-- firing a trigger needs no EXECUTE privilege: PUBLIC's is taken away, as
-- for any SECURITY DEFINER function.
--
-- A later migration that replaces one of them (CREATE OR REPLACE) must
-- say SECURITY DEFINER and SET search_path again: a replaced function
-- keeps neither. The integration tests, which run as the runtime role,
-- fail otherwise (every insert is refused).

DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY['task_counts_add()', 'task_counts_remove()',
                             'task_counts_toggle()'] LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = %I, pg_temp',
                       f, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END $$;
