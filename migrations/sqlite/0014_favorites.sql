-- A task its owner starred: when (NULL: not a favourite).
ALTER TABLE tasks ADD COLUMN favorite_at INTEGER;
CREATE INDEX tasks_favorites ON tasks (user_id, id) WHERE favorite_at IS NOT NULL;
