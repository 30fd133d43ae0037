//! One task as a card: live progress with the preview, then the picture with its buttons.

use crate::{
    browser,
    components::{
        collect::CollectMenu,
        icon::{Glyph, Icon},
        mask_editor::{MaskEditor, MaskState},
        progress_bar::ProgressBar,
        star::Star,
        viewer::{OpenViewer, Quadrants, is_grid},
    },
    i18n::use_texts,
    types::{EngineKind, TaskAction, TaskStatus, TaskView},
};
use leptos::prelude::*;

/// A pressed button of a task, or the answer to the step a task waits in (its own button, with
/// a prompt, a mask or a zoom factor).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PressArgs {
    pub task_id: String,
    pub custom_id: String,
    pub prompt: Option<String>,
    pub mask: Option<String>,
    pub zoom: Option<f64>,
}

impl PressArgs {
    pub fn button(task_id: String, custom_id: String) -> Self {
        Self {
            task_id,
            custom_id,
            ..Self::default()
        }
    }
}

/// What a card can ask its page to do.
#[derive(Clone, Copy)]
pub struct CardActions {
    pub press: Callback<PressArgs>,
    pub cancel: Callback<String>,
    /// Makes a failed or cancelled task again.
    pub retry: Callback<String>,
    /// True while a request of the page is under way (buttons wait).
    pub busy: Signal<bool>,
    pub action_cost: Signal<i64>,
    /// Puts a prompt (one of a describe's or a shorten's) into the page's prompt box.
    pub use_prompt: Callback<String>,
    /// A variation of picture `n` of an OpenAI or Stable Diffusion task: (task id, n).
    pub vary: Callback<(String, u32)>,
    /// Picture `n` of a task into the prompt bar: to edit with the task's prompt and model
    /// (OpenAI, Stable Diffusion), or as a reference (MidJourney).
    pub reuse: Callback<(String, u32)>,
}

