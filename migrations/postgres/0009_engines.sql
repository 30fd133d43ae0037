-- More engines (as SQLite's 0009): an installation still on the built-in midjourney simulator
-- gets the built-in OpenAI Images simulator as well; one with a real upstream gets nothing.
INSERT INTO channels (id, kind, name, api_url, concurrency, position, health_since, created_at)
SELECT '00000000-0000-7000-8000-000000000002', 'openai', 'OpenAI Images', 'builtin', '2'::jsonb, 1,
       (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT, (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT
WHERE EXISTS (SELECT 1 FROM channels WHERE kind = 'midjourney' AND api_url = 'builtin' AND deleted_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM channels WHERE kind = 'openai');
