-- Sessions get a public id, so that their owner can list them and end one without the token's
-- hash ever leaving the server, and what the owner needs to recognise each one. Sessions made
-- before this migration get an id from the first half of their token's hash (a SHA-256: the
-- token cannot be learnt from it, and half a hash signs no one in).
ALTER TABLE sessions ADD COLUMN id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT COLLATE "C";
ALTER TABLE sessions ADD COLUMN client TEXT COLLATE "C";
UPDATE sessions SET id = 'session-' || substr(token_hash, 1, 32) WHERE id = '';
CREATE UNIQUE INDEX sessions_by_id ON sessions (id);

-- Noting when a session was last used says nothing about who it is: only the columns that do
-- announce a change (migration 0006 announced every update).
DROP TRIGGER sessions_auth_changed ON sessions;
CREATE TRIGGER sessions_auth_changed AFTER UPDATE OF token_hash, user_id, expires_at OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION atelier_auth_changed();

-- Invite codes for sign-up by invitation: single use (max_uses 1) or several, with an expiry.
CREATE TABLE invites (
    id         TEXT COLLATE "C" PRIMARY KEY,
    code       TEXT COLLATE "C" NOT NULL UNIQUE,
    note       TEXT COLLATE "C" NOT NULL DEFAULT '',
    max_uses   BIGINT NOT NULL CHECK (max_uses >= 1),
    uses       BIGINT NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    expires_at BIGINT,                                  -- NULL: never
    created_by TEXT COLLATE "C" REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);

-- An account that signed up while new accounts waited for approval gets its sign-up credits
-- when an admin approves it, not before.
ALTER TABLE users ADD COLUMN signup_credits_due BOOLEAN NOT NULL DEFAULT FALSE;
