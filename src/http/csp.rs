//! The Content-Security-Policy of Atelier's answers.

/// What every answer says, pages or not: nothing may frame it, and no document it is may post
/// elsewhere, change its base or embed plugins.
pub const COMMON: &str =
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// A page's policy: scripts only from Atelier's own origin, inline scripts only with `nonce`
/// (the one leptos_axum puts on the scripts it writes into this answer), WebAssembly allowed;
/// everything else from Atelier itself (images also as `data:` and `blob:` URLs, made in the
/// page). Styles come from the stylesheet; `style` attributes are allowed, `<style>` is not.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data: blob:; \
         connect-src 'self'; font-src 'self'; {COMMON}"
    )
}
