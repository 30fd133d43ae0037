-- Leases: a job only one process may do at a time (the worker), held by the process that renews
-- it. On SQLite there is one process; the table is the same on both backends.
CREATE TABLE leases (
    name   TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,                 -- the instance that holds it (an id made at start)
    until  INTEGER NOT NULL               -- epoch ms: free for the taking from then on
);

-- Failed log-ins per client and per account in the current window, shared by every instance
-- (keys are SHA-256 of what they count, so every key has the same length).
CREATE TABLE attempts (
    key   TEXT PRIMARY KEY NOT NULL,
    since INTEGER NOT NULL,               -- epoch ms: the window began
    count INTEGER NOT NULL
);
