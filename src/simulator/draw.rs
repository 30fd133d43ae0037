//! Deterministic pictures: a landscape per seed (sky gradient, sun, mountain ridges), drawn from
//! normalised coordinates so the same seed renders at any size and aspect ratio.

use image::{GrayImage, Rgb, RgbImage, imageops};

/// A 64-bit FNV-1a hash: stable across runs and platforms.
pub fn seed_of(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f32 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let v = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (v >> 40) as f32 / (1u64 << 24) as f32
    }
}

fn hsv(h: f32, s: f32, v: f32) -> [f32; 3] {
    let i = (h * 6.0).floor();
    let f = h * 6.0 - i;
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - f * s), v * (1.0 - (1.0 - f) * s));
    match i as i32 % 6 {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

/// A mountain ridge: colour, base height, three (frequency, phase) waves.
type Ridge = ([f32; 3], f32, [(f32, f32); 3]);

/// One picture of `w` x `h` pixels.
pub fn picture(seed: u64, w: u32, h: u32) -> RgbImage {
    let mut r = Rng(seed | 1);
    let hue = r.next();
    let sky_top = hsv(hue, 0.55, 0.35 + 0.3 * r.next());
    let sky_bottom = hsv((hue + 0.08) % 1.0, 0.35, 0.95);
    let sun = (
        0.2 + 0.6 * r.next(),
        0.15 + 0.3 * r.next(),
        0.06 + 0.08 * r.next(),
    );
    let sun_color = hsv((hue + 0.5) % 1.0, 0.45, 1.0);
    let ridges: Vec<Ridge> = (0..3)
        .map(|i| {
            let depth = i as f32 / 3.0;
            let color = hsv((hue + 0.3 + 0.1 * r.next()) % 1.0, 0.5, 0.55 - 0.15 * depth);
            let base = 0.45 + 0.15 * i as f32 + 0.05 * r.next();
            let waves = [
                (2.0 + 4.0 * r.next(), std::f32::consts::TAU * r.next()),
                (5.0 + 9.0 * r.next(), std::f32::consts::TAU * r.next()),
                (13.0 + 20.0 * r.next(), std::f32::consts::TAU * r.next()),
            ];
            (color, base, waves)
        })
        .collect();
    RgbImage::from_fn(w, h, |x, y| {
        let (u, v) = (x as f32 / w as f32, y as f32 / h as f32);
        let aspect = w as f32 / h as f32;
        let mut c = mix(sky_top, sky_bottom, v);
        let d = (((u - sun.0) * aspect).powi(2) + (v - sun.1).powi(2)).sqrt();
        if d < sun.2 {
            c = sun_color;
        } else if d < sun.2 * 2.5 {
            c = mix(sun_color, c, (d - sun.2) / (sun.2 * 1.5));
        }
        for (color, base, waves) in &ridges {
            let height = base
                - 0.08 * (waves[0].0 * u + waves[0].1).sin()
                - 0.04 * (waves[1].0 * u + waves[1].1).sin()
                - 0.015 * (waves[2].0 * u + waves[2].1).sin();
            if v > height {
                c = mix(*color, [0.0, 0.0, 0.0], (v - height) * 0.6);
            }
        }
        Rgb(c.map(|k| (k.clamp(0.0, 1.0) * 255.0) as u8))
    })
}

/// The pixel size of a picture of aspect `ar` whose long side is `long`.
pub fn size_for((aw, ah): (u32, u32), long: u32) -> (u32, u32) {
    let ratio = (aw as f32 / ah as f32).clamp(0.25, 4.0);
    if ratio >= 1.0 {
        (long, ((long as f32 / ratio).round() as u32).max(1))
    } else {
        (((long as f32 * ratio).round() as u32).max(1), long)
    }
}

/// The seed of tile `index` (1-4) of a grid.
pub fn tile_seed(grid_seed: u64, index: u32) -> u64 {
    seed_of(&[&grid_seed.to_le_bytes(), &index.to_le_bytes()])
}

/// How a job's pictures are drawn from what it was given.
#[derive(Debug, Clone, Default)]
pub enum Recipe {
    /// From its seed alone.
    #[default]
    Plain,
    /// Tinted towards a colour (the average of its image prompts and references).
    Tinted([u8; 3]),
    /// The mean of the given pictures, with a little of each tile's own.
    Blend(Vec<RgbImage>),
    /// The parent's picture, repainted where the mask is white (Vary (Region)).
    Repaint { parent: u64, mask: GrayImage },
    /// The parent's picture of aspect `of`, shrunk by `factor` in the middle of a new scene
    /// (zoom out, custom zoom, make square).
    Zoom {
        parent: u64,
        of: (u32, u32),
        factor: f32,
    },
}

/// One picture of `w` x `h` of `seed`, as `recipe` draws it.
pub fn drawn(recipe: &Recipe, seed: u64, w: u32, h: u32) -> RgbImage {
    let own = picture(seed, w, h);
    match recipe {
        Recipe::Plain => own,
        Recipe::Tinted(c) => {
            let c = c.map(|k| f32::from(k) / 255.0);
            map_pixels(&own, |p, _, _| mix(p, c, 0.45))
        }
        Recipe::Blend(inputs) if !inputs.is_empty() => {
            let scaled: Vec<RgbImage> = inputs
                .iter()
                .map(|i| imageops::resize(i, w, h, imageops::FilterType::Triangle))
                .collect();
            let n = scaled.len() as f32;
            map_pixels(&own, |p, x, y| {
                let mut sum = [0.0f32; 3];
                for img in &scaled {
                    let q = img.get_pixel(x, y).0;
                    for (s, k) in sum.iter_mut().zip(q) {
                        *s += f32::from(k) / 255.0;
                    }
                }
                mix(sum.map(|s| s / n), p, 0.25)
            })
        }
        Recipe::Blend(_) => own,
        Recipe::Repaint { parent, mask } => {
            let base = picture(*parent, w, h);
            let mask = imageops::resize(mask, w, h, imageops::FilterType::Nearest);
            RgbImage::from_fn(w, h, |x, y| {
                if mask.get_pixel(x, y).0[0] >= 128 {
                    *own.get_pixel(x, y)
                } else {
                    *base.get_pixel(x, y)
                }
            })
        }
        Recipe::Zoom { parent, of, factor } => {
            let factor = factor.clamp(1.0, 4.0);
            // The original's shape, fitted into the shrunken frame.
            let (fw, fh) = (w as f32 / factor, h as f32 / factor);
            let ratio = of.0 as f32 / of.1.max(1) as f32;
            let (iw, ih) = if fw / fh > ratio {
                ((fh * ratio).round() as u32, fh.round() as u32)
            } else {
                (fw.round() as u32, (fw / ratio).round() as u32)
            };
            let (iw, ih) = (iw.clamp(1, w), ih.clamp(1, h));
            let inner = picture(*parent, iw, ih);
            let mut out = own;
            imageops::replace(
                &mut out,
                &inner,
                i64::from((w - iw) / 2),
                i64::from((h - ih) / 2),
            );
            out
        }
    }
}

fn map_pixels(img: &RgbImage, f: impl Fn([f32; 3], u32, u32) -> [f32; 3]) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y).0.map(|k| f32::from(k) / 255.0);
        Rgb(f(p, x, y).map(|k| (k.clamp(0.0, 1.0) * 255.0) as u8))
    })
}

