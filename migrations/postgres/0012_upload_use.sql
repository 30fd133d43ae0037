-- Uploads a task used are kept; the others are removed after the admin's retention period
-- (as SQLite's 0012). `used_at`: when a task first took the upload as an input (NULL: never).
ALTER TABLE uploads ADD COLUMN used_at BIGINT;
UPDATE uploads SET used_at = created_at
WHERE EXISTS (SELECT 1 FROM tasks t, jsonb_array_elements(t.inputs) AS i
              WHERE i->>'upload_id' = uploads.id);
CREATE INDEX uploads_unused ON uploads (created_at) WHERE used_at IS NULL;
