-- Leases: a job only one instance may do at a time (the worker), held by the instance that
-- renews it; another takes it over once it runs out. Times are the database's clock, so the
-- instances' clocks need not agree.
CREATE TABLE leases (
    name   TEXT COLLATE "C" PRIMARY KEY,
    holder TEXT COLLATE "C" NOT NULL,     -- the instance that holds it (an id made at start)
    until  BIGINT NOT NULL                -- epoch ms: free for the taking from then on
);

-- Failed log-ins per client and per account in the current window, shared by every instance
-- (keys are SHA-256 of what they count, so every key has the same length).
CREATE TABLE attempts (
    key   TEXT COLLATE "C" PRIMARY KEY,
    since BIGINT NOT NULL,                -- epoch ms: the window began
    count BIGINT NOT NULL
);
