-- 002: users who sign in elsewhere (a trusted JWT issuer such as Better
-- Auth or Keycloak, or an Apache authentication module) next to local
-- accounts.
--
-- Such a user is linked by (issuer, subject), never by email: an issuer
-- vouches for its own subjects only, and an email address can be claimed
-- at more than one place. So an external user's email may equal a local
-- account's (or another external user's), and may be absent altogether.

ALTER TABLE users ALTER COLUMN email DROP NOT NULL;

-- Emails stay unique (case-insensitively) among accounts that log in with
-- a password, which is what signup's ON CONFLICT and login rely on.
DROP INDEX users_email_lower_key;
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))
    WHERE password_hash IS NOT NULL;

-- issuer: the token's "iss" as configured in TasksJWTTrustIssuer, or
-- "apache:<AuthName>" for users Apache authenticated (TasksTrustRemoteUser).
-- subject: the token's "sub" / Apache's user name, compared exactly.
CREATE TABLE user_identities (
    issuer     text        NOT NULL CHECK (char_length(issuer) BETWEEN 1 AND 2048),
    subject    text        NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 255),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user_idx ON user_identities (user_id);
