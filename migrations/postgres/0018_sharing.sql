-- Sharing (as SQLite's 0018): a task's share link (its unguessable token; NULL: not shared), its place in the
-- public gallery (published_at; NULL: not listed), an admin's hiding of it from both
-- (hidden_at), and its likes, counted where the gallery sorts by them.
ALTER TABLE tasks ADD COLUMN share_token TEXT;
ALTER TABLE tasks ADD COLUMN published_at BIGINT;
ALTER TABLE tasks ADD COLUMN hidden_at BIGINT;
ALTER TABLE tasks ADD COLUMN like_count BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX tasks_by_share_token ON tasks (share_token) WHERE share_token IS NOT NULL;
CREATE INDEX tasks_gallery_newest ON tasks (published_at, id)
    WHERE published_at IS NOT NULL AND hidden_at IS NULL;
CREATE INDEX tasks_gallery_liked ON tasks (like_count, published_at, id)
    WHERE published_at IS NOT NULL AND hidden_at IS NULL;

-- Who liked a published picture (once each).
CREATE TABLE task_likes (
    task_id    TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (task_id, user_id)
);
CREATE INDEX task_likes_by_user ON task_likes (user_id);

-- Comments on published pictures, plain text; an admin's hiding keeps the row (and its reports).
CREATE TABLE comments (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    task_id    TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    hidden_at  BIGINT
);
CREATE INDEX comments_by_task ON comments (task_id, id);
-- The rate limit counts a user's recent comments.
CREATE INDEX comments_by_user ON comments (user_id, created_at);

-- What signed-in users reported (a picture, or one of its comments), for the admin overview;
-- one report per user and thing, until an admin deals with it.
CREATE TABLE reports (
    id          TEXT PRIMARY KEY NOT NULL,
    task_id     TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    comment_id  TEXT REFERENCES comments (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE UNIQUE INDEX reports_once ON reports (user_id, task_id, COALESCE(comment_id, ''))
    WHERE resolved_at IS NULL;
CREATE INDEX reports_open ON reports (created_at) WHERE resolved_at IS NULL;
