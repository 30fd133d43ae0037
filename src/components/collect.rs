//! A picture's "Collect" menu: the user's collections, each checked when the picture is in it
//! (toggled in place), and a name to make a new collection with the picture in it. The list is
//! read when the menu opens, so a page of many pictures costs nothing until one is collected.

use crate::components::icon::{Glyph, Icon};
use crate::{
    i18n::use_texts,
    server_fns::library::{create_collection, set_in_collection, task_collections},
    types::Membership,
};
use leptos::prelude::*;

#[component]
pub fn CollectMenu(task_id: String) -> impl IntoView {
    let t = use_texts();
    let l = t.library;
    let open = RwSignal::new(false);
    let menu_id = format!("collect-{task_id}");
    view! {
        <div class="text-xs" on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <button type="button" data-testid="collect" aria-expanded=move || open.get().to_string() aria-controls=menu_id.clone()
                class="flex min-h-11 items-center gap-1 rounded px-2 text-stone-500 hover:bg-stone-100 hover:text-stone-800 md:min-h-7 dark:hover:bg-stone-800 dark:hover:text-stone-200"
                on:click=move |ev| {
                    ev.prevent_default();
                    open.update(|o| *o = !*o);
                }>
                <Glyph icon=Icon::FolderPlus class="h-4 w-4" />
                {l.collect}
            </button>
            // The menu's code loads when a menu first opens; it reads the collections each time.
            <Show when=move || open.get()>
                {
                    let (task_id, menu_id) = (task_id.clone(), menu_id.clone());
                    crate::components::later::now(move || collect_list(task_id.clone(), menu_id.clone()))
                }
            </Show>
        </div>
    }
}

#[leptos::lazy]
fn collect_list(task_id: String, menu_id: String) -> AnyView {
    view! { <CollectList task_id menu_id /> }.into_any()
}

/// The open menu: the user's collections, each checked when the task is in it, and a new one.
#[component]
fn CollectList(task_id: String, menu_id: String) -> impl IntoView {
    let t = use_texts();
    let l = t.library;
    let task = StoredValue::new(task_id);
    let list = RwSignal::new(None::<Vec<Membership>>);
    let error = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let load = Action::new(move |_: &()| async move {
        match task_collections(task.get_value()).await {
            Ok(l) => list.set(Some(l)),
            Err(e) => error.set(Some(t.error(&e))),
        }
    });
    let toggle = Action::new(move |(collection, on): &(String, bool)| {
        let (collection, on) = (collection.clone(), *on);
        async move {
            error.set(None);
            if let Err(e) = set_in_collection(collection, task.get_value(), on).await {
                error.set(Some(t.error(&e)));
                load.dispatch(());
            }
        }
    });
    let create = Action::new(move |new: &String| {
        let new = new.clone();
        async move {
            error.set(None);
            match create_collection(new, String::new(), Some(task.get_value())).await {
                Ok(_) => {
                    name.set(String::new());
                    load.dispatch(());
                }
                Err(e) => error.set(Some(t.error(&e))),
            }
        }
    });
    load.dispatch(());
    view! {
        <div id=menu_id.clone() role="group" aria-label=l.collect_title data-testid="collect-menu"
            class="mt-1 space-y-1 rounded border border-stone-200 bg-white p-2 dark:border-stone-700 dark:bg-stone-900">
            {move || list.get().map(|items| if items.is_empty() {
                view! { <p class="text-stone-500">{l.no_collections_yet}</p> }.into_any()
            } else {
                view! {
                    <ul class="max-h-40 space-y-1 overflow-y-auto">
                        {items.into_iter().map(|m| {
                            let id = m.collection.id.clone();
                            view! {
                                <li>
                                    <label class="flex items-center gap-2">
                                        <input type="checkbox" prop:checked=m.member
                                            on:change=move |ev| { toggle.dispatch((id.clone(), event_target_checked(&ev))); } />
                                        <span class="break-all">{m.collection.name.clone()}</span>
                                    </label>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
            <form class="flex gap-1" on:submit=move |ev| {
                ev.prevent_default();
                let n = name.get_untracked();
                if !n.trim().is_empty() {
                    create.dispatch(n);
                }
            }>
                <input type="text" aria-label=l.new_collection_name placeholder=l.new_collection_name
                    maxlength=crate::limits::COLLECTION_NAME_MAX_CHARS
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                    class="min-w-0 flex-1 rounded border border-stone-300 bg-white px-1 py-0.5 dark:border-stone-700 dark:bg-stone-900" />
                <button type="submit" class="rounded bg-stone-200 px-2 dark:bg-stone-800">{l.add}</button>
            </form>
            {move || error.get().map(|e| view! { <p role="alert" class="text-red-700 dark:text-red-400">{e}</p> })}
        </div>
    }
}
