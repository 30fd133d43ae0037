//! A picture's share link and its place on the gallery, as its owner sets them on its page.

use crate::{
    i18n::use_texts,
    server_fns::sharing::{set_published, share_task, unshare_task},
    types::TaskView,
};
use leptos::prelude::*;

const BUTTON: &str = "rounded border border-stone-300 px-2 py-1 text-sm hover:bg-stone-100 disabled:opacity-50 dark:border-stone-700 dark:hover:bg-stone-800";

#[component]
pub fn ShareControls(task: TaskView) -> impl IntoView {
    let t = use_texts();
    if task.hidden {
        return view! { <p class="text-sm text-amber-700" data-testid="hidden-badge">{t.gallery.hidden_badge}</p> }.into_any();
    }
    let id = task.id.clone();
    let link = RwSignal::new(task.shared_url.clone());
    let published = RwSignal::new(task.published);
    // The whole link is known in the browser (the server's is the path alone).
    let origin = RwSignal::new(String::new());
    Effect::new(move || origin.set(crate::browser::origin()));
    let whole = move || link.get().map(|p| format!("{}{p}", origin.get()));
    let share = Action::new(|id: &String| share_task(id.clone()));
    let unshare = Action::new(|id: &String| unshare_task(id.clone()));
    let publish = Action::new(|(id, on): &(String, bool)| set_published(id.clone(), *on));
    Effect::new(move || {
        if let Some(Ok(path)) = share.value().get() {
            link.set(Some(path));
        }
    });
    Effect::new(move || {
        if let Some(Ok(())) = unshare.value().get() {
            link.set(None);
        }
    });
    // What the last publish asked for, taken once the server agrees.
    let wanted = RwSignal::new(task.published);
    Effect::new(move || {
        if let Some(Ok(())) = publish.value().get() {
            published.set(wanted.get_untracked());
        }
    });
    let copied = RwSignal::new(false);
    let (share_id, unshare_id, publish_id) = (id.clone(), id.clone(), id.clone());
    let gallery_href = format!("/gallery/{id}");
    view! {
        <section class="space-y-2 rounded border border-stone-200 p-3 dark:border-stone-800" aria-labelledby="share-title">
            <h2 id="share-title" class="text-sm font-semibold">{t.gallery.share_title}</h2>
            <p class="text-xs text-stone-500">{t.gallery.share_help}</p>
            {move || match whole() {
                None => {
                    let id = share_id.clone();
                    view! {
                        <button type="button" class=BUTTON data-testid="share-create" disabled=move || share.pending().get()
                            on:click=move |_| { share.dispatch(id.clone()); }>{t.gallery.share_create}</button>
                    }.into_any()
                }
                Some(url) => {
                    let (copy_url, id) = (url.clone(), unshare_id.clone());
                    view! {
                        <label class="block text-xs">{t.gallery.share_link_label}
                            <input type="text" readonly data-testid="share-link" prop:value=url
                                class="mt-1 w-full rounded border border-stone-300 px-2 py-1 font-mono text-xs dark:border-stone-700 dark:bg-stone-900" />
                        </label>
                        <div class="flex flex-wrap gap-2">
                            <button type="button" class=BUTTON on:click=move |_| { crate::browser::copy_text(&copy_url); copied.set(true); }>
                                {move || if copied.get() { t.gallery.copied } else { t.gallery.share_copy }}
                            </button>
                            <button type="button" class=BUTTON data-testid="share-revoke" disabled=move || unshare.pending().get()
                                on:click=move |_| { unshare.dispatch(id.clone()); }>{t.gallery.share_revoke}</button>
                        </div>
                    }.into_any()
                }
            }}
            <div class="flex flex-wrap items-center gap-2">
                <button type="button" class=BUTTON data-testid="publish" aria-pressed=move || published.get().to_string()
                    disabled=move || publish.pending().get()
                    on:click=move |_| {
                        let want = !published.get_untracked();
                        wanted.set(want);
                        publish.dispatch((publish_id.clone(), want));
                    }>
                    {move || if published.get() { t.gallery.unpublish } else { t.gallery.publish }}
                </button>
                <Show when=move || published.get()>
                    <a href=gallery_href.clone() class="text-sm text-indigo-700 underline dark:text-indigo-300">{t.gallery.open_in_gallery}</a>
                </Show>
            </div>
            {move || share.value().get().and_then(Result::err)
                .or_else(|| unshare.value().get().and_then(Result::err))
                .or_else(|| publish.value().get().and_then(Result::err))
                .map(|e| view! { <p role="alert" class="text-sm text-red-700">{t.error(&e)}</p> })}
        </section>
    }.into_any()
}
