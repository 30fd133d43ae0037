-- The generation core: engines and their channels, engine-neutral tasks with claims, outputs as a
-- list of images, and reference counts for content-addressed files. Existing data is carried over:
-- the upstream of the settings becomes the first midjourney channel, and every task keeps its
-- images, ledger entries and history.

-- `tasks` is rebuilt (SQLite cannot change a CHECK in place): the old table is renamed first, so
-- that the new one is created under its final name and every reference to it stays as it is.
ALTER TABLE tasks RENAME TO tasks_old;

CREATE TABLE channels (
    id           TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('midjourney', 'openai', 'sd_webui')),
    name         TEXT NOT NULL,
    api_url      TEXT NOT NULL,                 -- http(s) URL, or 'builtin' for the simulator
    secret       TEXT,                          -- sealed (see services::settings::SecretBox)
    enabled      INTEGER NOT NULL DEFAULT 1,
    weight       INTEGER NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100),
    -- JSON: {"fast": 3, "relax": 3, "turbo": 3} for midjourney, a number for the others.
    concurrency  TEXT NOT NULL,
    health       TEXT NOT NULL DEFAULT 'ok' CHECK (health IN ('ok', 'failing', 'down')),
    errors       INTEGER NOT NULL DEFAULT 0,    -- consecutive channel faults
    last_error   TEXT,
    health_since INTEGER NOT NULL,
    down_until   INTEGER NOT NULL DEFAULT 0,    -- a down channel is probed again from then on
    position     INTEGER NOT NULL DEFAULT 0,    -- the admin's order; the first midjourney channel
                                                -- is the one /api/v1/midjourney/config edits
    created_at   INTEGER NOT NULL,
    deleted_at   INTEGER                        -- removed: takes no new tasks, its live ones finish
);
CREATE INDEX channels_by_kind ON channels (kind, position, id) WHERE deleted_at IS NULL;

-- The upstream of the first stage's settings (or the built-in simulator on a new installation).
INSERT INTO channels (id, kind, name, api_url, secret, concurrency, health_since, created_at)
SELECT '00000000-0000-7000-8000-000000000001', 'midjourney', 'MidJourney',
       COALESCE((SELECT json_extract(value, '$.api_url') FROM settings WHERE key = 'config'), 'builtin'),
       (SELECT value FROM settings WHERE key = 'api_secret'),
       json_object(
         'fast',  COALESCE((SELECT json_extract(m.value, '$.concurrency') FROM settings s, json_each(s.value, '$.modes') m
                            WHERE s.key = 'config' AND json_extract(m.value, '$.mode') = 'fast'), 3),
         'relax', COALESCE((SELECT json_extract(m.value, '$.concurrency') FROM settings s, json_each(s.value, '$.modes') m
                            WHERE s.key = 'config' AND json_extract(m.value, '$.mode') = 'relax'), 3),
         'turbo', COALESCE((SELECT json_extract(m.value, '$.concurrency') FROM settings s, json_each(s.value, '$.modes') m
                            WHERE s.key = 'config' AND json_extract(m.value, '$.mode') = 'turbo'), 3)),
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);
DELETE FROM settings WHERE key = 'api_secret';

CREATE TABLE tasks (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    parent_id     TEXT REFERENCES tasks (id),
    engine        TEXT NOT NULL CHECK (engine IN ('midjourney', 'openai', 'sd_webui')),
    action        TEXT NOT NULL,                 -- imagine, upscale, variation, reroll, pan, zoom, ...
    custom_id     TEXT,                          -- the parent's button, for follow-ups
    mode          TEXT CHECK (mode IN ('fast', 'relax', 'turbo')), -- midjourney only
    model         TEXT,                          -- the others' model
    prompt        TEXT NOT NULL,
    params        TEXT NOT NULL DEFAULT '{}',    -- JSON: size, quality, n, seed, ... as submitted
    status        TEXT NOT NULL CHECK (status IN ('queued', 'submitted', 'in_progress', 'needs_input',
                                                  'succeeded', 'failed', 'cancelled')),
    progress      INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    cost          INTEGER NOT NULL CHECK (cost >= 0),
    channel_id    TEXT REFERENCES channels (id), -- where it runs (a follow-up: its parent's)
    attempt       TEXT,                          -- the live attempt: claimed by one worker
    lease_until   INTEGER,                       -- while a queued task is claimed, until this
    modal_step    INTEGER NOT NULL DEFAULT 0,    -- modal confirmations sent for it
    upstream_id   TEXT,
    fail_reason   TEXT,
    buttons       TEXT NOT NULL DEFAULT '[]',    -- JSON [{custom_id, label, emoji}]
    outputs       TEXT NOT NULL DEFAULT '[]',    -- JSON [{key, thumb, width, height}]: every image
    text          TEXT,                          -- describe's prompts, a revised prompt, ...
    preview_key   TEXT,                          -- latest preview while running
    preview_url   TEXT,                          -- upstream URL of that preview
    final_url     TEXT,                          -- upstream URL of the final image, until stored
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER,
    touched_at    INTEGER NOT NULL,              -- last change seen: the deadline counts from here
    retry_at      INTEGER NOT NULL DEFAULT 0,    -- a queued task is not sent before this
    misses        INTEGER NOT NULL DEFAULT 0     -- polls in a row the upstream did not know it
);

INSERT INTO tasks (id, user_id, parent_id, engine, action, custom_id, mode, model, prompt,
                       status, progress, cost, channel_id, upstream_id, fail_reason, buttons,
                       outputs, preview_key, preview_url, final_url, created_at, started_at,
                       finished_at, touched_at, retry_at, misses)
SELECT id, user_id, parent_id, 'midjourney', action, custom_id, mode, NULL, prompt,
       status, progress, cost,
       CASE WHEN upstream_id IS NOT NULL THEN '00000000-0000-7000-8000-000000000001' END,
       upstream_id, fail_reason, buttons,
       CASE WHEN image_key IS NULL THEN '[]'
            ELSE json_array(json_object('key', image_key, 'thumb', thumb_key)) END,
       preview_key, preview_url, final_url, created_at, started_at, finished_at, touched_at,
       retry_at, misses
FROM tasks_old;

CREATE TABLE blobs (
    key        TEXT PRIMARY KEY NOT NULL,        -- a content address of the image store
    refs       INTEGER NOT NULL CHECK (refs >= 0),
    zero_since INTEGER                           -- unused since: the sweep removes it later
);
INSERT INTO blobs (key, refs)
SELECT k, COUNT(*) FROM (
    SELECT image_key AS k FROM tasks_old WHERE image_key IS NOT NULL
    UNION ALL SELECT thumb_key FROM tasks_old WHERE thumb_key IS NOT NULL
    UNION ALL SELECT preview_key FROM tasks_old WHERE preview_key IS NOT NULL
) GROUP BY k;

DROP TABLE tasks_old;

CREATE INDEX tasks_live ON tasks (status, channel_id, mode, id)
    WHERE status IN ('queued', 'submitted', 'in_progress', 'needs_input');
CREATE INDEX tasks_by_user ON tasks (user_id, id);
CREATE INDEX tasks_by_user_status ON tasks (user_id, status, id);
CREATE INDEX tasks_by_parent ON tasks (parent_id, custom_id) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX tasks_by_upstream ON tasks (channel_id, upstream_id) WHERE upstream_id IS NOT NULL;
CREATE INDEX tasks_by_upstream_id ON tasks (upstream_id) WHERE upstream_id IS NOT NULL;
