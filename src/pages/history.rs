//! `/history`: everything the user generated.

use crate::i18n::use_texts;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HistoryPage() -> impl IntoView {
    let t = use_texts();
    view! {
        <Title text=t.history_title />
        <h1 class="text-2xl font-semibold">{t.history_title}</h1>
        <p class="mt-4 text-stone-600 dark:text-stone-400">{t.history_empty}</p>
    }
}
