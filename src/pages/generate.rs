//! `/`: where a prompt becomes a picture.

use crate::{app::use_session, i18n::use_texts, types::Role};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn GeneratePage() -> impl IntoView {
    let t = use_texts();
    let session = use_session();
    let pending = move || {
        session
            .me
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|me| me.user.role == Role::Pending)
    };
    view! {
        <Title text=t.generate_title />
        <h1 class="text-2xl font-semibold">{t.generate_title}</h1>
        <p class="mt-1 text-stone-600 dark:text-stone-400">{t.generate_intro}</p>
        <Show when=pending>
            <p role="status" class="mt-4 rounded bg-amber-50 px-3 py-2 text-amber-900 dark:bg-amber-950 dark:text-amber-200">
                {t.pending_notice}
            </p>
        </Show>
    }
}
