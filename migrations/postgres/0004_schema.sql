-- The schema of SQLite's migrations 0001-0004 as one, for PostgreSQL (15 or newer), so that both
-- backends share their version numbers from here on: a migration 0005 exists in both folders.
-- Times are epoch milliseconds (UTC) as BIGINT; ids are UUIDv7 strings (time-ordered); JSON is
-- JSONB. Constraints, unique indexes and the append-only ledger are the same as on SQLite. Text
-- compares byte by byte (COLLATE "C"), as on SQLite, whatever the database's locale: keyset
-- pages on ids depend on it.

CREATE TABLE users (
    id            TEXT COLLATE "C" PRIMARY KEY,
    name          TEXT COLLATE "C" NOT NULL,
    email         TEXT COLLATE "C" NOT NULL UNIQUE,          -- stored lower-cased
    password_hash TEXT COLLATE "C" NOT NULL,
    role          TEXT COLLATE "C" NOT NULL CHECK (role IN ('admin', 'user', 'pending')),
    -- Cached sum of credit_entries.delta, updated in the same transaction as every entry.
    balance       BIGINT NOT NULL DEFAULT 0 CHECK (balance >= 0),
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT
);

CREATE TABLE sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY,                 -- SHA-256 of the token; the token itself is never stored
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Append-only: rows are never updated or deleted.
CREATE TABLE credit_entries (
    id         TEXT COLLATE "C" PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    delta      BIGINT NOT NULL,
    reason     TEXT COLLATE "C" NOT NULL CHECK (reason IN ('signup', 'charge', 'refund', 'grant')),
    task_id    TEXT COLLATE "C",
    note       TEXT COLLATE "C",
    created_at BIGINT NOT NULL
);
CREATE INDEX credit_entries_by_user ON credit_entries (user_id, id);
-- At most one refund (and one charge) per task, enforced by the database.
CREATE UNIQUE INDEX credit_entries_once_per_task ON credit_entries (task_id, reason) WHERE task_id IS NOT NULL;

CREATE FUNCTION credit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'credit_entries is append-only';
END;
$$;
CREATE TRIGGER credit_entries_append_only BEFORE UPDATE OR DELETE ON credit_entries
    FOR EACH ROW EXECUTE FUNCTION credit_entries_append_only();

