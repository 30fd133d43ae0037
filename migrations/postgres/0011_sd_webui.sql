-- Stable Diffusion WebUI (as SQLite's 0011): a channel keeps what its box offers; an
-- installation still on the built-in simulators gets the built-in Stable Diffusion simulator.
ALTER TABLE channels ADD COLUMN catalog JSONB NOT NULL DEFAULT '{}';

INSERT INTO channels (id, kind, name, api_url, concurrency, position, health_since, created_at)
SELECT '00000000-0000-7000-8000-000000000003', 'sd_webui', 'Stable Diffusion', 'builtin', '1'::jsonb, 2,
       (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT, (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT
WHERE EXISTS (SELECT 1 FROM channels WHERE kind = 'midjourney' AND api_url = 'builtin' AND deleted_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM channels WHERE kind = 'sd_webui');
