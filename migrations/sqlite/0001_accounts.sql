-- Accounts, sessions, the credits ledger and admin-edited settings.
-- Times are epoch milliseconds (UTC); ids are UUIDv7 strings (time-ordered).

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,          -- stored lower-cased
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'user', 'pending')),
    -- Cached sum of credit_entries.delta, updated in the same transaction as every entry.
    balance       INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,        -- SHA-256 of the token; the token itself is never stored
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Append-only: rows are never updated or deleted.
CREATE TABLE credit_entries (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    delta      INTEGER NOT NULL,
    reason     TEXT NOT NULL CHECK (reason IN ('signup', 'charge', 'refund', 'grant')),
    task_id    TEXT,
    note       TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX credit_entries_by_user ON credit_entries (user_id, id);
-- At most one refund (and one charge) per task, enforced by the database.
CREATE UNIQUE INDEX credit_entries_once_per_task ON credit_entries (task_id, reason) WHERE task_id IS NOT NULL;

CREATE TRIGGER credit_entries_append_only_update BEFORE UPDATE ON credit_entries
BEGIN SELECT RAISE(ABORT, 'credit_entries is append-only'); END;
CREATE TRIGGER credit_entries_append_only_delete BEFORE DELETE ON credit_entries
BEGIN SELECT RAISE(ABORT, 'credit_entries is append-only'); END;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
