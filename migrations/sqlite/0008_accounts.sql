-- Sessions get a public id, so that their owner can list them and end one without the token's
-- hash ever leaving the server, and what the owner needs to recognise each one. Sessions made
-- before this migration get an id from the first half of their token's hash (a SHA-256: the
-- token cannot be learnt from it, and half a hash signs no one in).
ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN client TEXT;
UPDATE sessions SET id = 'session-' || substr(token_hash, 1, 32) WHERE id = '';
CREATE UNIQUE INDEX sessions_by_id ON sessions (id);

-- Invite codes for sign-up by invitation: single use (max_uses 1) or several, with an expiry.
CREATE TABLE invites (
    id         TEXT PRIMARY KEY NOT NULL,
    code       TEXT NOT NULL UNIQUE,
    note       TEXT NOT NULL DEFAULT '',
    max_uses   INTEGER NOT NULL CHECK (max_uses >= 1),
    uses       INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
    expires_at INTEGER,                                -- NULL: never
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);

-- An account that signed up while new accounts waited for approval gets its sign-up credits
-- when an admin approves it, not before.
ALTER TABLE users ADD COLUMN signup_credits_due INTEGER NOT NULL DEFAULT 0 CHECK (signup_credits_due IN (0, 1));
