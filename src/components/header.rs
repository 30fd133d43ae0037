//! The top bar: product name, navigation, credit balance, the user's name, language and log-out.

use crate::{
    components::post_form::PostForm,
    i18n::{Lang, use_texts},
    server_fns::auth::Logout,
    session::use_session,
    types::Me,
};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    let t = use_texts();
    view! {
        <header class="border-b border-stone-200 bg-white/80 backdrop-blur dark:border-stone-800 dark:bg-stone-900/80">
            <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
                <a href="/" class="text-lg font-semibold tracking-tight">{t.app_name}</a>
                <Transition>
                    {move || Suspend::new(async move {
                        match session.me.await {
                            Ok(Some(me)) => view! { <SignedIn me /> }.into_any(),
                            _ => view! { <SignedOut /> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </header>
    }
}

const NAV_LINK: &str = "rounded px-2 py-1 text-sm hover:bg-stone-100 dark:hover:bg-stone-800 aria-[current=page]:font-semibold aria-[current=page]:text-indigo-700 dark:aria-[current=page]:text-indigo-300";

#[component]
fn SignedIn(me: Me) -> impl IntoView {
    let t = use_texts();
    let session = use_session();
    let balance = crate::session::use_balance().0;
    let initial = me.balance;
    let is_admin = me.is_admin();
    view! {
        <nav aria-label="Main" class="flex items-center gap-1">
            <a href="/" class=NAV_LINK>{t.nav_generate}</a>
            <a href="/history" class=NAV_LINK>{t.nav_history}</a>
            <a href="/collections" class=NAV_LINK>{t.library.nav_collections}</a>
            <a href="/gallery" class=NAV_LINK>{t.gallery.nav_gallery}</a>
            <a href="/account" class=NAV_LINK>{t.nav_account}</a>
            <Show when=move || is_admin>
                <a href="/admin" class=NAV_LINK>{t.nav_admin}</a>
            </Show>
        </nav>
        <div class="ml-auto flex flex-wrap items-center gap-3 text-sm">
            <span
                data-testid="credit-badge"
                class="rounded-full bg-indigo-100 px-3 py-1 font-medium text-indigo-800 dark:bg-indigo-900/60 dark:text-indigo-200"
            >
                {move || (t.credits)(balance.get().unwrap_or(initial))}
            </span>
            <span data-testid="user-name" class="text-stone-600 dark:text-stone-300">{me.user.name}</span>
            <LanguageSwitcher />
            <PostForm action=session.logout args=|| Logout {}>
                <button
                    type="submit"
                    class="rounded border border-stone-300 px-3 py-1 hover:bg-stone-100 dark:border-stone-700 dark:hover:bg-stone-800"
                >
                    {t.log_out}
                </button>
            </PostForm>
        </div>
    }
}

#[component]
fn SignedOut() -> impl IntoView {
    let t = use_texts();
    view! {
        <nav aria-label="Main" class="flex items-center gap-1">
            <a href="/gallery" class=NAV_LINK>{t.gallery.nav_gallery}</a>
        </nav>
        <div class="ml-auto flex items-center gap-3 text-sm">
            <LanguageSwitcher />
            <a href="/login" class=NAV_LINK>{t.log_in}</a>
            <a href="/signup" class=NAV_LINK>{t.sign_up}</a>
        </div>
    }
}

/// A plain form posting to /lang, so it works before (and without) the WASM.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let t = use_texts();
    let current = use_context::<Lang>().unwrap_or(Lang::En);
    let location = use_location();
    let next = move || format!("{}{}", location.pathname.get(), location.search.get());
    view! {
        <form method="post" action="/lang" class="flex items-center gap-1" aria-label=t.language>
            <input type="hidden" name="next" value=next />
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    let active = lang == current;
                    view! {
                        <button
                            type="submit"
                            name="lang"
                            value=lang.code()
                            lang=lang.code()
                            aria-pressed=if active { "true" } else { "false" }
                            class="rounded px-2 py-1 text-xs aria-pressed:bg-stone-200 aria-pressed:font-semibold dark:aria-pressed:bg-stone-700"
                        >
                            {lang.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </form>
    }
}
