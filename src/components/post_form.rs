//! A form that posts to a server function, with or without JavaScript.

use leptos::{html, prelude::*, server_fn::ServerFn};

/// `<form method="post">` to the server function of `action`. Without JavaScript the browser
/// posts the form (url-encoded) and the server answers with a redirect back. With it, submitting
/// dispatches `action` with what `args` builds from the page's own state. Unlike Leptos's
/// `ActionForm`, the WASM then never decodes a form into arguments, which keeps serde_qs's decoder
/// out of the main bundle.
#[component]
pub fn PostForm<S, A>(
    action: ServerAction<S>,
    args: A,
    #[prop(optional)] node_ref: NodeRef<html::Form>,
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    A: Fn() -> S + 'static,
{
    view! {
        <form
            method="post"
            action=S::PATH
            class=class
            node_ref=node_ref
            on:submit=move |ev| {
                ev.prevent_default();
                action.dispatch(args());
            }
        >
            {children()}
        </form>
    }
}
