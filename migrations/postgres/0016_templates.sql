-- Prompt templates (as SQLite's 0016): a prompt with {placeholders} and the engine, mode or model and parameters it
-- is used with. A user's own, or shared with everyone (made by admins); user_id NULL is one of
-- the starter presets a new installation ships with (admins may change or delete them).
CREATE TABLE templates (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    prompt     TEXT NOT NULL,
    engine     TEXT,
    mode       TEXT,
    model      TEXT,
    params     JSONB NOT NULL DEFAULT '{}',
    shared     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX templates_by_user ON templates (user_id, updated_at);
CREATE INDEX templates_shared ON templates (name) WHERE shared;

INSERT INTO templates (id, user_id, name, prompt, engine, mode, model, params, shared, created_at, updated_at) VALUES
('00000000-0000-7000-8000-000000000001', NULL, 'Photo · 摄影', '{subject}, professional photograph, natural light, 50mm lens, shallow depth of field, fine detail --ar 3:2', 'midjourney', NULL, NULL, '{}', TRUE, 0, 0),
('00000000-0000-7000-8000-000000000002', NULL, 'Anime · 动漫', '{subject}, anime style, cel shading, clean line art, vibrant colours --niji 6', 'midjourney', NULL, NULL, '{}', TRUE, 0, 0),
('00000000-0000-7000-8000-000000000003', NULL, 'Watercolour · 水彩', '{subject}, watercolour painting, soft washes, visible paper texture, loose brushwork', 'midjourney', NULL, NULL, '{}', TRUE, 0, 0),
('00000000-0000-7000-8000-000000000004', NULL, 'Isometric · 等距', 'isometric illustration of {subject}, 3D render, soft shadows, pastel palette, plain background', 'midjourney', NULL, NULL, '{}', TRUE, 0, 0),
('00000000-0000-7000-8000-000000000005', NULL, 'Product shot · 产品图', '{product} on a {surface} surface, studio product photography, softbox lighting, seamless background --ar 4:5', 'midjourney', NULL, NULL, '{}', TRUE, 0, 0),
('00000000-0000-7000-8000-000000000006', NULL, 'Oil painting · 油画', '{subject}, oil painting on canvas, thick impasto, dramatic chiaroscuro', 'midjourney', NULL, NULL, '{}', TRUE, 0, 0),
('00000000-0000-7000-8000-000000000007', NULL, 'Pixel art · 像素', '{subject}, 16-bit pixel art, limited palette, crisp pixels', 'midjourney', NULL, NULL, '{}', TRUE, 0, 0);
