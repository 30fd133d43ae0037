//! `/history`: everything the user made, newest first, server-rendered (links work without
//! JavaScript): filter by status, engine, favourites, collection and batch, search in prompts,
//! keyset pagination; select tiles (shift-click or Shift+Space for a range) and act on them all.

use crate::codec::page_data;
use crate::components::icon::{Glyph, Icon};
use crate::components::page_title::PageTitle;
use crate::{
    components::{
        collect::CollectMenu,
        local_time::LocalTime,
        star::Star,
        task_card::{made_with, what_it_is},
        viewer::{OpenViewer, Shot, Viewer, shots_of},
    },
    i18n::use_texts,
    server_fns::{
        library::{bulk_tasks, delete_collection, load_collections, rename_collection, set_cover},
        tasks::load_history,
    },
    types::{CollectionView, EngineKind, HistoryQuery, TaskStatus, TaskView},
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

/// The link to history narrowed by `q` (the first page unless `before` is set).
pub fn href(q: &HistoryQuery) -> String {
    let mut parts = Vec::new();
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    };
    put("status", &q.status);
    put("engine", &q.engine);
    put("q", &q.q);
    put("collection", &q.collection);
    put("batch", &q.batch);
    put("mode", &q.mode);
    put("from", &q.from);
    put("to", &q.to);
    put("favorite", &q.favorite.then(|| "1".to_owned()));
    put("before", &q.before);
    if parts.is_empty() {
        "/history".to_owned()
    } else {
        format!("/history?{}", parts.join("&"))
    }
}

/// What the selection does, with what the page keeps of it.
#[derive(Clone, Copy)]
struct Selection {
    /// The selected ids, in the page's order.
    ids: RwSignal<Vec<String>>,
    /// The page's ids, in order (for ranges and "select all").
    order: RwSignal<Vec<String>>,
    /// The last one chosen: a range goes from it.
    anchor: RwSignal<Option<String>>,
}

impl Selection {
    fn new() -> Self {
        Self {
            ids: RwSignal::new(Vec::new()),
            order: RwSignal::new(Vec::new()),
            anchor: RwSignal::new(None),
        }
    }

    fn has(&self, id: &str) -> bool {
        self.ids.with(|s| s.iter().any(|i| i == id))
    }

    /// Sets `id` (and with `range`, everything from the anchor to it) to `on`.
    fn choose(&self, id: &str, on: bool, range: bool) {
        let order = self.order.get_untracked();
        let anchor = self.anchor.get_untracked();
        let chosen = select_range(&order, anchor.as_deref().filter(|_| range), id);
        self.ids.update(|ids| {
            ids.retain(|i| !chosen.contains(i));
            if on {
                ids.extend(chosen.iter().cloned());
            }
            ids.sort_by_key(|i| order.iter().position(|o| o == i));
        });
        self.anchor.set(Some(id.to_owned()));
    }

    fn clear(&self) {
        self.ids.set(Vec::new());
        self.anchor.set(None);
    }
}

