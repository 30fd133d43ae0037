//! `/history`: everything the user made, newest first, server-rendered (links work without
//! JavaScript): filter by status, search in prompts, keyset pagination.

use crate::codec::page_data;
use crate::{
    browser::short_time,
    components::{star::Star, task_card::made_with},
    i18n::use_texts,
    server_fns::tasks::load_history,
    types::{EngineKind, TaskStatus, TaskView},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn HistoryPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k).filter(|v| !v.is_empty()));
    let page = page_data(
        move || {
            (
                param("status"),
                param("engine"),
                param("q"),
                param("before"),
                param("favorite").is_some(),
            )
        },
        |(status, engine, q, before, favorite)| load_history(status, engine, q, before, favorite),
    );
    // A link to these filters with one changed, from the first page.
    let link_to =
        move |status: Option<&str>, engine: Option<&str>, before: Option<&str>, favorite: bool| {
            let mut parts = Vec::new();
            if let Some(s) = status {
                parts.push(format!("status={s}"));
            }
            if let Some(e) = engine {
                parts.push(format!("engine={e}"));
            }
            if let Some(q) = param("q") {
                parts.push(format!("q={}", urlencode(&q)));
            }
            if favorite {
                parts.push("favorite=1".to_owned());
            }
            if let Some(b) = before {
                parts.push(format!("before={b}"));
            }
            if parts.is_empty() {
                "/history".to_owned()
            } else {
                format!("/history?{}", parts.join("&"))
            }
        };
    let starred = move || param("favorite").is_some();
    let link_with = move |status: Option<&str>, engine: Option<&str>, before: Option<&str>| {
        link_to(status, engine, before, starred())
    };
    let link = move |status: Option<&str>, before: Option<&str>| {
        link_with(status, param("engine").as_deref(), before)
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
    view! {
        <Title text=t.history_title />
        <h1 class="text-2xl font-semibold">{t.history_title}</h1>
        <div class="mt-4 flex flex-wrap items-center gap-3">
            <nav aria-label=t.field_status class="flex flex-wrap gap-1 text-sm">
                {filters.into_iter().map(|(s, label)| {
                    let href = link(s.map(TaskStatus::as_str), None);
                    let current = Signal::derive(move || param("status").as_deref() == s.map(TaskStatus::as_str));
                    view! { <FilterLink href current label /> }
                }).collect_view()}
            </nav>
            <nav aria-label=t.studio.engine_label class="flex flex-wrap gap-1 text-sm" data-testid="engine-filter">
                {engines.into_iter().map(|(e, label)| {
                    let href = link_with(param("status").as_deref(), e.map(EngineKind::as_str), None);
                    let current = Signal::derive(move || param("engine").as_deref() == e.map(EngineKind::as_str));
                    view! { <FilterLink href current label /> }
                }).collect_view()}
            </nav>
            <nav aria-label=t.filter_favorites class="flex gap-1 text-sm">
                {
                    // The starred ones, or all again: the other filters kept.
                    let href = move || {
                        link_to(param("status").as_deref(), param("engine").as_deref(), None, !starred())
                    };
                    view! {
                        <a href=href data-testid="favorite-filter" aria-current=move || starred().then_some("page")
                           class="rounded px-2 py-1 hover:bg-stone-100 aria-[current=page]:bg-indigo-100 aria-[current=page]:font-semibold dark:hover:bg-stone-800 dark:aria-[current=page]:bg-indigo-900">
                            "★ " {t.filter_favorites}
                        </a>
                    }
                }
            </nav>
            <form method="get" action="/history" role="search" class="ml-auto flex gap-2">
                {move || param("favorite").map(|_| view! { <input type="hidden" name="favorite" value="1" /> })}
                {move || param("status").map(|s| view! { <input type="hidden" name="status" value=s /> })}
                {move || param("engine").map(|e| view! { <input type="hidden" name="engine" value=e /> })}
                <input type="search" name="q" maxlength=crate::limits::SEARCH_MAX_CHARS aria-label=t.search_label placeholder=t.search_label value=move || param("q").unwrap_or_default()
                    class="rounded border border-stone-300 bg-white px-2 py-1 text-sm dark:border-stone-700 dark:bg-stone-900" />
                <button type="submit" class="rounded bg-stone-200 px-3 py-1 text-sm dark:bg-stone-800">{t.search_button}</button>
            </form>
        </div>
        <Suspense>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                    Ok(p) if p.tasks.is_empty() => view! { <p class="mt-6 text-stone-500">{t.history_empty}</p> }.into_any(),
                    Ok(p) => {
                        let older = p.next_cursor.map(|c| link(param("status").as_deref(), Some(&c)));
                        let newest = param("before").map(|_| link(param("status").as_deref(), None));
                        view! {
                            <ul class="mt-6 grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-4">
                                {p.tasks.into_iter().map(|task| view! { <HistoryItem task /> }).collect_view()}
                            </ul>
                            <nav class="mt-6 flex justify-between text-sm">
                                {newest.map(|href| view! { <a href=href class="text-indigo-700 underline dark:text-indigo-300">{t.newest}</a> })}
                                {older.map(|href| view! { <a href=href rel="next" class="ml-auto text-indigo-700 underline dark:text-indigo-300">{t.older}</a> })}
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// One filter of a row, marked as the current page when it is the one applied.
#[component]
fn FilterLink(href: String, current: Signal<bool>, label: &'static str) -> impl IntoView {
    view! {
        <a href=href aria-current=move || current.get().then_some("page")
           class="rounded px-2 py-1 hover:bg-stone-100 aria-[current=page]:bg-indigo-100 aria-[current=page]:font-semibold dark:hover:bg-stone-800 dark:aria-[current=page]:bg-indigo-900">
            {label}
        </a>
    }
}

#[component]
fn HistoryItem(task: TaskView) -> impl IntoView {
    let t = use_texts();
    let href = format!("/history/{}", task.id);
    let (id, on) = (task.id.clone(), task.favorite);
    view! {
        <li data-testid="history-item" class="relative overflow-hidden rounded-lg border border-stone-200 bg-white dark:border-stone-800 dark:bg-stone-900">
            <div class="absolute right-1 top-1 rounded bg-white/80 dark:bg-stone-900/80">
                <Star task_id=id on />
            </div>
            <a href=href class="block">
                {match task.thumbnail_url.clone() {
                    Some(src) => view! { <img src=src alt=task.prompt.clone() loading="lazy" class="aspect-square w-full object-cover" /> }.into_any(),
                    None => view! { <div class="flex aspect-square w-full items-center justify-center bg-stone-100 text-xs text-stone-400 dark:bg-stone-800">{t.status(task.status, None)}</div> }.into_any(),
                }}
                <div class="space-y-1 p-2 text-xs">
                    <p class="line-clamp-2 break-words text-sm text-stone-800 dark:text-stone-200">{task.prompt.clone()}</p>
                    <p class="text-stone-500">
                        {t.status(task.status, None)} " · " {made_with(t, &task)} " · " {(t.credits)(task.cost)}
                    </p>
                    <p class="text-stone-400"><time datetime=task.created_at.clone()>{short_time(&task.created_at)}</time> " UTC"</p>
                </div>
            </a>
        </li>
    }
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
