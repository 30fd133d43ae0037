//! The 404 and 403 pages. During the server render they also set the HTTP status, so a missing
//! page is a real 404 and a forbidden one a real 403.

use crate::components::page_title::PageTitle;
use crate::i18n::use_texts;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    let t = use_texts();
    view! { <ErrorPage code=404 title=t.not_found_title body=t.not_found_body /> }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    set_status(403);
    let t = use_texts();
    view! { <ErrorPage code=403 title=t.forbidden_title body=t.forbidden_body /> }
}

#[component]
fn ErrorPage(code: u16, title: &'static str, body: &'static str) -> impl IntoView {
    let t = use_texts();
    view! {
        <PageTitle text=title />
        <section class="mx-auto max-w-md py-16 text-center">
            <p class="text-5xl font-bold text-stone-300 dark:text-stone-700">{code}</p>
            <h1 class="mt-4 text-2xl font-semibold">{title}</h1>
            <p class="mt-2 text-stone-600 dark:text-stone-400">{body}</p>
            <a href="/" class="mt-6 inline-block rounded bg-indigo-600 px-4 py-2 text-white hover:bg-indigo-500">
                {t.go_home}
            </a>
        </section>
    }
}

fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(code),
    ) {
        res.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}
