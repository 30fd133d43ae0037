-- More engines: an installation that still runs on the built-in simulator (its midjourney
-- channel is `builtin`) gets the built-in OpenAI Images simulator as well, so that a newcomer
-- sees every engine at once. An installation with a real upstream gets no simulator it did not
-- ask for: its admin adds OpenAI channels under Channels.
INSERT INTO channels (id, kind, name, api_url, concurrency, position, health_since, created_at)
SELECT '00000000-0000-7000-8000-000000000002', 'openai', 'OpenAI Images', 'builtin', '2', 1,
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
WHERE EXISTS (SELECT 1 FROM channels WHERE kind = 'midjourney' AND api_url = 'builtin' AND deleted_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM channels WHERE kind = 'openai');
