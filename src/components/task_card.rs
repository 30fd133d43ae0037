//! One task as a card: live progress with the preview, then the picture with its buttons.

use crate::{
    browser,
    components::progress_bar::ProgressBar,
    i18n::use_texts,
    types::{EngineKind, TaskStatus, TaskView},
};
use leptos::prelude::*;

/// What a card can ask its page to do.
#[derive(Clone, Copy)]
pub struct CardActions {
    /// (task id, custom_id, prompt) of a pressed button (the prompt answers a step the task
    /// waits in).
    pub press: Callback<(String, String, Option<String>)>,
    pub cancel: Callback<String>,
    /// True while a request of the page is under way (buttons wait).
    pub busy: Signal<bool>,
    pub action_cost: Signal<i64>,
}

#[component]
pub fn TaskCard(task: Signal<TaskView>, now: Signal<f64>, actions: CardActions) -> impl IntoView {
    let t = use_texts();
    let status = move || task.with(|t| t.status);
    let live = move || task.with(TaskView::is_live);
    let elapsed = move || {
        task.with(|tv| {
            let start = browser::parse_ms(&tv.created_at)?;
            let end = tv
                .finished_at
                .as_deref()
                .and_then(browser::parse_ms)
                .unwrap_or_else(|| now.get());
            Some((t.elapsed)(((end - start) / 1000.0).max(0.0) as i64))
        })
    };
    view! {
        <article
            data-testid="task-card"
            data-task-id=move || task.with(|t| t.id.clone())
            data-status=move || task.with(|t| t.status.as_str())
            class="overflow-hidden rounded-lg border border-stone-200 bg-white shadow-sm dark:border-stone-800 dark:bg-stone-900"
        >
            <div class="space-y-3 p-4">
                <div class="flex flex-wrap items-center gap-2 text-xs text-stone-500 dark:text-stone-400">
                    <span class="rounded bg-stone-100 px-2 py-0.5 font-medium dark:bg-stone-800">
                        {move || t.action(task.with(|t| t.action))}
                    </span>
                    <span>{move || task.with(|tv| made_with(t, tv))}</span>
                    <span>{move || (t.credits)(task.with(|t| t.cost))}</span>
                    <span class="ml-auto tabular-nums">{elapsed}</span>
                </div>
                <p class="line-clamp-3 break-words text-sm" data-testid="task-prompt">
                    {move || task.with(|t| t.prompt.clone())}
                </p>
                <p
                    data-testid="task-status"
                    class="text-sm font-medium"
                    class:text-red-700=move || status() == TaskStatus::Failed
                    class:dark:text-red-400=move || status() == TaskStatus::Failed
                >
                    {move || task.with(|tv| if drawing(tv) { t.studio.drawing.to_owned() } else { t.status(tv.status, tv.queue_position) })}
                    {move || task.with(|tv| tv.fail_reason.clone().map(|r| format!(": {r}")))}
                </p>
                <Show when=live>
                    <Show
                        when=move || task.with(drawing)
                        fallback=move || view! { <ProgressBar value=Signal::derive(move || task.with(|t| t.progress)) label=t.progress_label /> }
                    >
                        // No percentage from the upstream: a bar that moves, and the time above.
                        <div class="h-2 w-full overflow-hidden rounded bg-stone-200 dark:bg-stone-800" aria-hidden="true">
                            <div class="h-full w-1/3 animate-pulse rounded bg-indigo-500"></div>
                        </div>
                    </Show>
                    {move || task.with(|tv| tv.preview_url.clone().map(|url| {
                        let src = format!("{url}?p={}", tv.progress);
                        view! { <img src=src alt="" class="w-full rounded bg-stone-100 dark:bg-stone-800" /> }
                    }))}
                    <button
                        type="button"
                        class="rounded border border-stone-300 px-3 py-1 text-sm hover:bg-stone-100 disabled:opacity-50 dark:border-stone-700 dark:hover:bg-stone-800"
                        disabled=move || actions.busy.get()
                        on:click=move |_| actions.cancel.run(task.with_untracked(|t| t.id.clone()))
                    >
                        {t.cancel}
                    </button>
                </Show>
                <Show when=move || status() == TaskStatus::NeedsInput>
                    <StepInput task actions />
                </Show>
                <Show when=move || status() == TaskStatus::Succeeded>
                    <Picture task actions />
                </Show>
            </div>
        </article>
    }
}