/// A 2x2 grid of four distinct pictures, as `recipe` draws them.
pub fn drawn_grid(recipe: &Recipe, seed: u64, ar: (u32, u32), tile_long: u32) -> RgbImage {
    let (w, h) = size_for(ar, tile_long);
    let mut out = RgbImage::new(w * 2, h * 2);
    for i in 0..4u32 {
        let tile = drawn(recipe, tile_seed(seed, i + 1), w, h);
        imageops::replace(&mut out, &tile, i64::from(i % 2 * w), i64::from(i / 2 * h));
    }
    out
}

/// A blurred version (for previews): scaled down by `factor`, then back up.
pub fn blurred(img: &RgbImage, factor: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let small = imageops::resize(
        img,
        (w / factor).max(1),
        (h / factor).max(1),
        imageops::FilterType::Triangle,
    );
    imageops::resize(&small, w, h, imageops::FilterType::Triangle)
}

pub fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding an in-memory RGB image into a Vec cannot fail.
    let _ = img.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_deterministic_and_distinct() {
        let grid = |seed| drawn_grid(&Recipe::Plain, seed, (3, 2), 64);
        let a = grid(7);
        assert_eq!(a.dimensions(), (128, 86));
        assert_eq!(a, grid(7));
        assert_ne!(a, grid(8));
        let (w, h) = size_for((3, 2), 64);
        let tile = |i: u32| imageops::crop_imm(&a, i % 2 * w, i / 2 * h, w, h).to_image();
        for i in 0..4 {
            for j in i + 1..4 {
                assert_ne!(tile(i), tile(j), "tiles {i} and {j}");
            }
        }
        assert!(png(&a).starts_with(b"\x89PNG"));
    }

    #[test]
    fn a_repaint_changes_only_the_masked_part_and_a_zoom_keeps_the_original_in_the_middle() {
        let mask = GrayImage::from_fn(64, 64, |x, _| image::Luma([if x < 32 { 255 } else { 0 }]));
        let out = drawn(&Recipe::Repaint { parent: 5, mask }, 9, 64, 64);
        let (parent, own) = (picture(5, 64, 64), picture(9, 64, 64));
        for (x, y, p) in out.enumerate_pixels() {
            let expected = if x < 32 {
                own.get_pixel(x, y)
            } else {
                parent.get_pixel(x, y)
            };
            assert_eq!(p, expected, "({x}, {y})");
        }
        let zoomed = drawn(
            &Recipe::Zoom {
                parent: 5,
                of: (1, 1),
                factor: 2.0,
            },
            9,
            64,
            64,
        );
        let inner = picture(5, 32, 32);
        assert_eq!(
            imageops::crop_imm(&zoomed, 16, 16, 32, 32).to_image(),
            inner
        );
        assert_eq!(
            zoomed.get_pixel(0, 0),
            own.get_pixel(0, 0),
            "a new scene around it"
        );
        let tinted = drawn(&Recipe::Tinted([255, 0, 0]), 9, 8, 8);
        assert!(
            tinted
                .pixels()
                .zip(own.pixels())
                .all(|(t, o)| t.0[0] >= o.0[0])
        );
    }
}
