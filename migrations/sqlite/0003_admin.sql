-- API keys for scripts, and the audit log of admin actions.

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,                 -- the first characters, to recognise a key
    key_hash     TEXT NOT NULL UNIQUE,          -- SHA-256 of the key; the key itself is never stored
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX api_keys_by_user ON api_keys (user_id, id);

CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY NOT NULL,
    actor_id   TEXT NOT NULL REFERENCES users (id),
    action     TEXT NOT NULL,                   -- settings.update, credits.grant, role.change, ...
    target     TEXT,                            -- the account or object acted on
    detail     TEXT NOT NULL DEFAULT '',        -- what changed, for people (never a secret)
    created_at INTEGER NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (id);
