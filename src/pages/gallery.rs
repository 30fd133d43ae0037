//! What others see: a share link's page (`/s/{token}`), the gallery (`/gallery`) and one of its
//! pictures with likes and comments (`/gallery/{id}`). Rendered on the server, with the Open
//! Graph tags that chat apps read for a preview; nobody needs to sign in to look.

use crate::codec::page_data;
use crate::components::local_time::LocalTime;
use crate::components::page_title::PageTitle;
use crate::components::viewer::{OpenViewer, Shot, Viewer, public_shots};
use crate::{
    i18n::use_texts,
    pages::errors::NotFound,
    server_fns::sharing::{
        add_comment, delete_comment, load_gallery, load_gallery_item, load_shared, report,
        set_hidden, set_like,
    },
    types::{CommentView, GalleryItem, GalleryPage, PublicTaskView},
};
use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

const BUTTON: &str = "rounded border border-stone-300 px-2 py-1 text-sm hover:bg-stone-100 disabled:opacity-50 dark:border-stone-700 dark:hover:bg-stone-800";
const LINK: &str = "text-indigo-700 underline dark:text-indigo-300";

/// The Open Graph and Twitter tags of a picture's page: its prompt and its first picture, with
/// whole links (`base` is `https://host`).
#[component]
fn Preview(task: PublicTaskView, base: String, path: String) -> impl IntoView {
    let t = use_texts();
    let title: String = task.prompt.chars().take(120).collect();
    let description = format!("{} · {}", (t.gallery.by)(&task.author), t.gallery.made_on);
    let image = task.images.first().cloned();
    view! {
        <PageTitle text=title.clone() />
        <Meta property="og:type" content="website" />
        <Meta property="og:site_name" content=t.app_name />
        <Meta property="og:title" content=title.clone() />
        <Meta property="og:description" content=description.clone() />
        <Meta property="og:url" content=format!("{base}{path}") />
        <Meta name="description" content=description />
        <Meta name="twitter:card" content="summary_large_image" />
        <Meta name="twitter:title" content=title />
        {image.map(|i| view! {
            <Meta property="og:image" content=format!("{base}{}", i.url) />
            <Meta name="twitter:image" content=format!("{base}{}", i.url) />
            {i.width.map(|w| view! { <Meta property="og:image:width" content=w.to_string() /> })}
            {i.height.map(|h| view! { <Meta property="og:image:height" content=h.to_string() /> })}
        })}
    }
}

/// A picture's pictures, large, each opening in the viewer.
#[component]
fn Pictures(task: PublicTaskView) -> impl IntoView {
    let t = use_texts();
    let shots = public_shots(t, &task, false);
    let viewing = RwSignal::new(None::<usize>);
    let grid = if shots.len() > 1 {
        "grid gap-3 sm:grid-cols-2"
    } else {
        "grid gap-3"
    };
    view! {
        <Viewer shots=Signal::stored(shots.clone()) open=viewing />
        <div class=grid>
            {shots.into_iter().enumerate().map(|(i, s)| view! {
                <button type="button" class="block cursor-zoom-in" aria-label=t.shell.viewer.open on:click=move |_| viewing.set(Some(i))>
                    <img src=s.src alt=s.alt class="w-full rounded-lg" data-testid="public-image" />
                </button>
            }).collect_view()}
        </div>
    }
}

/// What a picture's page says of it: prompt, author, date.
#[component]
fn About(task: PublicTaskView) -> impl IntoView {
    let t = use_texts();
    let made = task
        .published_at
        .clone()
        .unwrap_or_else(|| task.created_at.clone());
    view! {
        <h1 class="break-words text-lg font-semibold" data-testid="public-prompt">{task.prompt.clone()}</h1>
        <p class="text-sm text-stone-600 dark:text-stone-400">
            <span data-testid="public-author">{(t.gallery.by)(&task.author)}</span>
            " · " <LocalTime at=made.clone() />
            " · " {match &task.model { Some(m) => m.clone(), None => t.mode(task.mode).to_owned() }}
        </p>
    }
}

