//! Views whose code is loaded when they are first needed, not with the page.
//!
//! A function marked `#[leptos::lazy]` goes into a WASM chunk of its own in a `--split` build
//! (the release build and the end-to-end tests'), fetched the first time it is called. What the
//! first paint of a page does not show (the viewer, the mask editor, the bar's panels) is built
//! through one, so that the page's main module stays small.

use leptos::prelude::*;
use std::{future::Future, pin::Pin, sync::Arc};

/// A lazily loaded view on its way. One boxed type for them all: each distinct future type would
/// bring its own copy of the rendering code into the main module.
pub type Loading = Pin<Box<dyn Future<Output = AnyView> + Send>>;

/// How to load a view, when it is wanted.
pub type Loader = Arc<dyn Fn() -> Loading + Send + Sync>;

/// A loader from a `#[leptos::lazy]` function's call.
pub fn loader<Fut>(load: impl Fn() -> Fut + Send + Sync + 'static) -> Loader
where
    Fut: Future<Output = AnyView> + Send + 'static,
{
    Arc::new(move || Box::pin(load()) as Loading)
}

/// The view a loader makes, once loaded.
pub fn loaded(load: &Loader) -> Suspend<AnyView> {
    Suspend::new(load())
}

/// Nothing until `when` is first true in the browser, then the view `load` makes, kept from then
/// on. Never rendered on the server, so hydration never waits for a chunk: the server's HTML and
/// the hydrating page both have nothing there.
pub fn later(when: Signal<bool>, load: Loader) -> AnyView {
    let wanted = RwSignal::new(false);
    // Effects run only in the browser, after hydration.
    Effect::new(move || {
        if when.get() {
            wanted.set(true);
        }
    });
    // Its own boundary: while the chunk is on its way only this part waits. Under the page's
    // boundary instead, the whole page (the studio, with the focus in it) was taken out of the
    // document until the chunk arrived.
    view! { <Suspense>{move || wanted.get().then(|| loaded(&load))}</Suspense> }.into_any()
}

/// The view `load` makes, loaded as soon as the page runs in the browser (for a part that shows
/// at once when it is there, but is rarely there: a waiting task's input, an open menu).
pub fn now<Fut>(load: impl Fn() -> Fut + Send + Sync + 'static) -> AnyView
where
    Fut: Future<Output = AnyView> + Send + 'static,
{
    later(Signal::stored(true), loader(load))
}