/// The ids from `anchor` to `id` in the page's order (either way round), or `id` alone.
fn select_range(order: &[String], anchor: Option<&str>, id: &str) -> Vec<String> {
    let at = |x: &str| order.iter().position(|o| o == x);
    match (anchor.and_then(at), at(id)) {
        (Some(a), Some(b)) => order[a.min(b)..=a.max(b)].to_vec(),
        _ => vec![id.to_owned()],
    }
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let t = use_texts();
    let l = t.library;
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k).filter(|v| !v.is_empty()));
    let current = move || HistoryQuery {
        status: param("status"),
        engine: param("engine"),
        q: param("q"),
        before: param("before"),
        favorite: param("favorite").is_some(),
        batch: param("batch"),
        collection: param("collection"),
        mode: param("mode"),
        from: param("from"),
        to: param("to"),
    };
    let page = page_data(current, load_history);
    // The viewer: the page's pictures, left and right in the page's order.
    let shots = RwSignal::new(Vec::<Shot>::new());
    let viewing = RwSignal::new(None::<usize>);
    provide_context(OpenViewer::over(shots.into(), viewing));
    let collections = page_data(|| (), |_| load_collections());
    // A filter changed: from the first page.
    let with = move |f: &dyn Fn(&mut HistoryQuery)| {
        let mut q = HistoryQuery {
            before: None,
            ..current()
        };
        f(&mut q);
        href(&q)
    };
    let engines = [
        (None, t.filter_all),
        (Some(EngineKind::Midjourney), "MidJourney"),
        (Some(EngineKind::Openai), "OpenAI"),
        (Some(EngineKind::SdWebui), "Stable Diffusion"),
    ];
    let filters = [
        (None, t.filter_all),
        (Some(TaskStatus::Succeeded), t.status_succeeded),
        (Some(TaskStatus::InProgress), t.status_in_progress),
        (Some(TaskStatus::Failed), t.status_failed),
        (Some(TaskStatus::Cancelled), t.status_cancelled),
    ];
    let selection = Selection::new();
    // What the last bulk operation came to: the page's, as the bar is made anew with the page's
    // data after the operation.
    let bulk_message = RwSignal::new(None::<String>);
    // Another page, another selection.
    Effect::new(move |_| {
        query.track();
        selection.clear();
        bulk_message.set(None);
    });
    let starred = move || param("favorite").is_some();
    let navigate = use_navigate();
    view! {
        <Viewer shots=shots.into() open=viewing />
        <PageTitle text=t.history_title />
        <h1 class="text-2xl font-semibold">{t.history_title}</h1>
        {move || param("batch").map(|_| view! {
            <p class="mt-2 text-sm" data-testid="batch-header">
                {l.batch_header} " · "
                <a href=with(&|q| q.batch = None) class="text-indigo-700 underline dark:text-indigo-300">{l.all_history}</a>
            </p>
        })}
        <div class="mt-4 flex flex-wrap items-center gap-3">
            <nav aria-label=t.field_status class="flex flex-wrap gap-1 text-sm">
                {filters.into_iter().map(|(s, label)| {
                    let href = Signal::derive(move || with(&|q| q.status = s.map(|s| s.as_str().to_owned())));
                    let current = Signal::derive(move || param("status").as_deref() == s.map(TaskStatus::as_str));
                    view! { <FilterLink href current label /> }
                }).collect_view()}
            </nav>
            <nav aria-label=t.studio.engine_label class="flex flex-wrap gap-1 text-sm" data-testid="engine-filter">
                {engines.into_iter().map(|(e, label)| {
                    let href = Signal::derive(move || with(&|q| q.engine = e.map(|e| e.as_str().to_owned())));
                    let current = Signal::derive(move || param("engine").as_deref() == e.map(EngineKind::as_str));
                    view! { <FilterLink href current label /> }
                }).collect_view()}
            </nav>
            <nav aria-label=t.filter_favorites class="flex gap-1 text-sm">
                <a href=move || with(&|q| q.favorite = !q.favorite) data-testid="favorite-filter" aria-current=move || starred().then_some("page")
                   class="flex items-center gap-1 rounded px-2 py-1 hover:bg-stone-100 aria-[current=page]:bg-indigo-100 aria-[current=page]:font-semibold dark:hover:bg-stone-800 dark:aria-[current=page]:bg-indigo-900">
                    <Glyph icon=Icon::Star class="h-4 w-4" />
                    {t.filter_favorites}
                </a>
            </nav>
            <form method="get" action="/history" role="search" class="ml-auto flex flex-wrap gap-2">
                {move || param("favorite").map(|_| view! { <input type="hidden" name="favorite" value="1" /> })}
                {move || param("status").map(|s| view! { <input type="hidden" name="status" value=s /> })}
                {move || param("engine").map(|e| view! { <input type="hidden" name="engine" value=e /> })}
                {move || param("batch").map(|b| view! { <input type="hidden" name="batch" value=b /> })}
                <Suspense>
                    {move || { let go = navigate.clone(); Suspend::new(async move {
                        let list = collections.await.unwrap_or_default();
                        let chosen = param("collection");
                        view! {
                            <select name="collection" aria-label=l.filter_collection data-testid="collection-filter"
                                class="rounded border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-700 dark:bg-stone-900"
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    go(&with(&|q| q.collection = Some(v.clone()).filter(|v| !v.is_empty())), Default::default());
                                }>
                                <option value="" selected=chosen.is_none()>{l.all_pictures}</option>
                                {list.into_iter().map(|c| {
                                    let on = chosen.as_deref() == Some(c.id.as_str());
                                    view! { <option value=c.id selected=on>{c.name}</option> }
                                }).collect_view()}
                            </select>
                        }
                    })}}
                </Suspense>
                <select name="mode" aria-label=t.field_mode data-testid="mode-filter"
                    class="rounded border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-700 dark:bg-stone-900">
                    <option value="" selected=move || param("mode").is_none()>{l.any_mode}</option>
                    {[crate::types::Mode::Fast, crate::types::Mode::Relax, crate::types::Mode::Turbo].into_iter().map(|m| view! {
                        <option value=m.as_str() selected=move || param("mode").as_deref() == Some(m.as_str())>{t.mode(Some(m))}</option>
                    }).collect_view()}
                </select>
                <label class="flex items-center gap-1 text-sm">{l.date_from}
                    <input type="date" name="from" value=move || param("from").unwrap_or_default()
                        class="rounded border border-stone-300 bg-white px-1 py-1 dark:border-stone-700 dark:bg-stone-900" />
                </label>
                <label class="flex items-center gap-1 text-sm">{l.date_to}
                    <input type="date" name="to" value=move || param("to").unwrap_or_default()
                        class="rounded border border-stone-300 bg-white px-1 py-1 dark:border-stone-700 dark:bg-stone-900" />
                </label>
                <input type="search" name="q" maxlength=crate::limits::SEARCH_MAX_CHARS aria-label=t.search_label placeholder=t.search_label value=move || param("q").unwrap_or_default()
                    class="rounded border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-700 dark:bg-stone-900" />
                <button type="submit" class="rounded bg-stone-200 px-3 py-1 text-sm dark:bg-stone-800">{t.search_button}</button>
            </form>
        </div>
        // Outside the page's data, so that it stays while the page reloads (and when a delete
        // leaves it empty).
        <p role="status" class="mt-2 text-sm text-stone-600 empty:hidden dark:text-stone-400" data-testid="bulk-message">
            {move || bulk_message.get()}
        </p>
        <Suspense>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p role="alert" class="mt-6">{t.error(&e)}</p> }.into_any(),
                    Ok(p) => {
                        let older = p.next_cursor.clone().map(|c| with(&|q| q.before = Some(c.clone())));
                        let newest = param("before").map(|_| with(&|_| {}));
                        selection.order.set(p.tasks.iter().map(|t| t.id.clone()).collect());
                        shots.set(p.tasks.iter().flat_map(|x| shots_of(t, x)).collect());
                        let in_collection = p.collection.clone();
                        let cover = in_collection.as_ref().and_then(|c| c.cover_url.clone());
                        let header = p.collection.map(|c| view! { <CollectionHeader collection=c /> });
                        let body = if p.tasks.is_empty() {
                            view! { <p class="mt-6 text-stone-500">{t.history_empty}</p> }.into_any()
                        } else {
                            let collection_id = in_collection.as_ref().map(|c| c.id.clone());
                            view! {
                                <BulkBar selection collections message=bulk_message collection=in_collection.clone() on_done=move || page.refetch() />
                                <p class="mt-2 text-xs text-stone-500">{l.selection_help}</p>
                                <ul class="mt-3 grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-4">
                                    {p.tasks.into_iter().map(|task| {
                                        let is_cover = cover.is_some() && task.thumbnail_url == cover;
                                        let collection = collection_id.clone();
                                        view! { <HistoryItem task selection collection is_cover on_cover=move || page.refetch() /> }
                                    }).collect_view()}
                                </ul>
                                <nav class="mt-6 flex justify-between text-sm">
                                    {newest.map(|href| view! { <a href=href class="text-indigo-700 underline dark:text-indigo-300">{t.newest}</a> })}
                                    {older.map(|href| view! { <a href=href rel="next" class="ml-auto text-indigo-700 underline dark:text-indigo-300">{t.older}</a> })}
                                </nav>
                            }.into_any()
                        };
                        view! { {header} {body} }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The collection history is narrowed to: its name and description, edited in place, and its
/// deletion (the pictures stay).
#[component]
fn CollectionHeader(collection: CollectionView) -> impl IntoView {
    let t = use_texts();
    let l = t.library;
    let editing = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let shown = RwSignal::new(collection.clone());
    let name = RwSignal::new(collection.name.clone());
    let description = RwSignal::new(collection.description.clone());
    let error = RwSignal::new(None::<String>);
    let id = StoredValue::new(collection.id.clone());
    let save = Action::new(move |_: &()| async move {
        match rename_collection(
            id.get_value(),
            name.get_untracked(),
            description.get_untracked(),
        )
        .await
        {
            Ok(c) => {
                shown.set(c);
                editing.set(false);
                error.set(None);
            }
            Err(e) => error.set(Some(t.error(&e))),
        }
    });
    let navigate = use_navigate();
    let remove = Action::new(move |_: &()| {
        let go = navigate.clone();
        async move {
            match delete_collection(id.get_value()).await {
                Ok(()) => go("/collections", Default::default()),
                Err(e) => error.set(Some(t.error(&e))),
            }
        }
    });
    view! {
        <section class="mt-4 space-y-2 rounded-lg border border-stone-200 p-4 dark:border-stone-800" data-testid="collection-header">
            <h2 class="break-words text-xl font-semibold">{move || shown.with(|c| c.name.clone())}</h2>
            <p class="whitespace-pre-line break-words text-sm text-stone-600 dark:text-stone-400">{move || shown.with(|c| c.description.clone())}</p>
            <p class="text-xs text-stone-500">{move || (l.pictures)(shown.with(|c| c.task_count))}</p>
            <div class="flex flex-wrap gap-2 text-sm">
                <button type="button" class="rounded bg-stone-200 px-3 py-1 dark:bg-stone-800" aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|e| *e = !*e)>{l.edit_collection}</button>
                <button type="button" class="rounded px-3 py-1 text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950"
                    on:click=move |_| confirming.set(true)>{l.delete_collection}</button>
            </div>
            <Show when=move || confirming.get()>
                <div role="alertdialog" aria-label=l.delete_collection class="flex flex-wrap items-center gap-2 text-sm">
                    <span>{l.delete_collection_confirm}</span>
                    <button type="button" class="rounded bg-red-700 px-3 py-1 text-white" on:click=move |_| { remove.dispatch(()); }>{l.delete_collection}</button>
                    <button type="button" class="rounded bg-stone-200 px-3 py-1 dark:bg-stone-800" on:click=move |_| confirming.set(false)>{l.cancel}</button>
                </div>
            </Show>
            <Show when=move || editing.get()>
                <form class="grid gap-2 sm:max-w-md" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                    <label class="grid gap-1 text-sm">{t.field_name}
                        <input type="text" required maxlength=crate::limits::COLLECTION_NAME_MAX_CHARS prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))
                            class="rounded border border-stone-300 bg-white px-2 py-1 dark:border-stone-700 dark:bg-stone-900" />
                    </label>
                    <label class="grid gap-1 text-sm">{l.field_description}
                        <textarea rows=2 maxlength=crate::limits::COLLECTION_DESCRIPTION_MAX_CHARS prop:value=move || description.get()
                            on:input=move |ev| description.set(event_target_value(&ev))
                            class="rounded border border-stone-300 bg-white px-2 py-1 dark:border-stone-700 dark:bg-stone-900"></textarea>
                    </label>
                    <button type="submit" class="justify-self-start rounded bg-indigo-600 px-3 py-1 text-sm text-white">{l.save}</button>
                </form>
            </Show>
            {move || error.get().map(|e| view! { <p role="alert" class="text-sm text-red-700 dark:text-red-400">{e}</p> })}
        </section>
    }
}

