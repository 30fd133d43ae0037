-- A modal step being answered (or cancelled): when the claim was taken (NULL: nobody holds it);
-- as SQLite's 0019.
ALTER TABLE tasks ADD COLUMN modal_claimed_at BIGINT;

-- Whether the account lets an administrator's app key (Open WebUI's) generate for it; as SQLite's.
ALTER TABLE users ADD COLUMN allows_apps BOOLEAN NOT NULL DEFAULT FALSE;

-- Every instance keeps the settings in memory (every task read prices its buttons with them) and
-- must hear at once when another instance changes them.
CREATE FUNCTION atelier_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('atelier_settings', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE ON settings
    FOR EACH STATEMENT EXECUTE FUNCTION atelier_settings_changed();
