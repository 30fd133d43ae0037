-- A task its owner starred: when (NULL: not a favourite); as SQLite's 0014.
ALTER TABLE tasks ADD COLUMN favorite_at BIGINT;
CREATE INDEX tasks_favorites ON tasks (user_id, id) WHERE favorite_at IS NOT NULL;