/// The selection's count and what can be done to it: favourite, unfavourite, add to or remove
/// from a collection, retry, download as a ZIP, delete (after a confirm).
#[component]
fn BulkBar(
    selection: Selection,
    /// The user's collections (the page's, read once).
    collections: crate::codec::PageData<Result<Vec<CollectionView>, crate::error::AppError>>,
    message: RwSignal<Option<String>>,
    collection: Option<CollectionView>,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    let l = t.library;
    let confirming = RwSignal::new(false);
    let target = RwSignal::new(String::new());
    let run = Action::new(move |(op, collection): &(&'static str, Option<String>)| {
        let (op, collection) = (*op, collection.clone());
        let ids = selection.ids.get_untracked();
        async move {
            match bulk_tasks(ids, op.to_owned(), collection).await {
                Ok(r) => {
                    let failed = r.failed.len();
                    let mut text = (l.bulk_done)(r.done.len(), failed);
                    if let Some((_, e)) = r.failed.first() {
                        text.push(' ');
                        text.push_str(&t.error(e));
                    }
                    message.set(Some(text));
                    selection.clear();
                    confirming.set(false);
                    on_done();
                }
                Err(e) => message.set(Some(t.error(&e))),
            }
        }
    });
    let count = move || selection.ids.with(Vec::len);
    let zip = move || {
        format!(
            "/api/v1/tasks/archive?ids={}",
            selection.ids.with(|ids| ids.join(","))
        )
    };
    let in_collection = collection.map(|c| c.id);
    const BUTTON: &str = "rounded bg-stone-200 px-2 py-1 hover:bg-stone-300 disabled:opacity-50 dark:bg-stone-800 dark:hover:bg-stone-700";
    view! {
        <div role="toolbar" aria-label=l.bulk_label data-testid="bulk-bar"
            class="sticky top-0 z-10 mt-4 flex flex-wrap items-center gap-2 rounded-lg border border-stone-200 bg-white/95 p-2 text-sm dark:border-stone-800 dark:bg-stone-900/95">
            <span class="font-medium tabular-nums" data-testid="selected-count" aria-live="polite">{move || (l.selected)(count())}</span>
            <button type="button" class=BUTTON on:click=move |_| {
                let all = selection.order.get_untracked();
                selection.ids.set(all);
            }>{l.select_all}</button>
            <Show when=move || { count() > 0 }>
                <button type="button" class=BUTTON on:click=move |_| selection.clear()>{l.clear_selection}</button>
                <button type="button" class=BUTTON on:click=move |_| { run.dispatch(("favorite", None)); }><Glyph icon=Icon::Star class="h-4 w-4" />{l.bulk_favorite}</button>
                <button type="button" class=BUTTON on:click=move |_| { run.dispatch(("unfavorite", None)); }>{l.bulk_unfavorite}</button>
                <span class="flex gap-1">
                    <Suspense>
                        {move || Suspend::new(async move {
                            let list = collections.await.unwrap_or_default();
                            view! {
                                <select aria-label=l.choose_collection data-testid="bulk-collection" prop:value=move || target.get()
                                    on:change=move |ev| target.set(event_target_value(&ev))
                                    class="rounded border border-stone-300 bg-white px-1 py-1 dark:border-stone-700 dark:bg-stone-900">
                                    <option value="">{l.choose_collection}</option>
                                    {list.into_iter().map(|c| view! { <option value=c.id>{c.name}</option> }).collect_view()}
                                </select>
                            }
                        })}
                    </Suspense>
                    <button type="button" class=BUTTON disabled=move || target.with(String::is_empty)
                        on:click=move |_| { run.dispatch(("add_to_collection", Some(target.get_untracked()))); }>{l.bulk_add}</button>
                </span>
                {in_collection.clone().map(|c| view! {
                    <button type="button" class=BUTTON on:click=move |_| { run.dispatch(("remove_from_collection", Some(c.clone()))); }>{l.bulk_remove}</button>
                })}
                <button type="button" class=BUTTON on:click=move |_| { run.dispatch(("retry", None)); }>{l.bulk_retry}</button>
                <a href=zip download class=BUTTON data-testid="bulk-zip">{l.bulk_download}</a>
                <button type="button" class="rounded px-2 py-1 text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950"
                    on:click=move |_| confirming.set(true)>{l.bulk_delete}</button>
            </Show>
            <Show when=move || confirming.get() && count() != 0>
                <div role="alertdialog" aria-label=l.bulk_delete class="flex w-full flex-wrap items-center gap-2">
                    <span>{move || (l.bulk_delete_confirm)(count())}</span>
                    <button type="button" class="rounded bg-red-700 px-3 py-1 text-white" data-testid="bulk-delete-confirm"
                        on:click=move |_| { run.dispatch(("delete", None)); }>{l.bulk_delete}</button>
                    <button type="button" class=BUTTON on:click=move |_| confirming.set(false)>{l.cancel}</button>
                </div>
            </Show>
        </div>
    }
}

