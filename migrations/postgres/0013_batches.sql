-- A batch's tasks (several prompts, or one prompt's {a, b} permutations) share its id (as
-- SQLite's 0013).
ALTER TABLE tasks ADD COLUMN batch_id TEXT;
CREATE INDEX tasks_batch ON tasks (batch_id) WHERE batch_id IS NOT NULL;