#[component]
pub fn SharedPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let shared = page_data(
        move || params.with(|p| p.get("token").unwrap_or_default()),
        load_shared,
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match shared.await {
                    Ok(s) => {
                        let path = params.with_untracked(|p| format!("/s/{}", p.get("token").unwrap_or_default()));
                        view! {
                            <Preview task=s.task.clone() base=s.base.clone() path />
                            <article class="mx-auto grid max-w-4xl gap-4">
                                <Pictures task=s.task.clone() />
                                <div class="space-y-1"><About task=s.task.clone() /></div>
                            </article>
                        }.into_any()
                    }
                    Err(crate::error::AppError::NotFound) => view! {
                        <NotFound />
                        <p class="text-center text-sm text-stone-600 dark:text-stone-400" data-testid="share-missing">{t.gallery.shared_missing}</p>
                    }.into_any(),
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn GalleryListPage() -> impl IntoView {
    let t = use_texts();
    let query = use_query_map();
    let key = move || {
        query.with(|q| {
            let sort = q.get("sort").filter(|s| !s.is_empty());
            let page = q
                .get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(0);
            (sort, page)
        })
    };
    let page = page_data(key, |(sort, page)| load_gallery(sort, page));
    view! {
        <PageTitle text=t.gallery.title />
        <section class="space-y-4">
            <div class="flex flex-wrap items-baseline gap-3">
                <h1 class="text-2xl font-semibold">{t.gallery.title}</h1>
                <p class="text-sm text-stone-600 dark:text-stone-400">{t.gallery.intro}</p>
            </div>
            <Suspense>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! { <GalleryGrid page=p sort=key().0 number=key().1 /> }.into_any(),
                        Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn GalleryGrid(page: GalleryPage, sort: Option<String>, number: i64) -> impl IntoView {
    let t = use_texts();
    if !page.enabled {
        return view! { <p data-testid="gallery-off">{t.gallery.off}</p> }.into_any();
    }
    let liked = sort.as_deref() == Some("liked");
    let href = move |liked: bool, n: i64| {
        let mut q = Vec::new();
        if liked {
            q.push("sort=liked".to_owned());
        }
        if n > 0 {
            q.push(format!("page={n}"));
        }
        if q.is_empty() {
            "/gallery".to_owned()
        } else {
            format!("/gallery?{}", q.join("&"))
        }
    };
    let tab = "rounded px-3 py-1 text-sm aria-[current=page]:bg-stone-200 aria-[current=page]:font-semibold dark:aria-[current=page]:bg-stone-700";
    let current = |on: bool| if on { Some("page") } else { None };
    // The viewer: the page's pictures, each with a link to its own page.
    let shots: Vec<Shot> = page
        .tasks
        .iter()
        .flat_map(|x| public_shots(t, x, true))
        .collect();
    let viewing = RwSignal::new(None::<usize>);
    provide_context(OpenViewer::over(Signal::stored(shots.clone()), viewing));
    view! {
        <nav aria-label=t.gallery.order_label class="flex gap-1">
            <a href=href(false, 0) class=tab aria-current=current(!liked)>{t.gallery.newest}</a>
            <a href=href(true, 0) class=tab aria-current=current(liked)>{t.gallery.most_liked}</a>
        </nav>
        {page.tasks.is_empty().then(|| view! { <p class="text-stone-600 dark:text-stone-400" data-testid="gallery-empty">{t.gallery.empty}</p> })}
        <Viewer shots=Signal::stored(shots) open=viewing />
        <ul class="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4" data-testid="gallery-grid">
            {page.tasks.into_iter().map(|task| view! { <GalleryTile task signed_in=page.signed_in /> }).collect_view()}
        </ul>
        <nav class="flex gap-3 text-sm" aria-label=t.gallery.title>
            {(number > 0).then(|| view! { <a href=href(liked, number - 1) class=LINK>{t.gallery.previous}</a> })}
            {page.more.then(|| view! { <a href=href(liked, number + 1) class=LINK>{t.gallery.more}</a> })}
        </nav>
    }.into_any()
}

#[component]
fn GalleryTile(task: PublicTaskView, signed_in: bool) -> impl IntoView {
    let t = use_texts();
    let href = format!("/gallery/{}", task.id);
    let view_id = task.id.clone();
    let opener = OpenViewer::here();
    let src = task
        .images
        .first()
        .map(|i| i.thumbnail_url.clone().unwrap_or_else(|| i.url.clone()))
        .unwrap_or_default();
    view! {
        <li class="overflow-hidden rounded-lg border border-stone-200 bg-white dark:border-stone-800 dark:bg-stone-900" data-testid="gallery-tile">
            <a href=href.clone() class="block focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500">
                <img src=src alt=task.prompt.clone() loading="lazy" class="aspect-square w-full cursor-zoom-in object-cover"
                    on:click=move |ev| if let Some(o) = opener { o.tile_click(&ev, &view_id) } />
            </a>
            <div class="space-y-1 p-2 text-xs">
                <a href=href class="line-clamp-2 break-words font-medium">{task.prompt.clone()}</a>
                <div class="flex items-center gap-2 text-stone-600 dark:text-stone-400">
                    <span class="truncate">{(t.gallery.by)(&task.author)}</span>
                    <span class="ml-auto"><LikeButton task_id=task.id.clone() liked=task.liked count=task.like_count enabled=signed_in /></span>
                </div>
            </div>
        </li>
    }
}

/// A picture's likes; a signed-in viewer toggles theirs in place (and goes back if the server
/// says no).
#[component]
fn LikeButton(task_id: String, liked: bool, count: i64, enabled: bool) -> impl IntoView {
    let t = use_texts();
    let on = RwSignal::new(liked);
    let n = RwSignal::new(count);
    let toggle = Action::new(move |(id, want): &(String, bool)| {
        let (id, want) = (id.clone(), *want);
        async move {
            if set_like(id, want).await.is_err() {
                on.set(!want);
                n.update(|n| *n += if want { -1 } else { 1 });
            }
        }
    });
    view! {
        <button
            type="button"
            data-testid="like"
            aria-pressed=move || on.get().to_string()
            aria-label=move || format!("{} ({})", if on.get() { t.gallery.unlike } else { t.gallery.like }, (t.gallery.likes)(n.get()))
            title=move || if enabled { t.gallery.like } else { t.gallery.sign_in_to_join }
            disabled=!enabled
            class="inline-flex items-center gap-1 rounded px-1 text-sm text-stone-500 hover:text-rose-600 aria-pressed:text-rose-600 disabled:hover:text-stone-500"
            on:click=move |ev| {
                ev.prevent_default();
                let want = !on.get_untracked();
                on.set(want);
                n.update(|n| *n += if want { 1 } else { -1 });
                toggle.dispatch((task_id.clone(), want));
            }
        >
            <span aria-hidden="true">{move || if on.get() { "♥" } else { "♡" }}</span>
            <span data-testid="like-count">{move || n.get()}</span>
        </button>
    }
}

#[component]
pub fn GalleryItemPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let item = page_data(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        load_gallery_item,
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match item.await {
                    Ok(i) => view! { <GalleryItemView item=i /> }.into_any(),
                    Err(crate::error::AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn GalleryItemView(item: GalleryItem) -> impl IntoView {
    let t = use_texts();
    let task = item.task.clone();
    let path = format!("/gallery/{}", task.id);
    let hide = Action::new(|id: &String| set_hidden(id.clone(), None, true));
    let hidden = move || matches!(hide.value().get(), Some(Ok(())));
    let hide_id = task.id.clone();
    let report_id = task.id.clone();
    let (mine, signed_in, is_admin) = (task.mine, item.signed_in, item.is_admin);
    view! {
        <Preview task=task.clone() base=item.base.clone() path />
        <div class="grid gap-6 lg:grid-cols-[1fr_22rem]">
            <Pictures task=task.clone() />
            <aside class="space-y-4">
                <div class="space-y-1"><About task=task.clone() /></div>
                <div class="flex flex-wrap items-center gap-2">
                    <LikeButton task_id=task.id.clone() liked=task.liked count=task.like_count enabled=item.signed_in />
                    <Show when=move || is_admin>
                        <button type="button" class=BUTTON data-testid="hide-picture" disabled=move || hide.pending().get() || hidden()
                            on:click={ let id = hide_id.clone(); move |_| { hide.dispatch(id.clone()); } }>
                            {move || if hidden() { t.gallery.hidden_badge } else { t.gallery.hide }}
                        </button>
                    </Show>
                    <Show when=move || signed_in && !mine>
                        <ReportForm task_id=report_id.clone() comment_id=None />
                    </Show>
                </div>
                {move || hide.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="text-sm text-red-700">{t.error(&e)}</p> })}
                <Comments item=item.clone() />
                <a href="/gallery" class=format!("{LINK} text-sm")>{t.gallery.back_to_gallery}</a>
            </aside>
        </div>
    }
}

/// A picture's comments, oldest first, and the form to add one.
#[component]
fn Comments(item: GalleryItem) -> impl IntoView {
    let t = use_texts();
    let comments = RwSignal::new(item.comments.clone());
    let body = RwSignal::new(String::new());
    let task_id = item.task.id.clone();
    let send =
        Action::new(move |(id, text): &(String, String)| add_comment(id.clone(), text.clone()));
    Effect::new(move || {
        if let Some(Ok(c)) = send.value().get()
            && !comments.with_untracked(|cs| cs.iter().any(|x| x.id == c.id))
        {
            comments.update(|cs| cs.push(c));
            body.set(String::new());
        }
    });
    let max = crate::limits::COMMENT_MAX_CHARS;
    view! {
        <section class="space-y-3" aria-labelledby="comments-title">
            <h2 id="comments-title" class="font-semibold">{t.gallery.comments_title}</h2>
            {move || comments.with(Vec::is_empty).then(|| view! { <p class="text-sm text-stone-500">{t.gallery.no_comments}</p> })}
            <ul class="space-y-2" data-testid="comments">
                <For each=move || comments.get() key=|c| c.id.clone() let:c>
                    <CommentItem comment=c task_id=item.task.id.clone() signed_in=item.signed_in is_admin=item.is_admin
                        removed=Callback::new(move |id: String| comments.update(|cs| cs.retain(|x| x.id != id))) />
                </For>
            </ul>
            {if !item.comments_enabled {
                view! { <p class="text-sm text-stone-500">{t.gallery.comments_off}</p> }.into_any()
            } else if !item.signed_in {
                view! { <p class="text-sm"><a href="/login" class=LINK>{t.gallery.sign_in_to_join}</a></p> }.into_any()
            } else {
                view! {
                    <form class="space-y-2" on:submit=move |ev| {
                        ev.prevent_default();
                        let text = body.get_untracked();
                        if !text.trim().is_empty() {
                            send.dispatch((task_id.clone(), text));
                        }
                    }>
                        <label class="block text-sm">{t.gallery.comment_label}
                            <textarea rows=3 maxlength=max required
                                class="mt-1 w-full rounded border border-stone-300 px-2 py-1 dark:border-stone-700 dark:bg-stone-900"
                                prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                        </label>
                        <button type="submit" class=BUTTON disabled=move || send.pending().get()>{t.gallery.comment_send}</button>
                        {move || send.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="text-sm text-red-700">{t.error(&e)}</p> })}
                    </form>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn CommentItem(
    comment: CommentView,
    task_id: String,
    signed_in: bool,
    is_admin: bool,
    removed: Callback<String>,
) -> impl IntoView {
    let t = use_texts();
    let remove = Action::new(|id: &String| delete_comment(id.clone()));
    let hide = Action::new(|(task, id): &(String, String)| {
        set_hidden(task.clone(), Some(id.clone()), true)
    });
    let id = comment.id.clone();
    Effect::new({
        let id = id.clone();
        move || {
            if matches!(remove.value().get(), Some(Ok(()))) {
                removed.run(id.clone());
            }
        }
    });
    let hidden = RwSignal::new(comment.hidden);
    let deletable = comment.deletable;
    let (delete_id, hide_arg) = (id.clone(), (task_id.clone(), id.clone()));
    let (report_task, report_comment) = (task_id, id);
    Effect::new(move || {
        if matches!(hide.value().get(), Some(Ok(()))) {
            hidden.set(true);
        }
    });
    view! {
        <li class="rounded border border-stone-200 p-2 text-sm dark:border-stone-800" data-testid="comment">
            <p class="text-xs text-stone-500">
                <span class="font-medium text-stone-700 dark:text-stone-300">{comment.author.clone()}</span>
                " · " <LocalTime at=comment.created_at.clone() />
                {move || hidden.get().then(|| view! { " · " <span class="text-amber-700">{t.gallery.hidden_badge}</span> })}
            </p>
            <p class="whitespace-pre-line break-words" data-testid="comment-body">{comment.body.clone()}</p>
            <div class="mt-1 flex flex-wrap gap-2">
                <Show when=move || deletable>
                    <button type="button" class=BUTTON data-testid="delete-comment" disabled=move || remove.pending().get()
                        on:click={ let id = delete_id.clone(); move |_| { remove.dispatch(id.clone()); } }>{t.gallery.comment_delete}</button>
                </Show>
                <Show when=move || is_admin && !hidden.get()>
                    <button type="button" class=BUTTON disabled=move || hide.pending().get()
                        on:click={ let arg = hide_arg.clone(); move |_| { hide.dispatch(arg.clone()); } }>{t.gallery.hide}</button>
                </Show>
                <Show when=move || signed_in && !deletable>
                    <ReportForm task_id=report_task.clone() comment_id=Some(report_comment.clone()) />
                </Show>
            </div>
            {move || remove.value().get().and_then(Result::err).or_else(|| hide.value().get().and_then(Result::err))
                .map(|e| view! { <p role="alert" class="text-red-700">{t.error(&e)}</p> })}
        </li>
    }
}

/// "Report": a reason (optional), sent to the admins.
#[component]
fn ReportForm(task_id: String, comment_id: Option<String>) -> impl IntoView {
    let t = use_texts();
    let reason = RwSignal::new(String::new());
    let send = Action::new(
        |(task, comment, reason): &(String, Option<String>, String)| {
            report(task.clone(), comment.clone(), reason.clone())
        },
    );
    let max = crate::limits::REPORT_REASON_MAX_CHARS;
    view! {
        <details class="text-sm">
            <summary class="cursor-pointer text-stone-500 hover:text-stone-800 dark:hover:text-stone-200">{t.gallery.report}</summary>
            {move || if matches!(send.value().get(), Some(Ok(()))) {
                view! { <p role="status" class="mt-1 text-green-700">{t.gallery.reported}</p> }.into_any()
            } else {
                let (task_id, comment_id) = (task_id.clone(), comment_id.clone());
                view! {
                    <form class="mt-1 space-y-1" on:submit=move |ev| {
                        ev.prevent_default();
                        send.dispatch((task_id.clone(), comment_id.clone(), reason.get_untracked()));
                    }>
                        <label class="block">{t.gallery.report_reason}
                            <input type="text" maxlength=max class="mt-1 w-full rounded border border-stone-300 px-2 py-1 dark:border-stone-700 dark:bg-stone-900"
                                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                        </label>
                        <button type="submit" class=BUTTON disabled=move || send.pending().get()>{t.gallery.report_send}</button>
                        {move || send.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="text-red-700">{t.error(&e)}</p> })}
                    </form>
                }.into_any()
            }}
        </details>
    }
}
