-- Generation tasks. Ids are UUIDv7 (time-ordered), so `id` order is creation order.

CREATE TABLE tasks (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    parent_id     TEXT REFERENCES tasks (id),
    action        TEXT NOT NULL,                 -- imagine, upscale, variation, reroll, ...
    custom_id     TEXT,                          -- the parent's button, for follow-ups
    mode          TEXT NOT NULL CHECK (mode IN ('fast', 'relax', 'turbo')),
    prompt        TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'submitted', 'in_progress', 'succeeded', 'failed', 'cancelled')),
    progress      INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    cost          INTEGER NOT NULL CHECK (cost >= 0),
    upstream_id   TEXT,
    fail_reason   TEXT,
    buttons       TEXT NOT NULL DEFAULT '[]',    -- JSON [{custom_id, label, emoji}]
    image_key     TEXT,                          -- stored final image (content address)
    thumb_key     TEXT,
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

CREATE INDEX tasks_live ON tasks (status, mode, id) WHERE status IN ('queued', 'submitted', 'in_progress');
CREATE INDEX tasks_by_user ON tasks (user_id, id);
CREATE INDEX tasks_by_user_status ON tasks (user_id, status, id);
CREATE INDEX tasks_by_parent ON tasks (parent_id) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX tasks_by_upstream ON tasks (upstream_id) WHERE upstream_id IS NOT NULL;