#[component]
pub fn TaskCard(
    task: Signal<TaskView>,
    now: Signal<f64>,
    actions: CardActions,
    /// Its place in its batch, and the batch's size.
    #[prop(optional, into)]
    batch: Signal<Option<(usize, usize)>>,
    /// Just made by the user: highlighted.
    #[prop(optional, into)]
    fresh: Signal<bool>,
) -> impl IntoView {
    let t = use_texts();
    let status = move || task.with(|t| t.status);
    // Drawing: queued or under way (not waiting for the user's answer).
    let working = move || matches!(status(), TaskStatus::Queued | TaskStatus::InProgress);
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
    let shows_picture = move || {
        status() == TaskStatus::Succeeded
            && task.with(|t| t.image_url.is_some() && !gives_prompts(t))
    };
    view! {
        <article
            data-testid="task-card"
            data-task-id=move || task.with(|t| t.id.clone())
            data-status=move || task.with(|t| t.status.as_str())
            class="overflow-hidden rounded-xl border border-stone-200 bg-white shadow-sm transition-shadow dark:border-stone-800 dark:bg-stone-900"
            class:ring-2=move || fresh.get()
            class:ring-indigo-500=move || fresh.get()
        >
            // The picture first: the preview while it is drawn, then the result.
            <Show when=working>
                <div class="relative aspect-square bg-gradient-to-br from-stone-100 to-stone-200 dark:from-stone-800 dark:to-stone-900">
                    {move || task.with(|tv| tv.preview_url.clone().map(|url| {
                        let src = format!("{url}?p={}", tv.progress);
                        view! { <img src=src alt="" class="absolute inset-0 h-full w-full object-cover" /> }
                    }))}
                    <div class="absolute inset-x-0 bottom-0 bg-gradient-to-t from-black/50 to-transparent p-3 text-white">
                        <Show
                            when=move || task.with(drawing)
                            fallback=move || view! { <ProgressBar value=Signal::derive(move || task.with(|t| t.progress)) label=t.progress_label /> }
                        >
                            // No percentage from the upstream: a bar that moves, and the time.
                            <div class="h-2 w-full overflow-hidden rounded bg-white/30" aria-hidden="true">
                                <div class="h-full w-1/3 animate-pulse rounded bg-white"></div>
                            </div>
                        </Show>
                    </div>
                </div>
            </Show>
            <Show when=shows_picture>
                <PictureMedia task actions />
            </Show>
            // A describe: the picture it describes.
            {move || task.with(described).map(|src| view! {
                <img src=src alt="" data-testid="described-image" class="block aspect-square w-full bg-stone-100 object-cover dark:bg-stone-800" />
            })}
            <div class="space-y-2 p-3">
                <p class="line-clamp-2 break-words text-sm" data-testid="task-prompt" class:hidden=move || task.with(wordless)>
                    // What it was drawn from: a modal step's prompt (Vary (Region), Custom Zoom)
                    // where the user changed it.
                    {move || task.with(|t| t.params.modal_prompt.clone().unwrap_or_else(|| t.prompt.clone()))}
                </p>
                <div class="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-stone-500 dark:text-stone-400">
                    <span class="rounded bg-stone-100 px-2 py-0.5 font-medium text-stone-700 dark:bg-stone-800 dark:text-stone-300" data-testid="task-action">
                        {move || task.with(|tv| what_it_is(t, tv))}
                    </span>
                    <span>{move || task.with(|tv| made_with(t, tv))}</span>
                    {move || batch.get().map(|(k, n)| view! {
                        <span class="rounded bg-indigo-50 px-2 py-0.5 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200" data-testid="batch-badge">
                            {(t.studio.batch_badge)(k, n)}
                        </span>
                    })}
                    <span>{move || (t.credits)(task.with(|t| t.cost))}</span>
                    <span class="tabular-nums">{elapsed}</span>
                    <span class="ml-auto flex items-center gap-1">
                        {
                            let (id, on) = task.with_untracked(|t| (t.id.clone(), t.favorite));
                            view! { <Star task_id=id on /> }
                        }
                    </span>
                </div>
                <CollectMenu task_id=task.with_untracked(|t| t.id.clone()) />
                <p
                    data-testid="task-status"
                    class="text-sm font-medium"
                    class:sr-only=move || status() == TaskStatus::Succeeded
                    class:text-red-700=move || status() == TaskStatus::Failed
                    class:dark:text-red-400=move || status() == TaskStatus::Failed
                >
                    {move || task.with(|tv| if drawing(tv) { t.studio.drawing.to_owned() } else { t.status(tv.status, tv.queue_position) })}
                    {move || task.with(|tv| tv.fail_reason.as_deref().map(|r| format!(": {}", t.fail_reason(r))))}
                </p>
                <Show when=working>
                    <button
                        type="button"
                        class="flex min-h-11 items-center gap-1.5 rounded-lg border border-stone-300 px-3 text-sm hover:bg-stone-100 disabled:opacity-50 md:min-h-8 dark:border-stone-700 dark:hover:bg-stone-800"
                        disabled=move || actions.busy.get()
                        on:click=move |_| actions.cancel.run(task.with_untracked(|t| t.id.clone()))
                    >
                        <Glyph icon=Icon::Stop class="h-4 w-4" />
                        {t.cancel}
                    </button>
                </Show>
                <Show when=move || matches!(status(), TaskStatus::Failed | TaskStatus::Cancelled)>
                    <button
                        type="button"
                        data-testid="retry"
                        class="flex min-h-11 items-center gap-1.5 rounded-lg bg-indigo-600 px-3 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50 md:min-h-8"
                        disabled=move || actions.busy.get()
                        on:click=move |_| actions.retry.run(task.with_untracked(|t| t.id.clone()))
                    >
                        <Glyph icon=Icon::Refresh class="h-4 w-4" />
                        {move || (t.shell.retry)(task.with(|t| t.cost))}
                    </button>
                </Show>
                <Show when=move || status() == TaskStatus::NeedsInput>
                    // Its code (and the mask editor's) loads when a task first waits for input.
                    {crate::components::later::now(move || step_input(task, actions))}
                </Show>
                <Show when=move || status() == TaskStatus::Succeeded && task.with(gives_prompts)>
                    <Prompts task actions />
                </Show>
                <Show when=shows_picture>
                    <PictureActions task actions />
                </Show>
            </div>
        </article>
    }
}

