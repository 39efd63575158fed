-- 012: app passwords, for CalDAV clients (HTTP Basic: the account's
-- e-mail and one of these). Each is 256 random bits shown once; only its
-- SHA-256 is kept (as for refresh values and reset codes: a value with
-- that much randomness needs no slow hash, and a keyed one would add
-- nothing an attacker with the table could not already try). A person
-- keeps at most 50; each can be revoked; last_used_at says whether a
-- client still uses it.

CREATE TABLE app_passwords (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text        NOT NULL
                 CHECK (name = btrim(name) AND char_length(name) BETWEEN 1 AND 100),
    secret_hash  text        NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX app_passwords_user_idx ON app_passwords (user_id, id);
