-- Stable Diffusion WebUI: a channel keeps what its box offers (checkpoints and samplers, as
-- JSON, read from the box now and then); an installation still on the built-in simulators gets
-- the built-in Stable Diffusion simulator too (as 0009 did for OpenAI Images).
ALTER TABLE channels ADD COLUMN catalog TEXT NOT NULL DEFAULT '{}';

INSERT INTO channels (id, kind, name, api_url, concurrency, position, health_since, created_at)
SELECT '00000000-0000-7000-8000-000000000003', 'sd_webui', 'Stable Diffusion', 'builtin', '1', 2,
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
WHERE EXISTS (SELECT 1 FROM channels WHERE kind = 'midjourney' AND api_url = 'builtin' AND deleted_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM channels WHERE kind = 'sd_webui');