/// A button whose child may be drawn from a changed prompt (Remix).
fn remixable(b: &crate::types::Button) -> bool {
    matches!(
        b.action,
        Some(TaskAction::Variation | TaskAction::Reroll | TaskAction::Pan)
    )
}

/// The picture a describe describes, as the user gave it.
fn described(task: &TaskView) -> Option<String> {
    (task.action == TaskAction::Describe)
        .then(|| task.inputs.iter().find(|i| i.role == "describe"))
        .flatten()
        .map(|i| format!("/api/v1/uploads/{}", i.upload_id))
}

/// A blend or a describe named as MidJourney names it ("/describe"): no words of the user's.
fn wordless(task: &TaskView) -> bool {
    matches!(task.action, TaskAction::Blend | TaskAction::Describe) && task.prompt.starts_with('/')
}

/// A describe's or a shorten's answer: prompts to choose from, not a picture.
fn gives_prompts(task: &TaskView) -> bool {
    task.text.is_some() && matches!(task.action, TaskAction::Describe | TaskAction::Shorten)
}

/// A synchronous engine's task being drawn: the upstream gives no percentage until it is done.
fn drawing(task: &TaskView) -> bool {
    task.engine != EngineKind::Midjourney
        && task.status == TaskStatus::InProgress
        && task.progress == 0
}

