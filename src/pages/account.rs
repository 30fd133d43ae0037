//! `/account`: the balance and the credits ledger, with links to the tasks.

use crate::codec::page_data;
use crate::{browser::short_time, i18n::use_texts, server_fns::tasks::load_ledger};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccountPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let ledger = page_data(move || query.with(|q| q.get("before")), load_ledger);
    view! {
        <Title text=t.account_title />
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
                                        <td class="py-2 text-stone-500"><time datetime=e.created_at.clone()>{short_time(&e.created_at)}</time></td>
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
        <crate::components::api_keys::ApiKeys />
    }
}
