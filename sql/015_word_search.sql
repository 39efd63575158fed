-- 015: a search (?q=, ?tag=) reads the person's tasks that may match,
-- not all of theirs, and a write no longer parses the tags check.
--
-- ?q= matches title or description with ILIKE '%q%'. Before this, a
-- filtered page and its X-Total-Count read every task of the person and
-- case-folded each title and description: a person with 10,000 tasks paid
-- for 10,000 on every search (make bench: filter_big, 306 req/s next to
-- 5,585 for the same person's plain first page).
--
-- The words index holds, for each task, keys that each include the
-- owner's id: one for the owner alone, one per trigram of the title and
-- description, one per tag, each hashed to a bigint. A search asks for
-- the keys of q's trigrams and of its tags (@>; the owner's alone when
-- it has none), then checks ILIKE and the tags on what the index
-- returns. Keys per person matter: a GIN index over (user_id, trigrams)
-- with btree_gin was tried first, and decoding its trigram entries, each
-- of them spanning every person's tasks, took most of a search's time
-- (0.4-0.6 ms of 0.6-1.0).
--
-- Only plain trigrams are keys: three single-byte word characters, no
-- padding (pg_trgm pads words with spaces, and shows a trigram with a
-- multibyte character as a hash, padded or not). Every plain trigram of
-- q lies inside a run of word characters that the text holds too, so a
-- task that matches has all of q's keys (no false negative); a hash that
-- collides only adds a row for ILIKE to drop. A q with no plain trigram
-- (under three characters, or only multibyte letters) asks for the
-- owner's key (and the tags'): all of the person's tasks, checked one by
-- one, as before.
--
-- pg_trgm (show_trgm) is a trusted extension (PostgreSQL 13 and later):
-- the database's owner, who runs the migrations, may create it without a
-- superuser. It lives in a schema of its own, tasks_ext, so that the
-- module's schema holds only the module's objects; where pg_trgm is
-- installed already, in any schema, it is used where it is. The two key
-- functions are SECURITY DEFINER, so that the runtime role needs no
-- privilege on that schema; they call every function by its schema's
-- name (pg_catalog's operators come first in any search_path), and
-- change nothing.
CREATE SCHEMA IF NOT EXISTS tasks_ext;
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA tasks_ext;

DO $do$
DECLARE
    trgm name := (SELECT n.nspname FROM pg_extension e
                    JOIN pg_namespace n ON n.oid = e.extnamespace
                   WHERE e.extname = 'pg_trgm');
BEGIN
    -- A task's keys (an index expression: IMMUTABLE).
    EXECUTE format($f$
CREATE FUNCTION tasks_words_keys(uid uuid, title text, description text, tags text[])
RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SECURITY DEFINER AS $b$
BEGIN
    -- (GIN drops repeated keys itself.)
    RETURN ARRAY(SELECT pg_catalog.hashtextextended(uid::text || k, 0)
                   FROM (SELECT '' AS k
                         UNION ALL
                         SELECT 'w' || g FROM pg_catalog.unnest(%1$I.show_trgm(
                             coalesce(title, '') || ' ' || coalesce(description, ''))) g
                          WHERE pg_catalog.length(g) = 3 AND pg_catalog.strpos(g, ' ') = 0
                         UNION ALL
                         SELECT 't' || x FROM pg_catalog.unnest(tags) x) s);
END $b$;
$f$, trgm);
    -- The keys a search needs: those of the ILIKE pattern's plain
    -- trigrams (the escapes \, % and _ are not word characters, so the
    -- pattern has the same ones as q) and of its tags (a JSON array, or
    -- NULL for none), each of which holds the owner's id; the owner's own
    -- key only when there is no other (it is on every one of their tasks,
    -- and reading it costs a person with 10,000 tasks 10,000 entries).
    -- PARALLEL UNSAFE keeps a search's plan serial: a generic plan guesses
    -- thousands of candidates and chose parallel workers, whose start
    -- cost a search 8 ms instead of 1.
    EXECUTE format($f$
CREATE FUNCTION tasks_words_wanted(uid uuid, pattern text, tags jsonb)
RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE SECURITY DEFINER AS $b$
DECLARE
    keys bigint[];
BEGIN
    keys := ARRAY(SELECT DISTINCT pg_catalog.hashtextextended(uid::text || k, 0)
                    FROM (SELECT 'w' || g AS k
                            FROM pg_catalog.unnest(%1$I.show_trgm(coalesce(pattern, ''))) g
                           WHERE pg_catalog.length(g) = 3 AND pg_catalog.strpos(g, ' ') = 0
                          UNION ALL
                          SELECT 't' || x FROM pg_catalog.jsonb_array_elements_text(tags) x) s);
    IF pg_catalog.cardinality(keys) = 0 THEN
        keys := ARRAY[pg_catalog.hashtextextended(uid::text, 0)];
    END IF;
    RETURN keys;
END $b$;
$f$, trgm);
END $do$;

-- Without GIN's pending list (fastupdate): with it, new entries wait in a
-- list that every search reads whole, and the write that finds it full
-- merges it into the index while its request waits (make bench: the mix's
-- p99 went from 13-15 ms to 47-58 ms). Without it, each write of a task
-- puts its keys (about 40 for a title and a description) into the index
-- at once: a steady cost instead of spikes.
CREATE INDEX tasks_words_idx ON tasks
    USING gin (tasks_words_keys(user_id, title, description, tags))
    WITH (fastupdate = off);

-- The tags check (001) was a SQL function with subqueries. PostgreSQL
-- cannot inline such a function, so it parsed and planned its body again
-- for every statement that wrote a task (base_yyparse in every create's
-- profile). The same rule in PL/pgSQL is compiled once per session.
CREATE OR REPLACE FUNCTION tasks_tags_valid(tags text[]) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    tag text;
    seen text[] := '{}';
BEGIN
    IF cardinality(tags) > 20 THEN
        RETURN false;
    END IF;
    FOREACH tag IN ARRAY tags LOOP
        IF tag IS NULL OR char_length(tag) NOT BETWEEN 1 AND 50 OR tag = ANY (seen) THEN
            RETURN false;
        END IF;
        seen := seen || tag;
    END LOOP;
    RETURN true;
END $$;
