//! Atelier: a self-hosted image-generation portal in front of a midjourney-proxy server.
//!
//! One crate, two builds: the server (feature `ssr`) and the WebAssembly that hydrates its pages
//! (feature `hydrate`). Server-only modules are switched on here, once.

#![recursion_limit = "256"]

pub mod app;
pub mod browser;
pub mod codec;
pub mod components;
pub mod cookies;
pub mod error;
pub mod i18n;
pub mod limits;
pub mod pages;
pub mod permutations;
pub mod prompt_flags;
pub mod server_fns;
pub mod session;
pub mod templates;
pub mod types;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod copy;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod engines;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod images;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod serve;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod simulator;
#[cfg(feature = "ssr")]
pub mod startup;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod worker;
#[cfg(feature = "ssr")]
pub mod zip;

/// Makes rustls (used by every HTTP client) use ring. Harmless when called again.
#[cfg(feature = "ssr")]
pub fn init_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A panic stops the WASM for good: log it as usual, then tell the user and offer a reload.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        browser::show_crash_notice();
    }));
    // Lazily loaded pages hydrate once their code has arrived, so hydration is asynchronous.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // Lets browser tests (and curious people) see that the page is interactive now.
        let _ = body.set_attribute("data-hydrated", "");
    });
}

/// Room for the WASM splitter's data layout. wasm-split lays the read-only data out again, each
/// module's pieces together with their alignment padding; when that layout comes out longer than
/// the linker's, by even a few bytes, it gives up and leaves all of the data (about 100 KB more)
/// in the main module, which is why builds of nearly the same code differed by 35 KB brotli.
/// These bytes are in the linker's layout (`#[used]` keeps them) and in no module's (nothing
/// reads them): they give the new layout room, and no module carries them.
#[cfg(feature = "hydrate")]
#[used]
static SPLIT_DATA_ROOM: [u8; 8192] = [0x5a; 8192];
