-- Uploads: images a user brings (an edit's picture and mask; references, blends and describes
-- later), stored in the image store like generated ones and held there (blobs) while the upload
-- or a task using it exists. A task keeps what it was given in `inputs`.
CREATE TABLE uploads (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,                 -- its file in the image store
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp')),
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    bytes        INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX uploads_by_user ON uploads (user_id, id);

-- An admin's key for Open WebUI that charges the Atelier user its forwarded
-- X-OpenWebUI-User-Email names (the /v1 facade only).
ALTER TABLE api_keys ADD COLUMN acts_for_users INTEGER NOT NULL DEFAULT 0;

-- JSON [{upload_id, role, key}]: the images the task was given, in order.
ALTER TABLE tasks ADD COLUMN inputs TEXT NOT NULL DEFAULT '[]';