/// A synchronous engine's task being drawn: the upstream gives no percentage until it is done.
fn drawing(task: &TaskView) -> bool {
    task.engine != EngineKind::Midjourney
        && task.status == TaskStatus::InProgress
        && task.progress == 0
}

/// What made it: midjourney's mode, or the model (and how many pictures).
pub fn made_with(t: &crate::i18n::Texts, task: &TaskView) -> String {
    match (task.engine, task.model.as_deref()) {
        (EngineKind::Midjourney, _) | (_, None) => t.mode(task.mode).to_owned(),
        (_, Some(model)) => match task.params.n {
            Some(n) if n > 1 => format!("{} × {n}", short_model(task.engine, model)),
            _ => short_model(task.engine, model).to_owned(),
        },
    }
}

/// A model as people name it: a Stable Diffusion checkpoint without its file's extension and
/// hash (`dreamshaper_8.safetensors [879db523c3]` is `dreamshaper_8`).
pub fn short_model(engine: EngineKind, model: &str) -> &str {
    if engine != EngineKind::SdWebui {
        return model;
    }
    let name = model.split(" [").next().unwrap_or(model);
    [".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(name)
}

/// The prompt a task waiting in a modal step asks for (a custom zoom, say), and Continue.
#[component]
fn StepInput(task: Signal<TaskView>, actions: CardActions) -> impl IntoView {
    let t = use_texts();
    let prompt = RwSignal::new(task.with_untracked(|t| t.prompt.clone()));
    let field = move || format!("step-{}", task.with(|t| t.id.clone()));
    view! {
        <form
            class="space-y-2"
            on:submit=move |ev| {
                ev.prevent_default();
                let (id, custom_id) = task.with_untracked(|t| (t.id.clone(), t.custom_id.clone().unwrap_or_default()));
                actions.press.run((id, custom_id, Some(prompt.get_untracked())));
            }
        >
            <label for=field class="block text-sm">{t.continue_help}</label>
            <input
                id=field
                type="text"
                class="w-full rounded border border-stone-300 px-2 py-1 text-sm dark:border-stone-700 dark:bg-stone-900"
                prop:value=move || prompt.get()
                on:input=move |ev| prompt.set(event_target_value(&ev))
                required
                maxlength=crate::limits::PROMPT_MAX_CHARS.to_string()
            />
            <button
                type="submit"
                class="rounded bg-indigo-600 px-3 py-1 text-sm text-white hover:bg-indigo-700 disabled:opacity-50"
                disabled=move || actions.busy.get()
            >
                {t.continue_label}
            </button>
        </form>
    }
}

/// A follow-up button: its short label and price on screen, and in words for screen readers
/// ("Upscale picture 1, 2 credits" rather than "U12").
#[component]
pub fn ActionButton(
    button: crate::types::Button,
    cost: Signal<i64>,
    disabled: Signal<bool>,
    press: Callback<()>,
) -> impl IntoView {
    let t = use_texts();
    let label = if button.label.is_empty() {
        button.emoji.clone()
    } else {
        button.label.clone()
    };
    // Said the way a person would: "Upscale picture 1", "Pan left", "Vary (Strong)", "Reroll".
    let direction = button.direction.as_deref().and_then(|d| {
        let i = ["left", "right", "up", "down"]
            .iter()
            .position(|x| *x == d)?;
        Some(t.directions[i])
    });
    let what = match (button.action, direction) {
        (Some(a), Some(d)) => format!("{} {d}", t.action(a)),
        (Some(a), None) if button.index.is_some() || button.label.is_empty() => {
            t.action(a).to_owned()
        }
        _ => label.clone(),
    };
    let index = button.index;
    // Its own price where the server said it; else the page's price of a follow-up.
    let own = button.cost;
    let cost = Signal::derive(move || own.unwrap_or_else(|| cost.get()));
    let name = move || (t.button_name)(&what, index, cost.get());
    view! {
        <button
            type="button"
            aria-label=name
            class="rounded bg-stone-100 px-2 py-1 text-sm hover:bg-indigo-100 disabled:opacity-50 dark:bg-stone-800 dark:hover:bg-indigo-900"
            disabled=move || disabled.get()
            on:click=move |_| press.run(())
        >
            <span aria-hidden="true">{label}</span>
            <span aria-hidden="true" class="ml-1 text-xs text-stone-500">{move || cost.get()}</span>
        </button>
    }
}

/// The finished picture: opens large on click, with its buttons, download and copy.
#[component]
fn Picture(task: Signal<TaskView>, actions: CardActions) -> impl IntoView {
    let t = use_texts();
    let (open, set_open) = signal(false);
    let (copied, set_copied) = signal(false);
    let image = move || task.with(|t| t.image_url.clone().unwrap_or_default());
    let prompt = move || task.with(|t| t.prompt.clone());
    let several = move || task.with(|t| t.images.len() > 1);
    view! {
        <Show
            when=several
            fallback=move || view! {
                <button type="button" class="block w-full" on:click=move |_| set_open.set(true)>
                    <img src=image alt=prompt class="w-full rounded" data-testid="task-image" />
                </button>
            }
        >
            <div class="grid grid-cols-2 gap-1">
                {move || task.with(|tv| {
                    let of = tv.images.len();
                    tv.images.iter().enumerate().map(|(i, img)| {
                        let alt = format!("{} ({})", tv.prompt, (t.studio.picture_of)(i + 1, of));
                        let src = img.thumbnail_url.clone().unwrap_or_else(|| img.url.clone());
                        view! {
                            <a href=img.url.clone() target="_blank" rel="noopener" class="block">
                                <img src=src alt=alt class="w-full rounded" data-testid="task-image" />
                            </a>
                        }
                    }).collect_view()
                })}
            </div>
        </Show>
        <Show when=move || open.get()>
            <div
                role="dialog"
                aria-modal="true"
                class="fixed inset-0 z-50 flex items-center justify-center bg-black/80 p-4"
                on:click=move |_| set_open.set(false)
            >
                <img src=image alt=prompt class="max-h-full max-w-full rounded" />
                <button type="button" class="absolute right-4 top-4 rounded bg-white/90 px-3 py-1 text-sm text-stone-900">
                    {t.close}
                </button>
            </div>
        </Show>
        <div class="flex flex-wrap gap-1" role="group" aria-label="Actions">
            <For
                each=move || task.with(|t| t.buttons.clone())
                key=|b| b.custom_id.clone()
                let:button
            >
                {
                    let custom_id = button.custom_id.clone();
                    let press = Callback::new(move |()| {
                        actions.press.run((task.with_untracked(|t| t.id.clone()), custom_id.clone(), None))
                    });
                    view! { <ActionButton button cost=actions.action_cost disabled=actions.busy press /> }
                }
            </For>
        </div>
        <div class="flex flex-wrap gap-3 text-sm">
            <a href=image download class="text-indigo-700 underline dark:text-indigo-300">{t.download}</a>
            <button
                type="button"
                class="text-indigo-700 underline dark:text-indigo-300"
                on:click=move |_| {
                    browser::copy_text(&prompt());
                    set_copied.set(true);
                }
            >
                {move || if copied.get() { t.copied } else { t.copy_prompt }}
            </button>
            <a href=move || format!("/history/{}", task.with(|t| t.id.clone())) class="text-indigo-700 underline dark:text-indigo-300">
                {t.details}
            </a>
        </div>
    }
}
