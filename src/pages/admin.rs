//! `/admin`: settings, users and credits (administrators only).

use crate::i18n::use_texts;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminPage() -> impl IntoView {
    let t = use_texts();
    view! {
        <Title text=t.admin_title />
        <h1 class="text-2xl font-semibold">{t.admin_title}</h1>
        <p class="mt-1 text-stone-600 dark:text-stone-400">{t.admin_intro}</p>
    }
}