/// What a task is: its action, and for a follow-up of one picture of a grid, which one
/// ("Upscale of picture 2").
pub fn what_it_is(t: &crate::i18n::Texts, task: &TaskView) -> String {
    let action = t.action(task.action);
    match task.from_picture {
        Some(n) => (t.shell.lineage)(action, n),
        None => action.to_owned(),
    }
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

/// The answer a task waiting in a modal step asks for, and Continue: for Vary (Region), the
/// region painted on the parent's picture (and its prompt); for Custom Zoom, its factor (1 to 2)
/// and prompt; else the prompt.
#[leptos::lazy]
fn step_input(task: Signal<TaskView>, actions: CardActions) -> AnyView {
    view! { <StepInput task actions /> }.into_any()
}

#[component]
fn StepInput(task: Signal<TaskView>, actions: CardActions) -> impl IntoView {
    let t = use_texts();
    let prompt = RwSignal::new(task.with_untracked(|t| t.prompt.clone()));
    let zoom = RwSignal::new("1.5".to_owned());
    let step = move |prefix: &str| {
        task.with(|t| {
            t.custom_id
                .as_deref()
                .is_some_and(|c| c.starts_with(prefix))
        })
    };
    let custom_zoom = move || step("MJ::CustomZoom");
    let region = move || step("MJ::Inpaint");
    let mask = MaskState::new();
    let missing = RwSignal::new(false);
    // "Paint first" goes as soon as something is painted.
    Effect::new(move || {
        if mask.draft.with(|d| d.paints_something()) {
            missing.set(false);
        }
    });
    let id = task.with_untracked(|t| t.id.clone());
    let field = format!("step-{id}");
    let zoom_field = format!("zoom-{id}");
    // The picture the region is painted on: the upscale whose button this is.
    let parent_image = Signal::derive(move || {
        task.with(|t| {
            t.parent_id
                .as_deref()
                .map(|p| format!("/api/v1/tasks/{p}/image"))
                .unwrap_or_default()
        })
    });
    view! {
        <form
            class="space-y-2"
            data-testid="step-input"
            on:submit=move |ev| {
                ev.prevent_default();
                let (task_id, custom_id) = task.with_untracked(|t| (t.id.clone(), t.custom_id.clone().unwrap_or_default()));
                let zoom = if custom_zoom() { zoom.get_untracked().parse().ok() } else { None };
                let painted = if region() {
                    let Some(url) = mask.data_url() else {
                        missing.set(true);
                        return;
                    };
                    Some(url)
                } else {
                    None
                };
                missing.set(false);
                actions.press.run(PressArgs { task_id, custom_id, prompt: Some(prompt.get_untracked()), mask: painted, zoom });
            }
        >
            <Show when=region>
                <MaskEditor image_url=parent_image state=mask id=id.clone() />
                <Show when=move || missing.get()>
                    <p role="alert" class="text-sm text-red-700 dark:text-red-400">{t.studio.mask_needed}</p>
                </Show>
            </Show>
            <Show when=custom_zoom>
                <label for=zoom_field.clone() class="block text-sm">{t.studio.zoom_label}</label>
                <div class="flex items-center gap-2">
                    <input
                        id=zoom_field.clone()
                        type="range"
                        min="1" max="2" step="0.1"
                        class="w-full"
                        data-testid="zoom-factor"
                        prop:value=move || zoom.get()
                        on:input=move |ev| zoom.set(event_target_value(&ev))
                    />
                    <span class="w-10 text-sm tabular-nums">{move || zoom.get()}</span>
                </div>
            </Show>
            <label for=field.clone() class="block text-sm">
                {move || if region() { t.studio.region_prompt } else if custom_zoom() { t.prompt_label } else { t.continue_help }}
            </label>
            <input
                id=field
                type="text"
                class="w-full rounded border border-stone-300 px-2 py-1 text-sm dark:border-stone-700 dark:bg-stone-900"
                prop:value=move || prompt.get()
                on:input=move |ev| prompt.set(event_target_value(&ev))
                required=move || !region()
                maxlength=crate::limits::PROMPT_MAX_CHARS.to_string()
            />
            <button
                type="submit"
                data-testid="step-continue"
                class="rounded bg-indigo-600 px-3 py-1 text-sm text-white hover:bg-indigo-700 disabled:opacity-50"
                disabled=move || actions.busy.get()
            >
                {t.continue_label}
            </button>
        </form>
    }
}

/// A describe's four prompts or a shorten's five, each to use in the prompt box or to imagine at
/// once (its own button of the upstream).
#[component]
fn Prompts(task: Signal<TaskView>, actions: CardActions) -> impl IntoView {
    let t = use_texts();
    let prompts = move || {
        task.with(|tv| {
            crate::prompt_flags::numbered_prompts(tv.text.as_deref().unwrap_or_default())
        })
    };
    view! {
        <ol class="space-y-3 text-sm" data-testid="task-prompts">
            {move || prompts().into_iter().enumerate().map(|(i, p)| {
                let n = i + 1;
                let button = task.with(|tv| tv.buttons.iter().find(|b| b.label == n.to_string()).cloned());
                let text = p.clone();
                view! {
                    <li class="space-y-1" data-testid="task-prompt-choice">
                        <p class="break-words"><span class="font-medium">{format!("{n}. ")}</span>{p}</p>
                        <div class="flex flex-wrap gap-2">
                            <button
                                type="button"
                                class="rounded border border-stone-300 px-2 py-1 text-xs hover:bg-stone-100 dark:border-stone-700 dark:hover:bg-stone-800"
                                on:click=move |_| actions.use_prompt.run(text.clone())
                            >
                                {t.studio.use_prompt}
                            </button>
                            {button.map(|b| {
                                let custom_id = b.custom_id.clone();
                                let cost = b.cost.unwrap_or_else(|| actions.action_cost.get_untracked());
                                view! {
                                    <button
                                        type="button"
                                        class="rounded bg-indigo-600 px-2 py-1 text-xs text-white hover:bg-indigo-500 disabled:opacity-50"
                                        disabled=move || actions.busy.get()
                                        on:click=move |_| actions.press.run(PressArgs::button(task.with_untracked(|t| t.id.clone()), custom_id.clone()))
                                    >
                                        {(t.studio.imagine_prompt)(n)}
                                        <span class="ml-1 opacity-80">{(t.credits)(cost)}</span>
                                    </button>
                                }
                            })}
                        </div>
                    </li>
                }
            }).collect_view()}
        </ol>
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
    /// Its price beside its label (false where the group says one price for all).
    #[prop(optional, into)]
    hide_cost: Signal<bool>,
    /// False for a copy of a button that is also elsewhere (out of the Tab order).
    #[prop(default = true)]
    focusable: bool,
) -> impl IntoView {
    let t = use_texts();
    // MidJourney's emoji-only buttons (reroll, the pans) get drawn icons: an emoji needs a font
    // the system may not have.
    let icon = match (button.action, button.direction.as_deref()) {
        _ if !button.label.is_empty() => None,
        (Some(TaskAction::Reroll), _) => Some(Icon::Refresh),
        (_, Some("left")) => Some(Icon::ArrowLeft),
        (_, Some("right")) => Some(Icon::ArrowRight),
        (_, Some("up")) => Some(Icon::ArrowUp),
        (_, Some("down")) => Some(Icon::ArrowDown),
        _ => None,
    };
    let label = if button.label.is_empty() {
        button.emoji.clone()
    } else {
        t.shell.button_label(&button.label).to_owned()
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
            tabindex=(!focusable).then_some("-1")
            class=FOLLOW_UP
            disabled=move || disabled.get()
            on:click=move |_| press.run(())
        >
            {match icon {
                Some(icon) => view! { <span aria-hidden="true" class="inline-flex align-[-0.125em]"><Glyph icon class="h-4 w-4" /></span> }.into_any(),
                None => view! { <span aria-hidden="true">{label}</span> }.into_any(),
            }}
            <Show when=move || !hide_cost.get()>
                <span aria-hidden="true" class="ml-1 text-xs text-stone-500">{move || cost.get()}</span>
            </Show>
        </button>
    }
}

/// The finished picture (or its several pictures): each opens in the page's viewer; a
/// MidJourney grid's quadrants show their number and their U and V on hover.
#[component]
fn PictureMedia(task: Signal<TaskView>, actions: CardActions) -> impl IntoView {
    let t = use_texts();
    let opener = OpenViewer::here();
    let open = move |n: usize| {
        if let Some(o) = opener {
            o.0.run((task.with_untracked(|t| t.id.clone()), n));
        }
    };
    let several = move || task.with(|t| t.images.len() > 1);
    let grid = move || task.with(|t| t.engine == EngineKind::Midjourney && is_grid(&t.buttons));
    let run = Callback::new(move |(task_id, custom_id): (String, String)| {
        actions.press.run(PressArgs::button(task_id, custom_id));
    });
    view! {
        <Show
            when=several
            fallback=move || view! {
                <div class="relative">
                    <button type="button" class="block w-full cursor-zoom-in" aria-label=t.shell.viewer.open on:click=move |_| open(0)>
                        <img
                            src=move || task.with(|t| t.image_url.clone().unwrap_or_default())
                            alt=move || task.with(|t| t.prompt.clone())
                            class="block w-full bg-stone-100 dark:bg-stone-800"
                            data-testid="task-image"
                        />
                    </button>
                    <Show when=grid>
                        {move || task.with(|tv| {
                            let on_click = Callback::new(move |()| open(0));
                            view! {
                                <Quadrants buttons=tv.buttons.clone() task_id=tv.id.clone() run cost=actions.action_cost busy=actions.busy on_click />
                            }
                        })}
                    </Show>
                </div>
            }
        >
            <div class="grid grid-cols-2 gap-0.5 bg-stone-200 dark:bg-stone-800">
                {move || task.with(|tv| {
                    let of = tv.images.len();
                    tv.images.iter().enumerate().map(|(i, img)| {
                        let alt = format!("{} ({})", tv.prompt, (t.studio.picture_of)(i + 1, of));
                        let src = img.thumbnail_url.clone().unwrap_or_else(|| img.url.clone());
                        view! {
                            <button type="button" class="block cursor-zoom-in" on:click=move |_| open(i)>
                                <img src=src alt=alt class="block w-full" data-testid="task-image" />
                            </button>
                        }
                    }).collect_view()
                })}
            </div>
        </Show>
    }
}

/// The finished picture's follow-ups (with Remix), download, copy and details.
#[component]
fn PictureActions(task: Signal<TaskView>, actions: CardActions) -> impl IntoView {
    let t = use_texts();
    let (copied, set_copied) = signal(false);
    let image = move || task.with(|t| t.image_url.clone().unwrap_or_default());
    let prompt = move || task.with(|t| t.prompt.clone());
    // Remix: a variation, reroll or pan asks for its prompt first.
    let remix = RwSignal::new(false);
    let remixing = RwSignal::new(None::<(String, String)>);
    let remix_prompt = RwSignal::new(String::new());
    let remix_field_id = move || format!("remix-{}", task.with_untracked(|t| t.id.clone()));
    // One price for the group when every button costs the same, else each its own: worked out
    // once per change of the task, for the hint and every button.
    let uniform = Memo::new(move |_| uniform_cost(task, actions.action_cost));
    view! {
        <Show when=move || task.with(|t| t.buttons.iter().any(remixable))>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" data-testid="remix" prop:checked=move || remix.get() on:change=move |ev| remix.set(event_target_checked(&ev)) />
                {t.studio.remix_label}
            </label>
        </Show>
        {move || {
            let hint = match uniform.get() {
                Some(c) => (t.shell.each_costs)(c),
                None => t.shell.prices_in_credits.to_owned(),
            };
            task.with(|t| !t.buttons.is_empty()).then(|| view! {
                <p class="text-xs text-stone-500 dark:text-stone-400" data-testid="credit-hint">{hint}</p>
            })
        }}
        <div class="flex flex-wrap gap-1" role="group" aria-label=t.shell.actions_group>
            <For
                each=move || task.with(|t| t.buttons.clone())
                key=|b| b.custom_id.clone()
                let:button
            >
                {
                    let custom_id = button.custom_id.clone();
                    let can_remix = remixable(&button);
                    let what = t.shell.button_label(&button.label).to_owned();
                    let press = Callback::new(move |()| {
                        if can_remix && remix.get_untracked() {
                            remix_prompt.set(task.with_untracked(|t| t.prompt.clone()));
                            remixing.set(Some((custom_id.clone(), what.clone())));
                            let field = remix_field_id();
                            request_animation_frame(move || crate::browser::focus(&field));
                        } else {
                            actions.press.run(PressArgs::button(task.with_untracked(|t| t.id.clone()), custom_id.clone()));
                        }
                    });
                    let hide_cost = Signal::derive(move || uniform.get().is_some());
                    view! { <ActionButton button cost=actions.action_cost disabled=actions.busy press hide_cost /> }
                }
            </For>
        </div>
        {move || remixing.get().map(|(custom_id, what)| {
            let field = remix_field_id();
            view! {
                <form
                    class="space-y-2"
                    data-testid="remix-form"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        remixing.set(None);
                        actions.press.run(PressArgs {
                            task_id: task.with_untracked(|t| t.id.clone()),
                            custom_id: custom_id.clone(),
                            prompt: Some(remix_prompt.get_untracked()),
                            ..PressArgs::default()
                        });
                    }
                >
                    <label for=field.clone() class="block text-sm">{(t.studio.remix_prompt)(&what)}</label>
                    <input
                        id=field
                        type="text"
                        required
                        maxlength=crate::limits::PROMPT_MAX_CHARS.to_string()
                        class="w-full rounded border border-stone-300 px-2 py-1 text-sm dark:border-stone-700 dark:bg-stone-900"
                        prop:value=move || remix_prompt.get()
                        on:input=move |ev| remix_prompt.set(event_target_value(&ev))
                    />
                    <div class="flex gap-2">
                        <button type="submit" class="rounded bg-indigo-600 px-3 py-1 text-sm text-white hover:bg-indigo-700 disabled:opacity-50" disabled=move || actions.busy.get()>
                            {t.studio.remix_send}
                        </button>
                        <button type="button" class="rounded border border-stone-300 px-3 py-1 text-sm dark:border-stone-700" on:click=move |_| remixing.set(None)>
                            {t.cancel}
                        </button>
                    </div>
                </form>
            }
        })}
        {move || task.with(|tv| follow_ups(tv, actions))}
        <div class="flex flex-wrap gap-1 text-sm">
            <a href=image download class=LINK>
                <Glyph icon=Icon::Download class="h-4 w-4" />{t.download}
            </a>
            <button
                type="button"
                class=LINK
                on:click=move |_| {
                    browser::copy_text(&prompt());
                    set_copied.set(true);
                }
            >
                <Glyph icon=Icon::Copy class="h-4 w-4" />
                {move || if copied.get() { t.copied } else { t.copy_prompt }}
            </button>
            <a href=move || format!("/history/{}", task.with(|t| t.id.clone())) class=LINK>
                <Glyph icon=Icon::Info class="h-4 w-4" />{t.details}
            </a>
        </div>
    }
}

/// The follow-ups every engine's pictures have beside the engine's own buttons: an OpenAI or
/// Stable Diffusion picture's variation (priced as one picture of the task) and edit in the
/// prompt bar; a MidJourney picture as a reference of a new prompt. A task of several pictures
/// gets one button per picture, numbered as the pictures are.
fn follow_ups(task: &TaskView, actions: CardActions) -> impl IntoView + use<> {
    let t = use_texts();
    let id = task.id.clone();
    let button =
        move |icon: Icon, label: String, name: String, n: u32, run: Callback<(String, u32)>| {
            let id = id.clone();
            view! {
                <button
                    type="button"
                    class=format!("flex items-center justify-center gap-1 {FOLLOW_UP}")
                    aria-label=name
                    disabled=move || actions.busy.get()
                    on:click=move |_| run.run((id.clone(), n))
                >
                    <Glyph icon class="h-4 w-4" />
                    <span aria-hidden="true">{label}</span>
                </button>
            }
        };
    if task.engine == EngineKind::Midjourney {
        let name = t.studio.use_as_reference.to_owned();
        return view! {
            <div class="flex flex-wrap gap-1" data-testid="follow-ups">
                {button(Icon::Image, name.clone(), name, 0, actions.reuse)}
            </div>
        }
        .into_any();
    }
    let pictures = task.images.len().max(1);
    let each = task.cost / pictures as i64;
    // One row per follow-up: its name, then a button per picture (or one for the picture).
    let row =
        move |icon: Icon, what: &'static str, cost: Option<i64>, run: Callback<(String, u32)>| {
            let name = move |n: Option<u8>| match cost {
                Some(c) => (t.button_name)(what, n, c),
                None => match n {
                    Some(n) => format!(
                        "{what} · {}",
                        (t.studio.picture_of)(usize::from(n), pictures)
                    ),
                    None => what.to_owned(),
                },
            };
            if pictures == 1 {
                let label = match cost {
                    Some(c) => format!("{what} · {}", (t.credits)(c)),
                    None => what.to_owned(),
                };
                return button(icon, label, name(None), 0, run).into_any();
            }
            view! {
                <span class="flex items-center gap-1 text-sm text-stone-600 dark:text-stone-400">
                    <Glyph icon class="h-4 w-4" />{what}
                    {cost.map(|c| view! { <span class="text-xs">{(t.shell.each_costs)(c)}</span> })}
                </span>
                {(0..pictures).map(|i| {
                    let n = u8::try_from(i + 1).unwrap_or(u8::MAX);
                    button(Icon::Square, n.to_string(), name(Some(n)), i as u32, run)
                }).collect_view()}
            }
            .into_any()
        };
    view! {
        <div class="flex flex-wrap items-center gap-1" role="group" aria-label=t.studio.follow_ups data-testid="follow-ups">
            {row(Icon::Wand, t.studio.vary, Some(each), actions.vary)}
        </div>
        <div class="flex flex-wrap items-center gap-1" role="group" aria-label=t.studio.follow_ups>
            {row(Icon::Brush, t.studio.edit_in_bar, None, actions.reuse)}
        </div>
    }
    .into_any()
}

/// The price every button of a task has, when they all have the same.
fn uniform_cost(task: Signal<TaskView>, default: Signal<i64>) -> Option<i64> {
    let fallback = default.get();
    task.with(|t| {
        let mut costs = t.buttons.iter().map(|b| b.cost.unwrap_or(fallback));
        let first = costs.next()?;
        costs.all(|c| c == first).then_some(first)
    })
}

/// A follow-up button of a picture (the engine's own, and Vary, Edit, Use as reference).
const FOLLOW_UP: &str = "min-h-11 min-w-11 rounded-lg bg-stone-100 px-2 text-sm font-medium hover:bg-indigo-100 disabled:opacity-50 md:min-h-8 md:min-w-9 dark:bg-stone-800 dark:hover:bg-indigo-900";

/// A quiet link or button under a picture: an icon and a word.
const LINK: &str = "flex min-h-11 items-center gap-1 rounded px-2 text-stone-600 hover:bg-stone-100 hover:text-stone-900 md:min-h-8 dark:text-stone-400 dark:hover:bg-stone-800 dark:hover:text-stone-100";