/// One filter of a row, marked as the current page when it is the one applied.
#[component]
fn FilterLink(href: Signal<String>, current: Signal<bool>, label: &'static str) -> impl IntoView {
    view! {
        <a href=href aria-current=move || current.get().then_some("page")
           class="rounded px-2 py-1 hover:bg-stone-100 aria-[current=page]:bg-indigo-100 aria-[current=page]:font-semibold dark:hover:bg-stone-800 dark:aria-[current=page]:bg-indigo-900">
            {label}
        </a>
    }
}

#[component]
fn HistoryItem(
    task: TaskView,
    selection: Selection,
    /// The collection history shows: its tiles can be made its cover.
    collection: Option<String>,
    is_cover: bool,
    on_cover: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = use_texts();
    let l = t.library;
    let href = format!("/history/{}", task.id);
    let (id, on) = (task.id.clone(), task.favorite);
    // Closures over the page's selection and an owned id, not a derived signal of the tile: a
    // tile's effects may run once more while the page replaces its tiles (a new filter clears
    // the selection), after the tile's own reactive values are gone.
    let chosen = {
        let id = task.id.clone();
        move || selection.has(&id)
    };
    let (chosen_box, chosen_key) = (chosen.clone(), chosen.clone());
    let (click_id, key_id, cover_id) = (task.id.clone(), task.id.clone(), task.id.clone());
    let view_id = task.id.clone();
    let opener = OpenViewer::here();
    let cover = Action::new(move |c: &String| {
        let (c, task) = (c.clone(), cover_id.clone());
        async move {
            if set_cover(c, Some(task)).await.is_ok() {
                on_cover();
            }
        }
    });
    let batch = task.batch_id.clone().map(|b| {
        let href = href_of_batch(&b);
        view! {
            <a href=href data-testid="batch-badge" class="rounded bg-indigo-50 px-1.5 py-0.5 text-indigo-800 hover:underline dark:bg-indigo-950 dark:text-indigo-200">{l.batch}</a>
        }
    });
    view! {
        <li data-testid="history-item" data-selected=move || chosen().to_string()
            class="relative overflow-hidden rounded-lg border border-stone-200 bg-white data-[selected=true]:ring-2 data-[selected=true]:ring-indigo-500 dark:border-stone-800 dark:bg-stone-900">
            <label class="absolute left-1 top-1 rounded bg-white/80 p-1 dark:bg-stone-900/80">
                <input type="checkbox" data-testid="select" aria-label=(l.select)(&task.prompt) prop:checked=chosen_box
                    on:click=move |ev| {
                        let on = event_target_checked(&ev);
                        selection.choose(&click_id, on, ev.shift_key());
                    }
                    on:keydown=move |ev| {
                        // Shift+Space: the range from the last one chosen, as shift-click.
                        if ev.key() == " " && ev.shift_key() {
                            ev.prevent_default();
                            let on = !chosen_key();
                            selection.choose(&key_id, on, true);
                        }
                    } />
            </label>
            <div class="absolute right-1 top-1 rounded bg-white/80 dark:bg-stone-900/80">
                <Star task_id=id on />
            </div>
            <a href=href class="block">
                {match task.thumbnail_url.clone() {
                    Some(src) => view! {
                        <img src=src alt=task.prompt.clone() loading="lazy" class="aspect-square w-full cursor-zoom-in object-cover"
                            on:click=move |ev| if let Some(o) = opener { o.tile_click(&ev, &view_id) } />
                    }.into_any(),
                    None => view! { <div class="flex aspect-square w-full items-center justify-center bg-stone-100 text-xs text-stone-400 dark:bg-stone-800">{t.status(task.status, None)}</div> }.into_any(),
                }}
                <div class="space-y-1 p-2 pb-0 text-xs">
                    <p class="line-clamp-2 break-words text-sm text-stone-800 dark:text-stone-200">{task.prompt.clone()}</p>
                    <p class="text-stone-500" data-testid="tile-what">
                        {what_it_is(t, &task)} " · " {made_with(t, &task)} " · " {(t.credits)(task.cost)}
                    </p>
                    {(task.status != TaskStatus::Succeeded).then(|| view! { <p class="text-stone-500">{t.status(task.status, None)}</p> })}
                    <p class="text-stone-400"><LocalTime at=task.created_at.clone() /></p>
                </div>
            </a>
            <div class="flex flex-wrap items-start gap-1 p-2 pt-1 text-xs">
                {batch}
                {is_cover.then(|| view! { <span class="rounded bg-amber-50 px-1.5 py-0.5 text-amber-800 dark:bg-amber-950 dark:text-amber-200">{l.cover}</span> })}
                {collection.filter(|_| !is_cover && task.thumbnail_url.is_some()).map(|c| view! {
                    <button type="button" class="rounded px-1 py-0.5 text-stone-500 hover:bg-stone-100 dark:hover:bg-stone-800"
                        on:click=move |_| { cover.dispatch(c.clone()); }>{l.make_cover}</button>
                })}
                <div class="w-full"><CollectMenu task_id=task.id.clone() /></div>
            </div>
        </li>
    }
}

/// History narrowed to one batch.
fn href_of_batch(batch: &str) -> String {
    href(&HistoryQuery {
        batch: Some(batch.to_owned()),
        ..HistoryQuery::default()
    })
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filters_and_escape_the_words() {
        let q = HistoryQuery {
            status: Some("failed".into()),
            q: Some("red fox&co".into()),
            favorite: true,
            collection: Some("c1".into()),
            ..HistoryQuery::default()
        };
        assert_eq!(
            href(&q),
            "/history?status=failed&q=red%20fox%26co&collection=c1&favorite=1"
        );
        assert_eq!(href(&HistoryQuery::default()), "/history");
        assert_eq!(href_of_batch("b7"), "/history?batch=b7");
    }

    #[test]
    fn a_range_runs_from_the_anchor_either_way() {
        let order: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert_eq!(select_range(&order, Some("b"), "d"), ["b", "c", "d"]);
        assert_eq!(select_range(&order, Some("e"), "c"), ["c", "d", "e"]);
        assert_eq!(select_range(&order, None, "c"), ["c"]);
        // An anchor no longer on the page: the one alone.
        assert_eq!(select_range(&order, Some("z"), "a"), ["a"]);
    }
}
