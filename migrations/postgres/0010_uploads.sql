-- Uploads (as SQLite's 0010): images a user brings, held in the image store while the upload or
-- a task using it exists; a task keeps what it was given in `inputs`.
CREATE TABLE uploads (
    id           TEXT COLLATE "C" PRIMARY KEY,
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT COLLATE "C" NOT NULL,
    content_type TEXT COLLATE "C" NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
    width        BIGINT NOT NULL,
    height       BIGINT NOT NULL,
    bytes        BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX uploads_by_user ON uploads (user_id, id);

ALTER TABLE api_keys ADD COLUMN acts_for_users BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE tasks ADD COLUMN inputs JSONB NOT NULL DEFAULT '[]';
