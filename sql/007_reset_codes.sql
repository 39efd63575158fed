-- 007: a password reset without mail. The admin command issues a
-- single-use code for one account (mod-tasks reset-code EMAIL), valid for
-- 30 minutes; POST /api/auth/reset spends it: a new password, and every
-- session of the account signed out. Only the code's SHA-256 is kept, and
-- an account has at most one code: a new one replaces it.
CREATE TABLE reset_codes (
    user_id    uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash  bytea       NOT NULL UNIQUE CHECK (length(code_hash) = 32),
    expires_at timestamptz NOT NULL
);
