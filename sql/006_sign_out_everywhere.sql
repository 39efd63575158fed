-- 006: sign out everywhere and password changes (POST /api/auth/logout-all,
-- POST /api/auth/password). A token whose iat (unix seconds) is before
-- signed_out_before no longer stands, and neither does one without an
-- iat, except the one token whose revocation key is kept_jti: the session
-- that changed the password goes on. Every statement that acts for a
-- caller checks this in the same round trip as its work (CALLER_OK in
-- src/store/statements.c). NULL: never signed out everywhere.
ALTER TABLE users ADD COLUMN signed_out_before bigint;
ALTER TABLE users ADD COLUMN kept_jti text CHECK (kept_jti <> '');
