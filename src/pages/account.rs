//! `/account`: the balance and the credits ledger, with links to the tasks; the password, the
//! sessions and the API keys.

use crate::codec::{PageData, page_data};
use crate::components::local_time::LocalTime;
use crate::components::page_title::PageTitle;
use crate::{
    i18n::use_texts,
    server_fns::{
        auth::{EndAllSessions, change_password, end_session, list_sessions},
        tasks::load_ledger,
    },
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccountPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let ledger = page_data(move || query.with(|q| q.get("before")), load_ledger);
    view! {
        <PageTitle text=t.account_title />
        <h1 class="text-2xl font-semibold">{t.account_title}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match ledger.await {
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                    Ok(page) => view! {
                        <p class="mt-4 text-lg">{t.balance_label} ": " <strong data-testid="account-balance">{(t.credits)(page.balance)}</strong></p>
                        <h2 class="mt-6 text-lg font-semibold">{t.ledger_title}</h2>
                        {page.entries.is_empty().then(|| view! { <p class="text-stone-500">{t.ledger_empty}</p> })}
                        <table class="mt-2 w-full text-left text-sm">
                            <tbody>
                                {page.entries.into_iter().map(|e| { let positive = e.delta > 0; view! {
                                    <tr class="border-b border-stone-200 dark:border-stone-800" data-testid="ledger-entry">
                                        <td class="py-2 text-stone-500"><LocalTime at=e.created_at.clone() /></td>
                                        <td class="py-2">{t.ledger_reason(&e.reason)}{e.note.map(|n| format!(": {n}"))}</td>
                                        <td class="py-2">{e.task_id.map(|id| view! { <a href=format!("/history/{id}") class="text-indigo-700 underline dark:text-indigo-300">{t.details}</a> })}</td>
                                        <td class="py-2 text-right tabular-nums" class:text-green-700=positive>{if positive { format!("+{}", e.delta) } else { e.delta.to_string() }}</td>
                                    </tr>
                                }}).collect_view()}
                            </tbody>
                        </table>
                        {page.next_cursor.map(|c| view! { <a href=format!("/account?before={c}") rel="next" class="mt-4 inline-block text-sm text-indigo-700 underline dark:text-indigo-300">{t.older}</a> })}
                    }.into_any(),
                }
            })}
        </Suspense>
        <PasswordForm />
        <Sessions />
        <AppsConsent />
        <crate::components::api_keys::ApiKeys />
    }
}

/// Whether an administrator's app key (Open WebUI) may generate for this account: off until the
/// person allows it here.
#[component]
fn AppsConsent() -> impl IntoView {
    let t = use_texts();
    let set = Action::new(|allowed: &bool| crate::server_fns::auth::set_allows_apps(*allowed));
    let allowed = PageData::new_with_options(
        move || set.version().get(),
        |_| crate::server_fns::auth::load_allows_apps(),
        false,
    );
    view! {
        <section class="mt-10" aria-labelledby="apps-heading">
            <h2 id="apps-heading" class="text-lg font-semibold">{t.admin.apps_title}</h2>
            <Transition>
                {move || Suspend::new(async move {
                    match allowed.await {
                        Err(e) => view! { <p role="alert" class="mt-2 text-sm text-red-700">{t.error(&e)}</p> }.into_any(),
                        Ok(on) => view! {
                            <label class="mt-2 flex max-w-xl items-start gap-2 text-sm">
                                <input type="checkbox" name="allows_apps" class="mt-1 h-4 w-4" prop:checked=on
                                    disabled=move || set.pending().get()
                                    on:change=move |ev| { set.dispatch(event_target_checked(&ev)); } />
                                <span>{t.admin.apps_allow}<span class="block text-xs text-stone-500">{t.admin.apps_allow_help}</span></span>
                            </label>
                        }.into_any(),
                    }
                })}
            </Transition>
            <p class="mt-1 text-xs text-stone-500">{t.admin.apps_admin_never}</p>
            {move || set.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="mt-2 text-sm text-red-700">{t.error(&e)}</p> })}
        </section>
    }
}

const FIELD: &str = "mt-1 block w-full rounded border border-stone-300 bg-white px-2 py-1 dark:border-stone-700 dark:bg-stone-900";

