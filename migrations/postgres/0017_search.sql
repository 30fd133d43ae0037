-- Full-text search over prompts, as SQLite's 0017: a trigram index (pg_trgm, a trusted extension
-- any database owner may create) that ILIKE '%word%' uses, so a word is found anywhere, in the
-- middle of another too, in every language (text search's dictionaries split neither Chinese
-- nor the middle of a word). Where the extension cannot be had, search still works, by reading.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): search reads the prompts', SQLERRM;
END
$$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX tasks_prompt_trgm ON tasks USING gin (prompt gin_trgm_ops);
    END IF;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'no trigram index (%): search reads the prompts', SQLERRM;
END
$$;
