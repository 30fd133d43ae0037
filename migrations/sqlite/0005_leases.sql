-- Leases: a job only one process may do at a time (the worker), held by the process that renews
-- it. On SQLite there is one process; the table is the same on both backends.
CREATE TABLE leases (
    name   TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,                 -- the instance that holds it (an id made at start)
    until  INTEGER NOT NULL               -- epoch ms: free for the taking from then on
);
