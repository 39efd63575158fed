-- 008: staying signed in (POST /api/auth/refresh). A login or signup
-- begins a session; its tokens carry the session's id ("sid") and stand
-- while the session does (CALLER_OK in src/store/statements.c). The
-- session is kept by a refresh cookie whose value changes at every use:
-- each value is a row here, by its SHA-256 (only the hash is kept, so a
-- copy of the database signs nobody in). The current value has no
-- rotated_at; presenting a rotated one ends the whole session (reuse
-- detection: the chain may be in two hands). A session idle longer than
-- TasksSessionLifetime is over; logout, sign out everywhere, a password
-- change (other sessions) and a reset end sessions by deleting them.
CREATE TABLE sessions (
    id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_id, last_used_at);

CREATE TABLE refresh_tokens (
    token_hash bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
    session_id uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    rotated_at timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id, rotated_at);
