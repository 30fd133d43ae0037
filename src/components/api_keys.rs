//! The API-key section of the account page: create (shown once), list, revoke.

use crate::codec::PageData;
use crate::components::local_time::LocalTime;
use crate::{
    i18n::use_texts,
    server_fns::admin::{create_key, list_keys, revoke_key},
};
use leptos::prelude::*;

#[component]
pub fn ApiKeys() -> impl IntoView {
    let t = use_texts();
    let create = Action::new(|(name, acts): &(String, bool)| create_key(name.clone(), *acts));
    let revoke = Action::new(|id: &String| revoke_key(id.clone()));
    let keys = PageData::new_with_options(
        move || (create.version().get(), revoke.version().get()),
        |_| list_keys(),
        // streamed after the page: the keys are a side section
        false,
    );
    let name = RwSignal::new(String::new());
    let acts = RwSignal::new(false);
    // Admins may make a key that acts for Open WebUI's users: known once the list has loaded.
    let admin = RwSignal::new(false);
    view! {
        <section class="mt-10" aria-labelledby="keys-heading">
            <h2 id="keys-heading" class="text-lg font-semibold">{t.admin.api_keys}</h2>
            <form class="mt-2 flex flex-wrap gap-2" on:submit=move |ev| {
                ev.prevent_default();
                create.dispatch((name.get(), acts.get()));
                name.set(String::new());
                acts.set(false);
            }>
                <input type="text" aria-label=t.admin.key_name placeholder=t.admin.key_name required maxlength=crate::limits::NAME_MAX_CHARS.to_string()
                    class="rounded border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-700 dark:bg-stone-900"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <button type="submit" class="rounded bg-indigo-600 px-3 py-1 text-sm text-white disabled:opacity-50" disabled=move || create.pending().get()>
                    {t.admin.create_key}
                </button>
                <Show when=move || admin.get()>
                    <label class="flex basis-full items-start gap-2 text-sm">
                        <input type="checkbox" name="acts_for_users" class="mt-1" prop:checked=move || acts.get()
                            on:change=move |ev| acts.set(event_target_checked(&ev)) />
                        <span>{t.admin.key_acts_for_users}<span class="block text-xs text-stone-500">{t.admin.key_acts_for_users_help}</span></span>
                    </label>
                </Show>
            </form>
            {move || create.value().get().map(|r| match r {
                Ok(k) => view! {
                    <div role="status" class="mt-3 rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950">
                        <p>{t.admin.key_shown_once}</p>
                        <code data-testid="new-key" class="mt-1 block break-all font-mono">{k.key}</code>
                    </div>
                }.into_any(),
                Err(e) => view! { <p role="alert" class="mt-2 text-sm text-red-700">{t.error(&e)}</p> }.into_any(),
            })}
            <Transition>
                {move || Suspend::new(async move {
                    match keys.await {
                        Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                        Ok((list, may)) if list.is_empty() => {
                            admin.set(may);
                            view! { <p class="mt-2 text-sm text-stone-500">{t.admin.no_keys}</p> }.into_any()
                        }
                        Ok((list, may)) => { admin.set(may); view! {
                            <ul class="mt-3 space-y-2 text-sm">
                                {list.into_iter().map(|k| {
                                    let id = k.id.clone();
                                    view! {
                                        <li class="flex flex-wrap items-center gap-3" data-testid="api-key">
                                            <span class="font-medium">{k.name}</span>
                                            <code class="text-stone-500">{format!("{}…", k.prefix)}</code>
                                            {k.acts_for_users.then(|| view! { <span class="rounded bg-amber-100 px-2 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100">{t.admin.key_acts_badge}</span> })}
                                            <span class="text-stone-500"><LocalTime at=k.created_at.clone() />" · "{t.admin.last_used}" "
                                                {match k.last_used_at.clone() {
                                                    Some(at) => view! { <LocalTime at /> }.into_any(),
                                                    None => t.admin.never.into_any(),
                                                }}</span>
                                            <button type="button" class="text-red-700 underline" on:click=move |_| { revoke.dispatch(id.clone()); }>{t.admin.revoke}</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any() }
                    }
                })}
            </Transition>
        </section>
    }
}
