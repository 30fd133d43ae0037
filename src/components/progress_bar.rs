//! An accessible progress bar with its percentage in text.

use leptos::prelude::*;

#[component]
pub fn ProgressBar(value: Signal<u8>, label: &'static str) -> impl IntoView {
    let pct = move || value.get().min(100);
    view! {
        <div class="flex items-center gap-3">
            <div
                role="progressbar"
                aria-label=label
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || pct().to_string()
                class="h-2 flex-1 overflow-hidden rounded-full bg-stone-200 dark:bg-stone-700"
            >
                <div class="h-full rounded-full bg-indigo-600 transition-all duration-500" style:width=move || format!("{}%", pct())></div>
            </div>
            <span class="w-10 text-right text-sm tabular-nums" data-testid="progress-text">{move || format!("{}%", pct())}</span>
        </div>
    }
}
