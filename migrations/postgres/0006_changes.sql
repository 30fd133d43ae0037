-- Every instance keeps, in memory, who recent tokens belong to and what it read of tasks (so that
-- a status poll costs no query), and must hear at once when another instance changes them. These
-- triggers tell every instance at commit:
--   atelier_changed  a task changed, or an account's balance (what a status poll shows);
--   atelier_auth     an account's sessions, keys or role changed (the payload is its id).
-- Row triggers, so that an UPDATE that matches nothing says nothing; PostgreSQL sends one notice
-- per transaction for each distinct payload however many rows change.
CREATE FUNCTION atelier_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('atelier_changed', '');
    RETURN NULL;
END
$$;

CREATE FUNCTION atelier_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('atelier_auth', COALESCE(NEW.id, OLD.id));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('atelier_auth', OLD.user_id);
    ELSE
        PERFORM pg_notify('atelier_auth', NEW.user_id);
        PERFORM pg_notify('atelier_auth', OLD.user_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER tasks_changed AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION atelier_changed();
CREATE TRIGGER balance_changed AFTER UPDATE OF balance ON users
    FOR EACH ROW EXECUTE FUNCTION atelier_changed();

CREATE TRIGGER users_auth_changed AFTER UPDATE OF name, email, password_hash, role OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION atelier_auth_changed();
CREATE TRIGGER sessions_auth_changed AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION atelier_auth_changed();
CREATE TRIGGER api_keys_auth_changed AFTER UPDATE OF user_id, key_hash OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION atelier_auth_changed();
