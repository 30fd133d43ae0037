-- Full-text search over prompts: an FTS5 index of trigrams (so a word is found anywhere, in the
-- middle of another too, in every language) over tasks' prompts, its content read from `tasks`
-- by rowid, and kept by triggers. (VACUUM keeps the rowids of `tasks`: SQLite copies a table's
-- rows with them; were it ever not so, `INSERT INTO tasks_fts(tasks_fts) VALUES ('rebuild')`
-- makes the index again.)
CREATE VIRTUAL TABLE tasks_fts USING fts5 (
    prompt,
    content = 'tasks',
    content_rowid = 'rowid',
    tokenize = 'trigram'
);
INSERT INTO tasks_fts (tasks_fts) VALUES ('rebuild');

CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_fts (rowid, prompt) VALUES (new.rowid, new.prompt);
END;
CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, prompt) VALUES ('delete', old.rowid, old.prompt);
END;
CREATE TRIGGER tasks_fts_update AFTER UPDATE OF prompt ON tasks BEGIN
    INSERT INTO tasks_fts (tasks_fts, rowid, prompt) VALUES ('delete', old.rowid, old.prompt);
    INSERT INTO tasks_fts (rowid, prompt) VALUES (new.rowid, new.prompt);
END;
