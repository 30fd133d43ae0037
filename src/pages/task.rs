//! `/history/{id}`: one task, large, with its details, parent, children and buttons.

use crate::codec::page_data;
use crate::components::page_title::PageTitle;
use crate::{
    components::{
        collect::CollectMenu,
        local_time::LocalTime,
        share::ShareControls,
        star::Star,
        task_card::{ActionButton, what_it_is},
        viewer::{Shot, Viewer, shots_of},
    },
    i18n::use_texts,
    pages::errors::NotFound,
    server_fns::{
        tasks::{load_task, press_button},
        uploads::reference_from_task,
    },
    session::use_balance,
    types::{TaskAction, TaskView},
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn TaskPage() -> impl IntoView {
    let t = use_texts();
    let params = use_params_map();
    let detail = page_data(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        load_task,
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <TaskDetailView task=d.task parent=d.parent children=d.children action_cost=d.action_cost mine=d.mine /> }.into_any(),
                    Err(crate::error::AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TaskDetailView(
    task: TaskView,
    parent: Option<TaskView>,
    children: Vec<TaskView>,
    action_cost: i64,
    mine: bool,
) -> impl IntoView {
    let t = use_texts();
    let balance = use_balance().0;
    let navigate = use_navigate();
    let press = Action::new(|(id, custom_id): &(String, String)| {
        press_button(id.clone(), custom_id.clone(), None, None, None)
    });
    Effect::new(move || {
        if let Some(Ok(u)) = press.value().get() {
            balance.set(Some(u.balance));
            navigate("/", Default::default());
        }
    });
    let row = |label: &'static str, value: String| {
        view! {
            <div class="flex gap-2"><dt class="w-24 shrink-0 text-stone-500">{label}</dt><dd class="break-words">{value}</dd></div>
        }
    };
    let time_row = |label: &'static str, at: String| {
        view! {
            <div class="flex gap-2"><dt class="w-24 shrink-0 text-stone-500">{label}</dt><dd><LocalTime at /></dd></div>
        }
    };
    let id = task.id.clone();
    // "Use as reference": the picture becomes an upload, and the Generate page starts with it.
    let reference = Action::new(|id: &String| reference_from_task(id.clone(), 0));
    let go = use_navigate();
    Effect::new(move || {
        if let Some(Ok(up)) = reference.value().get() {
            go(&format!("/?reference={}", up.id), Default::default());
        }
    });
    let gives_picture = task.image_url.is_some()
        && !matches!(task.action, TaskAction::Describe | TaskAction::Shorten);
    let reference_id = id.clone();
    // The viewer: the task's pictures, with its follow-ups where the task is the user's.
    let shots: Vec<Shot> = shots_of(t, &task)
        .into_iter()
        .map(|s| Shot {
            details: None,
            mine,
            buttons: if mine { s.buttons } else { Vec::new() },
            ..s
        })
        .collect();
    let viewing = RwSignal::new(None::<usize>);
    let press_in_viewer = Callback::new(move |arg: (String, String)| {
        press.dispatch(arg);
    });
    view! {
        <Viewer shots=Signal::stored(shots.clone()) open=viewing press=press_in_viewer action_cost />
        <PageTitle text=task.prompt.clone() />
        <div class="grid gap-6 lg:grid-cols-[1fr_22rem]">
            <div>
                {(!shots.is_empty()).then(|| view! {
                    <div class={if shots.len() > 1 { "grid grid-cols-2 gap-2" } else { "grid gap-2" }}>
                        {shots.iter().enumerate().map(|(i, s)| view! {
                            <button type="button" class="block cursor-zoom-in" aria-label=t.shell.viewer.open on:click=move |_| viewing.set(Some(i))>
                                <img src=s.src.clone() alt=s.alt.clone() class="w-full rounded-lg" data-testid="task-image" />
                            </button>
                        }).collect_view()}
                    </div>
                })}
                {task.preview_url.clone().filter(|_| task.image_url.is_none()).map(|src| view! {
                    <img src=src alt="" class="w-full rounded-lg opacity-80" />
                })}
            </div>
            <aside class="space-y-4">
                <div class="flex items-start gap-2">
                    <h1 class="break-words text-lg font-semibold" data-testid="task-prompt">{task.prompt.clone()}</h1>
                    <span class="ml-auto"><Star task_id=task.id.clone() on=task.favorite /></span>
                </div>
                <CollectMenu task_id=task.id.clone() />
                <dl class="space-y-1 text-sm">
                    {row(t.field_status, format!("{}{}", t.status(task.status, task.queue_position), task.fail_reason.as_deref().map(|r| format!(": {}", t.fail_reason(r))).unwrap_or_default()))}
                    {row(t.field_mode, format!("{} · {}", t.mode(task.mode), what_it_is(t, &task)))}
                    {row(t.field_cost, (t.credits)(task.cost))}
                    {time_row(t.field_created, task.created_at.clone())}
                    {task.started_at.clone().map(|s| time_row(t.field_started, s))}
                    {task.finished_at.clone().map(|s| time_row(t.field_finished, s))}
                </dl>
                <div class="flex flex-wrap gap-1" role="group" aria-label=t.shell.actions_group>
                    {task.buttons.iter().map(|b| {
                        let arg = (id.clone(), b.custom_id.clone());
                        let press_it = Callback::new(move |()| { press.dispatch(arg.clone()); });
                        view! {
                            <ActionButton button=b.clone() cost=Signal::stored(action_cost)
                                disabled=Signal::derive(move || press.pending().get()) press=press_it />
                        }
                    }).collect_view()}
                </div>
                {move || press.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="text-sm text-red-700">{t.error(&e)}</p> })}
                <div class="flex flex-wrap items-center gap-3 text-sm">
                    {task.image_url.clone().map(|src| view! { <a href=src download class="text-indigo-700 underline dark:text-indigo-300">{t.download}</a> })}
                    <Show when=move || gives_picture>
                        {
                            let id = reference_id.clone();
                            view! {
                                <button
                                    type="button"
                                    data-testid="use-as-reference"
                                    class="rounded border border-stone-300 px-2 py-1 hover:bg-stone-100 disabled:opacity-50 dark:border-stone-700 dark:hover:bg-stone-800"
                                    disabled=move || reference.pending().get()
                                    on:click=move |_| { reference.dispatch(id.clone()); }
                                >
                                    {t.studio.use_as_reference}
                                </button>
                            }
                        }
                    </Show>
                </div>
                {move || reference.value().get().and_then(Result::err).map(|e| view! { <p role="alert" class="text-sm text-red-700">{t.error(&e)}</p> })}
                {(mine && task.status == crate::types::TaskStatus::Succeeded && !task.images.is_empty()).then(|| view! { <ShareControls task=task.clone() /> })}
                {parent.map(|p| view! {
                    <div class="text-sm"><p class="text-stone-500">{t.made_from}</p><TaskLink task=p /></div>
                })}
                {(!children.is_empty()).then(|| view! {
                    <div class="text-sm"><p class="text-stone-500">{t.made_from_this}</p>
                        <ul>{children.into_iter().map(|c| view! { <li><TaskLink task=c /></li> }).collect_view()}</ul>
                    </div>
                })}
            </aside>
        </div>
    }
}

#[component]
fn TaskLink(task: TaskView) -> impl IntoView {
    let t = use_texts();
    view! {
        <a href=format!("/history/{}", task.id) class="text-indigo-700 underline dark:text-indigo-300">
            {what_it_is(t, &task)} " · " {t.status(task.status, None)}
        </a>
    }
}
