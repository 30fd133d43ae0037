//! The star of a task: a favourite or not, toggled in place (the page keeps what it shows in step
//! with the server, and goes back if the server says no).

use crate::components::icon::StarGlyph;
use crate::{i18n::use_texts, server_fns::tasks::set_favorite};
use leptos::prelude::*;

#[component]
pub fn Star(task_id: String, on: bool) -> impl IntoView {
    let t = use_texts();
    let starred = RwSignal::new(on);
    let toggle = Action::new(move |(id, want): &(String, bool)| {
        let (id, want) = (id.clone(), *want);
        async move {
            if set_favorite(id, want).await.is_err() {
                starred.set(!want);
            }
        }
    });
    view! {
        <button
            type="button"
            data-testid="star"
            aria-pressed=move || starred.get().to_string()
            aria-label=t.favorite_label
            title=t.favorite_label
            class="flex h-11 w-11 items-center justify-center rounded text-stone-400 hover:text-amber-500 aria-pressed:text-amber-500 md:h-8 md:w-8"
            on:click=move |ev| {
                ev.prevent_default();
                let want = !starred.get_untracked();
                starred.set(want);
                toggle.dispatch((task_id.clone(), want));
            }
        >
            <StarGlyph on=starred.into() />
        </button>
    }
}
