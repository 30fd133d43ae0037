-- Collections (as SQLite's 0015): named sets of a user's pictures (a task may be in several). The cover is the
-- task its owner chose, or (NULL) the one added last that has a picture.
CREATE TABLE collections (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    cover_task_id TEXT REFERENCES tasks (id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX collections_by_name ON collections (user_id, name);

CREATE TABLE collection_tasks (
    collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    task_id       TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    added_at      BIGINT NOT NULL,
    PRIMARY KEY (collection_id, task_id)
);
CREATE INDEX collection_tasks_by_task ON collection_tasks (task_id);
