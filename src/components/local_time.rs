//! A time in the reader's own time zone and language. The server does not know the zone: it
//! renders the time in UTC (saying so), and the browser replaces it once the page is live.

use crate::{browser, i18n::Lang};
use leptos::prelude::*;

#[component]
pub fn LocalTime(
    /// RFC 3339.
    at: String,
) -> impl IntoView {
    let lang = use_context::<Lang>().unwrap_or(Lang::En);
    // False while the page is the server's (so hydration sees the same text), true after.
    let live = RwSignal::new(false);
    Effect::new(move || live.set(true));
    let utc = format!("{} UTC", browser::short_time(&at));
    let text = {
        let at = at.clone();
        move || {
            live.get()
                .then(|| browser::local_time(&at, lang.code()))
                .flatten()
                .unwrap_or_else(|| utc.clone())
        }
    };
    view! { <time datetime=at>{text}</time> }
}
