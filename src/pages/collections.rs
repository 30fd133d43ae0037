//! `/collections`: the user's collections with their covers and counts, each opening history
//! narrowed to it, and a form for a new one.

use crate::codec::page_data;
use crate::components::page_title::PageTitle;
use crate::{
    i18n::use_texts,
    pages::history::href,
    server_fns::library::{create_collection, load_collections},
    types::HistoryQuery,
};
use leptos::prelude::*;

#[component]
pub fn CollectionsPage() -> impl IntoView {
    let t = use_texts();
    let l = t.library;
    let list = page_data(|| (), |_| load_collections());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let create = Action::new(move |_: &()| async move {
        match create_collection(name.get_untracked(), description.get_untracked(), None).await {
            Ok(_) => {
                name.set(String::new());
                description.set(String::new());
                error.set(None);
                list.refetch();
            }
            Err(e) => error.set(Some(t.error(&e))),
        }
    });
    const FIELD: &str = "rounded border border-stone-300 bg-white px-2 py-1 dark:border-stone-700 dark:bg-stone-900";
    view! {
        <PageTitle text=l.collections_title />
        <h1 class="text-2xl font-semibold">{l.collections_title}</h1>
        <p class="mt-1 text-sm text-stone-600 dark:text-stone-400">{l.collections_intro}</p>
        <form class="mt-4 grid gap-2 sm:max-w-md" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
            <h2 class="font-medium">{l.new_collection}</h2>
            <label class="grid gap-1 text-sm">{t.field_name}
                <input type="text" required maxlength=crate::limits::COLLECTION_NAME_MAX_CHARS class=FIELD
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <label class="grid gap-1 text-sm">{l.field_description}
                <textarea rows=2 maxlength=crate::limits::COLLECTION_DESCRIPTION_MAX_CHARS class=FIELD
                    prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            </label>
            <button type="submit" class="justify-self-start rounded bg-indigo-600 px-3 py-1 text-sm text-white">{l.create}</button>
            {move || error.get().map(|e| view! { <p role="alert" class="text-sm text-red-700 dark:text-red-400">{e}</p> })}
        </form>
        <Suspense>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <p role="alert" class="mt-6">{t.error(&e)}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="mt-6 text-stone-500">{l.collections_empty}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-6 grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-4">
                            {list.into_iter().map(|c| {
                                let link = href(&HistoryQuery { collection: Some(c.id.clone()), ..HistoryQuery::default() });
                                view! {
                                    <li data-testid="collection" class="overflow-hidden rounded-lg border border-stone-200 bg-white dark:border-stone-800 dark:bg-stone-900">
                                        <a href=link class="block">
                                            {match c.cover_url.clone() {
                                                Some(src) => view! { <img src=src alt="" loading="lazy" class="aspect-square w-full object-cover" /> }.into_any(),
                                                None => view! { <div class="aspect-square w-full bg-stone-100 dark:bg-stone-800"></div> }.into_any(),
                                            }}
                                            <div class="space-y-1 p-2">
                                                <p class="break-words font-medium">{c.name.clone()}</p>
                                                <p class="text-xs text-stone-500">{(l.pictures)(c.task_count)}</p>
                                            </div>
                                        </a>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
