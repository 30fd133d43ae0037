-- A modal step being answered (or cancelled): when the claim was taken (NULL: nobody holds it).
-- One answer sends one job upstream, however many arrive at once.
ALTER TABLE tasks ADD COLUMN modal_claimed_at INTEGER;

-- Whether the account lets an administrator's app key (Open WebUI's) generate for it, charged to
-- it (off until its owner allows it).
ALTER TABLE users ADD COLUMN allows_apps INTEGER NOT NULL DEFAULT 0;