CREATE TABLE settings (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT COLLATE "C" NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT COLLATE "C" PRIMARY KEY,
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT COLLATE "C" NOT NULL,
    prefix       TEXT COLLATE "C" NOT NULL,                 -- the first characters, to recognise a key
    key_hash     TEXT COLLATE "C" NOT NULL UNIQUE,          -- SHA-256 of the key; the key itself is never stored
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_keys_by_user ON api_keys (user_id, id);

CREATE TABLE audit_log (
    id         TEXT COLLATE "C" PRIMARY KEY,
    actor_id   TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    action     TEXT COLLATE "C" NOT NULL,                   -- settings.update, credits.grant, role.change, ...
    target     TEXT COLLATE "C",                            -- the account or object acted on
    detail     TEXT COLLATE "C" NOT NULL DEFAULT '',        -- what changed, for people (never a secret)
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (id);

CREATE TABLE channels (
    id           TEXT COLLATE "C" PRIMARY KEY,
    kind         TEXT COLLATE "C" NOT NULL CHECK (kind IN ('midjourney', 'openai', 'sd_webui')),
    name         TEXT COLLATE "C" NOT NULL,
    api_url      TEXT COLLATE "C" NOT NULL,                 -- http(s) URL, or 'builtin' for the simulator
    secret       TEXT COLLATE "C",                          -- sealed (see services::settings::SecretBox)
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    weight       BIGINT NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100),
    -- {"fast": 3, "relax": 3, "turbo": 3} for midjourney, a number for the others.
    concurrency  JSONB NOT NULL,
    health       TEXT COLLATE "C" NOT NULL DEFAULT 'ok' CHECK (health IN ('ok', 'failing', 'down')),
    errors       BIGINT NOT NULL DEFAULT 0,     -- consecutive channel faults
    last_error   TEXT COLLATE "C",
    health_since BIGINT NOT NULL,
    down_until   BIGINT NOT NULL DEFAULT 0,     -- a down channel is probed again from then on
    position     BIGINT NOT NULL DEFAULT 0,     -- the admin's order; the first midjourney channel
                                                -- is the one /api/v1/midjourney/config edits
    created_at   BIGINT NOT NULL,
    deleted_at   BIGINT                         -- removed: takes no new tasks, its live ones finish
);
CREATE INDEX channels_by_kind ON channels (kind, position, id) WHERE deleted_at IS NULL;

-- A new installation starts with the built-in simulator (as SQLite's 0004 does).
INSERT INTO channels (id, kind, name, api_url, concurrency, health_since, created_at)
VALUES ('00000000-0000-7000-8000-000000000001', 'midjourney', 'MidJourney', 'builtin',
        '{"fast": 3, "relax": 3, "turbo": 3}',
        (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT, (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT);

CREATE TABLE tasks (
    id            TEXT COLLATE "C" PRIMARY KEY,
    user_id       TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    parent_id     TEXT COLLATE "C" REFERENCES tasks (id),
    engine        TEXT COLLATE "C" NOT NULL CHECK (engine IN ('midjourney', 'openai', 'sd_webui')),
    action        TEXT COLLATE "C" NOT NULL,                 -- imagine, upscale, variation, reroll, pan, zoom, ...
    custom_id     TEXT COLLATE "C",                          -- the parent's button, for follow-ups
    mode          TEXT COLLATE "C" CHECK (mode IN ('fast', 'relax', 'turbo')), -- midjourney only
    model         TEXT COLLATE "C",                          -- the others' model
    prompt        TEXT COLLATE "C" NOT NULL,
    params        JSONB NOT NULL DEFAULT '{}',   -- size, quality, n, seed, ... as submitted
    status        TEXT COLLATE "C" NOT NULL CHECK (status IN ('queued', 'submitted', 'in_progress', 'needs_input',
                                                  'succeeded', 'failed', 'cancelled')),
    progress      BIGINT NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    cost          BIGINT NOT NULL CHECK (cost >= 0),
    channel_id    TEXT COLLATE "C" REFERENCES channels (id), -- where it runs (a follow-up: its parent's)
    attempt       TEXT COLLATE "C",                          -- the live attempt: claimed by one worker
    lease_until   BIGINT,                        -- while a queued task is claimed, until this
    modal_step    BIGINT NOT NULL DEFAULT 0,     -- modal confirmations sent for it
    upstream_id   TEXT COLLATE "C",
    fail_reason   TEXT COLLATE "C",
    buttons       JSONB NOT NULL DEFAULT '[]',   -- [{custom_id, label, emoji}]
    outputs       JSONB NOT NULL DEFAULT '[]',   -- [{key, thumb, width, height}]: every image
    text          TEXT COLLATE "C",                          -- describe's prompts, a revised prompt, ...
    preview_key   TEXT COLLATE "C",                          -- latest preview while running
    preview_url   TEXT COLLATE "C",                          -- upstream URL of that preview
    final_url     TEXT COLLATE "C",                          -- upstream URL of the final image, until stored
    created_at    BIGINT NOT NULL,
    started_at    BIGINT,
    finished_at   BIGINT,
    touched_at    BIGINT NOT NULL,               -- last change seen: the deadline counts from here
    retry_at      BIGINT NOT NULL DEFAULT 0,     -- a queued task is not sent before this
    misses        BIGINT NOT NULL DEFAULT 0      -- polls in a row the upstream did not know it
);

CREATE TABLE blobs (
    key        TEXT COLLATE "C" PRIMARY KEY,                 -- a content address of the image store
    refs       BIGINT NOT NULL CHECK (refs >= 0),
    zero_since BIGINT                            -- unused since: the sweep removes it later
);

CREATE INDEX tasks_live ON tasks (status, channel_id, mode, id)
    WHERE status IN ('queued', 'submitted', 'in_progress', 'needs_input');
CREATE INDEX tasks_by_user ON tasks (user_id, id);
CREATE INDEX tasks_by_user_status ON tasks (user_id, status, id);
CREATE INDEX tasks_by_parent ON tasks (parent_id, custom_id) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX tasks_by_upstream ON tasks (channel_id, upstream_id) WHERE upstream_id IS NOT NULL;
CREATE INDEX tasks_by_upstream_id ON tasks (upstream_id) WHERE upstream_id IS NOT NULL;
