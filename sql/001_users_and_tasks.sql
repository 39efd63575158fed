-- 001: accounts, tasks, revoked tokens and login throttling.
-- Every task row and key starts with user_id, so the table can later be
-- sharded (or partitioned) by user without changing a query.

CREATE TABLE users (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text        NOT NULL
                  CHECK (email = btrim(email) AND length(email) BETWEEN 3 AND 254),
    name          text        CHECK (char_length(name) <= 100),
    password_hash text,       -- NULL for identities that sign in elsewhere
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- Emails compare case-insensitively; this index also makes a concurrent
-- second signup fail cleanly (ON CONFLICT) instead of creating a twin.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- Each tag is 1-50 characters; at most 20 distinct tags.
CREATE FUNCTION tasks_tags_valid(tags text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT cardinality(tags) <= 20
       AND cardinality(tags) = (SELECT count(DISTINCT t) FROM unnest(tags) t)
       AND NOT EXISTS (SELECT 1 FROM unnest(tags) t
                       WHERE t IS NULL OR char_length(t) NOT BETWEEN 1 AND 50)
$$;

CREATE TABLE tasks (
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id           bigint      GENERATED ALWAYS AS IDENTITY,
    title        text        NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description  text        CHECK (char_length(description) <= 1000),
    completed    boolean     NOT NULL DEFAULT false,
    priority     smallint    NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 3),
    due_at       timestamptz,
    tags         text[]      NOT NULL DEFAULT '{}' CHECK (tasks_tags_valid(tags)),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    version      integer     NOT NULL DEFAULT 1,   -- bumped on every write: the ETag
    PRIMARY KEY (user_id, id),
    CHECK (completed = (completed_at IS NOT NULL))
);
-- The id alone is unique too (it comes from one identity sequence), which
-- keeps the seed-compatible paths and logs unambiguous.
CREATE UNIQUE INDEX tasks_id_key ON tasks (id);

-- One index per sort key, each ending in id for a stable keyset tie-break.
-- due_at sorts tasks without a due date as if due at 'infinity'.
CREATE INDEX tasks_user_created_idx  ON tasks (user_id, created_at, id);
CREATE INDEX tasks_user_updated_idx  ON tasks (user_id, updated_at, id);
CREATE INDEX tasks_user_due_idx      ON tasks (user_id, (coalesce(due_at, 'infinity')), id);
CREATE INDEX tasks_user_priority_idx ON tasks (user_id, priority, id);
CREATE INDEX tasks_user_title_idx    ON tasks (user_id, title COLLATE "C", id);
CREATE INDEX tasks_user_completed_idx ON tasks (user_id, id) WHERE completed;

-- Tokens revoked by logout, kept until they would have expired anyway.
CREATE TABLE revoked_tokens (
    jti        text        PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_expires_idx ON revoked_tokens (expires_at);

-- Failed logins, shared by every httpd process and node that uses this
-- database. One row per failure, counted per email and per client address;
-- a success forgets only that client's failures for that email.
CREATE TABLE login_failures (
    email     text        NOT NULL,     -- lower-cased
    addr      text        NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (email, failed_at);
CREATE INDEX login_failures_addr_idx  ON login_failures (addr, failed_at);