/// Changing the password: the current one, the new one twice. The other sessions end.
#[component]
fn PasswordForm() -> impl IntoView {
    let t = use_texts();
    let change = Action::new(|(current, new): &(String, String)| {
        change_password(current.clone(), new.clone())
    });
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let mismatch = move || !again.get().is_empty() && new.get() != again.get();
    Effect::new(move || {
        if matches!(change.value().get(), Some(Ok(()))) {
            for f in [current, new, again] {
                f.set(String::new());
            }
        }
    });
    view! {
        <section class="mt-10" aria-labelledby="password-heading">
            <h2 id="password-heading" class="text-lg font-semibold">{t.account.password_title}</h2>
            <form class="mt-2 grid max-w-md gap-3" on:submit=move |ev| {
                ev.prevent_default();
                if !mismatch() {
                    change.dispatch((current.get(), new.get()));
                }
            }>
                <label class="block text-sm">{t.account.current_password}
                    <input type="password" name="current_password" autocomplete="current-password" required class=FIELD
                        prop:value=move || current.get() on:input=move |ev| current.set(event_target_value(&ev)) />
                </label>
                <label class="block text-sm">{t.account.new_password}
                    <input type="password" name="new_password" autocomplete="new-password" required class=FIELD
                        minlength=crate::limits::PASSWORD_CHARS.0.to_string()
                        prop:value=move || new.get() on:input=move |ev| new.set(event_target_value(&ev)) />
                </label>
                <label class="block text-sm">{t.account.repeat_password}
                    <input type="password" name="repeat_password" autocomplete="new-password" required class=FIELD
                        aria-invalid=move || mismatch().to_string()
                        prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev)) />
                </label>
                {move || mismatch().then(|| view! { <p role="alert" class="text-sm text-red-700">{t.account.passwords_differ}</p> })}
                <div class="flex flex-wrap items-center gap-3">
                    <button type="submit" class="rounded bg-indigo-600 px-3 py-1 text-sm text-white disabled:opacity-50"
                        disabled=move || change.pending().get() || mismatch()>{t.account.change_password}</button>
                    <span role="status" data-testid="password-status" class="text-sm">
                        {move || change.value().get().map(|r| match r {
                            Ok(()) => view! { <span class="text-green-700">{t.account.password_changed}</span> }.into_any(),
                            Err(e) => view! { <span class="text-red-700">{t.error(&e)}</span> }.into_any(),
                        })}
                    </span>
                </div>
            </form>
        </section>
    }
}

/// The account's sessions: where each is signed in, when it was last used; end one, or all.
#[component]
fn Sessions() -> impl IntoView {
    let t = use_texts();
    let end = Action::new(|id: &String| end_session(id.clone()));
    let everywhere = ServerAction::<EndAllSessions>::new();
    let sessions =
        PageData::new_with_options(move || end.version().get(), |_| list_sessions(), false);
    view! {
        <section class="mt-10" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading" class="text-lg font-semibold">{t.account.sessions_title}</h2>
            <p class="mt-1 text-sm text-stone-500">{t.account.sessions_intro}</p>
            {move || end.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="mt-2 text-sm text-red-700">{t.error(&e)}</p> })}
            <Transition>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="mt-3 space-y-2 text-sm">
                                {list.into_iter().map(|s| {
                                    let id = s.id.clone();
                                    view! {
                                        <li class="flex flex-wrap items-center gap-x-3 gap-y-1" data-testid="session">
                                            <span class="font-medium">{s.user_agent.as_deref().map_or_else(|| t.account.unknown_browser.to_owned(), browser_name)}</span>
                                            <span class="text-stone-500">{s.client.clone().unwrap_or_default()}</span>
                                            <span class="text-stone-500">{t.admin.last_used}" "
                                                <LocalTime at=s.last_seen_at.clone().unwrap_or_else(|| s.created_at.clone()) /></span>
                                            {if s.current {
                                                view! { <span class="rounded bg-green-100 px-2 text-xs text-green-800 dark:bg-green-950 dark:text-green-200">{t.account.this_session}</span> }.into_any()
                                            } else {
                                                view! { <button type="button" class="text-red-700 underline" on:click=move |_| { end.dispatch(id.clone()); }>{t.log_out}</button> }.into_any()
                                            }}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Transition>
            <ActionForm action=everywhere attr:class="mt-3">
                <button type="submit" class="rounded border border-red-300 px-3 py-1 text-sm text-red-800 hover:bg-red-50 dark:border-red-800 dark:text-red-200 dark:hover:bg-red-950">
                    {t.account.sign_out_everywhere}
                </button>
            </ActionForm>
        </section>
    }
}

/// "Firefox on Linux" from a User-Agent, or the start of it.
fn browser_name(ua: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(mark, _)| ua.contains(mark))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| ua.contains(mark))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} · {s}"),
        (Some(b), None) => b.to_owned(),
        _ => ua.chars().take(40).collect(),
    }
}
