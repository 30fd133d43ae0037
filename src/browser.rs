//! The few things pages need from the browser (and their server-side stand-ins during SSR).

/// Milliseconds since the epoch, now.
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_millis() as f64)
    }
}

/// Milliseconds since the epoch of an RFC 3339 time. In the browser, its own date parser (keeps
/// the `time` crate out of the WASM).
#[cfg(feature = "hydrate")]
pub fn parse_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}

/// Milliseconds since the epoch of an RFC 3339 time.
#[cfg(not(feature = "hydrate"))]
pub fn parse_ms(rfc3339: &str) -> Option<f64> {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as f64)
}

/// "2026-11-28 10:00" (UTC) from an RFC 3339 time.
pub fn short_time(rfc3339: &str) -> String {
    rfc3339
        .get(..16)
        .map_or_else(|| rfc3339.to_owned(), |s| s.replace('T', " "))
}

/// True while the tab is in the background.
pub fn page_hidden() -> bool {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::document().hidden()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Puts text on the clipboard (best effort).
pub fn copy_text(text: &str) {
    #[cfg(feature = "hydrate")]
    {
        let _ = leptos::prelude::window()
            .navigator()
            .clipboard()
            .write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}
