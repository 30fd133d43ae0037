-- A modal step being answered (or cancelled): when the claim was taken (NULL: nobody holds it);
-- as SQLite's 0019.
ALTER TABLE tasks ADD COLUMN modal_claimed_at BIGINT;

-- Whether the account lets an administrator's app key (Open WebUI's) generate for it; as SQLite's.
ALTER TABLE users ADD COLUMN allows_apps BOOLEAN NOT NULL DEFAULT FALSE;
