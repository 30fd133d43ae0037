//! The top bar: product name, navigation, credit balance, the user's name, language and log-out.

use crate::{
    components::{
        icon::{Glyph, Icon},
        post_form::PostForm,
    },
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
            <div class="mx-auto flex max-w-6xl items-center gap-x-4 px-3 py-2 sm:px-6">
                <a href="/" class="flex min-h-11 items-center text-lg font-semibold tracking-tight">{t.app_name}</a>
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

const NAV_LINK: &str = "flex min-h-11 items-center rounded px-3 text-sm hover:bg-stone-100 md:min-h-9 md:px-2 dark:hover:bg-stone-800 aria-[current=page]:font-semibold aria-[current=page]:text-indigo-700 dark:aria-[current=page]:text-indigo-300";

/// The pages a signed-in user goes to, in the bar on wide screens and in the menu on phones.
fn nav_links(is_admin: bool) -> impl IntoView {
    let t = use_texts();
    view! {
        <a href="/" class=NAV_LINK>{t.nav_generate}</a>
        <a href="/history" class=NAV_LINK>{t.nav_history}</a>
        <a href="/collections" class=NAV_LINK>{t.library.nav_collections}</a>
        <a href="/gallery" class=NAV_LINK>{t.gallery.nav_gallery}</a>
        <a href="/account" class=NAV_LINK>{t.nav_account}</a>
        <Show when=move || is_admin>
            <a href="/admin" class=NAV_LINK>{t.nav_admin}</a>
        </Show>
    }
}

#[component]
fn SignedIn(me: Me) -> impl IntoView {
    let t = use_texts();
    let session = use_session();
    let balance = crate::session::use_balance().0;
    let initial = me.balance;
    let is_admin = me.is_admin();
    let name = me.user.name.clone();
    let log_out = move |class: &'static str| {
        view! {
            <PostForm action=session.logout args=|| Logout {}>
                <button type="submit" class=class>{t.log_out}</button>
            </PostForm>
        }
    };
    view! {
        <nav aria-label=t.shell.nav_main class="hidden items-center gap-1 md:flex">
            {nav_links(is_admin)}
        </nav>
        <div class="ml-auto flex items-center gap-2 text-sm md:gap-3">
            <span
                data-testid="credit-badge"
                class="whitespace-nowrap rounded-full bg-indigo-100 px-3 py-1 font-medium text-indigo-800 dark:bg-indigo-900/60 dark:text-indigo-200"
            >
                {move || (t.credits)(balance.get().unwrap_or(initial))}
            </span>
            <span data-testid="user-name" class="hidden text-stone-600 md:inline dark:text-stone-300">{me.user.name}</span>
            <div class="hidden items-center gap-3 md:flex">
                <LanguageSwitcher />
                {log_out("rounded border border-stone-300 px-3 py-1 hover:bg-stone-100 dark:border-stone-700 dark:hover:bg-stone-800")}
            </div>
            <PhoneMenu>
                <nav aria-label=t.shell.nav_main class="flex flex-col">
                    {nav_links(is_admin)}
                </nav>
                <div class="mt-2 flex flex-col gap-2 border-t border-stone-200 pt-2 dark:border-stone-800">
                    <span class="px-3 text-stone-600 dark:text-stone-300">{name.clone()}</span>
                    <LanguageSwitcher />
                    {log_out("min-h-11 w-full rounded border border-stone-300 px-3 hover:bg-stone-100 dark:border-stone-700 dark:hover:bg-stone-800")}
                </div>
            </PhoneMenu>
        </div>
    }
}

#[component]
fn SignedOut() -> impl IntoView {
    let t = use_texts();
    view! {
        <nav aria-label=t.shell.nav_main class="flex items-center gap-1">
            <a href="/gallery" class=NAV_LINK>{t.gallery.nav_gallery}</a>
        </nav>
        <div class="ml-auto flex items-center gap-1 text-sm sm:gap-3">
            <div class="hidden sm:block"><LanguageSwitcher /></div>
            <a href="/login" class=NAV_LINK>{t.log_in}</a>
            <a href="/signup" class=NAV_LINK>{t.sign_up}</a>
            <PhoneMenu hidden_from="sm:hidden">
                <LanguageSwitcher />
            </PhoneMenu>
        </div>
    }
}

/// The menu of narrow screens: a button that opens a panel under the header. A link followed,
/// Escape (focus back on the button) or a click outside closes it.
#[component]
fn PhoneMenu(
    /// From which width the menu goes (its items are in the bar there).
    #[prop(default = "md:hidden")]
    hidden_from: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let t = use_texts();
    let open = RwSignal::new(false);
    let root = NodeRef::<leptos::html::Div>::new();
    let button = NodeRef::<leptos::html::Button>::new();
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::click, move |ev| {
            if !open.get_untracked() {
                return;
            }
            // The path as it was when the click happened (the clicked node may be gone since).
            let inside = root.get_untracked().is_some_and(|d| {
                let d: &leptos::wasm_bindgen::JsValue = d.as_ref();
                ev.composed_path().includes(d, 0)
            });
            if !inside {
                open.set(false);
            }
        });
        on_cleanup(move || handle.remove());
    }
    view! {
        <div
            node_ref=root
            class=format!("relative {hidden_from}")
            on:keydown=move |ev| {
                if ev.key() == "Escape" && open.get_untracked() {
                    open.set(false);
                    if let Some(b) = button.get_untracked() {
                        let _ = b.focus();
                    }
                }
            }
        >
            <button
                type="button"
                node_ref=button
                aria-label=t.shell.menu
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls="phone-menu"
                class="flex h-11 w-11 items-center justify-center rounded hover:bg-stone-100 dark:hover:bg-stone-800"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class:hidden=move || open.get()><Glyph icon=Icon::Menu /></span>
                <span class:hidden=move || !open.get()><Glyph icon=Icon::Close /></span>
            </button>
            <Show when=move || open.get()>
                <div
                    id="phone-menu"
                    class="absolute right-0 top-full z-50 mt-2 w-64 max-w-[calc(100vw-1.5rem)] rounded-lg border border-stone-200 bg-white p-2 shadow-lg dark:border-stone-800 dark:bg-stone-900"
                    on:click=move |ev| {
                        use leptos::wasm_bindgen::JsCast;
                        // A link followed inside the menu closes it.
                        if ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok()).is_some_and(|e| e.closest("a").ok().flatten().is_some()) {
                            open.set(false);
                        }
                    }
                >
                    {children()}
                </div>
            </Show>
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
