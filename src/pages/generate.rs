//! `/`: where a prompt becomes a picture. The form, the cost and balance, and a live card per task,
//! kept fresh by polling one server function (never the upstream) while anything is live.

use crate::codec::page_data;
use crate::components::icon::{Glyph, Icon};
use crate::components::page_title::PageTitle;
use crate::{
    components::{
        image_inputs::{Given, ImageInputs, form_value, give},
        later::{later, loader},
        mask_editor::{MaskEditor, MaskState},
        post_form::PostForm,
        task_card::{CardActions, PressArgs, TaskCard},
        templates::{Picking, TemplatePicker},
        viewer::{OpenViewer, Viewer, shots_of},
    },
    error::AppError,
    i18n::{Texts, use_texts},
    prompt_flags::set_flag,
    server_fns::tasks::{
        SubmitTask, cancel_task, load_generate, press_button, retry_task, vary_task,
    },
    session::use_balance,
    types::{
        EngineKind, EngineOffer, GenerateState, Mode, ModeView, ModelOffer, TaskAction,
        TaskUpdates, TaskView, TemplateView, UploadedImage,
    },
};
use leptos::{html, prelude::*};

#[component]
pub fn GeneratePage() -> impl IntoView {
    let t = use_texts();
    let state = page_data(|| (), |_| load_generate());
    view! {
        <PageTitle text=t.generate_title />
        <h1 class="sr-only">{t.generate_title}</h1>
        <Suspense>
            {move || Suspend::new(async move {
                match state.await {
                    Ok(s) => view! { <Studio initial=s /> }.into_any(),
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Studio(initial: GenerateState) -> impl IntoView {
    let t = use_texts();
    let balance = use_balance().0;
    balance.set(Some(initial.balance));
    let tasks = RwSignal::new(initial.tasks.clone());
    let error = RwSignal::new(None::<AppError>);
    let now = RwSignal::new(crate::browser::now_ms());
    // A prompt chosen for the prompt box: a describe's "use this prompt" (to imagine with
    // MidJourney: true) or an example of the empty page (false).
    let chosen_prompt = RwSignal::new(None::<(String, bool)>);
    // The newest task a submit or a follow-up made: scrolled into view and highlighted.
    let fresh = RwSignal::new(None::<String>);
    Effect::new(move || {
        if let Some(id) = fresh.get() {
            let selector = format!("[data-task-id=\"{id}\"]");
            request_animation_frame(move || crate::browser::scroll_to(&selector));
        }
    });

    let apply = move |u: TaskUpdates| {
        balance.set(Some(u.balance));
        tasks.update(|list| {
            // New tasks go on top in the order given (a batch's in the order of its prompts).
            let mut new = Vec::new();
            for fresh in u.tasks {
                match list.iter_mut().find(|x| x.id == fresh.id) {
                    Some(old) => *old = fresh,
                    None => new.push(fresh),
                }
            }
            if let Some(first) = new.first() {
                fresh.set(Some(first.id.clone()));
            }
            list.splice(0..0, new);
        });
    };
    let press = Action::new(move |p: &PressArgs| {
        press_button(
            p.task_id.clone(),
            p.custom_id.clone(),
            p.prompt.clone(),
            p.mask.clone(),
            p.zoom,
        )
    });
    let cancel = Action::new(move |id: &String| cancel_task(id.clone()));
    let retry = Action::new(move |id: &String| retry_task(id.clone()));
    let vary = Action::new(move |(id, n): &(String, u32)| vary_task(id.clone(), *n));
    let submit = ServerAction::<SubmitTask>::new();
    let values = [
        submit.value(),
        press.value(),
        cancel.value(),
        retry.value(),
        vary.value(),
    ];
    for value in values {
        Effect::new(move || match value.get() {
            Some(Ok(u)) => {
                error.set(None);
                apply(u);
            }
            Some(Err(e)) => error.set(Some(e)),
            None => {}
        });
    }
    start_polling(tasks, now, apply);
    // A picture of the feed into the bar (to edit, or as a reference): a new upload of the
    // user's, made from it on the server.
    let chosen_picture = RwSignal::new(None::<(TaskView, UploadedImage)>);
    let reusing = Action::new(move |(id, n): &(String, u32)| {
        let id = id.clone();
        let n = *n;
        async move {
            let upload = crate::server_fns::uploads::reference_from_task(id.clone(), n).await;
            (id, upload)
        }
    });
    Effect::new(move || match reusing.value().get() {
        Some((id, Ok(upload))) => {
            error.set(None);
            if let Some(task) = tasks.with_untracked(|ts| ts.iter().find(|x| x.id == id).cloned()) {
                chosen_picture.set(Some((task, upload)));
            }
        }
        Some((_, Err(e))) => error.set(Some(e)),
        None => {}
    });

    let busy = Signal::derive(move || {
        press.pending().get()
            || cancel.pending().get()
            || retry.pending().get()
            || vary.pending().get()
            || reusing.pending().get()
    });
    let actions = CardActions {
        press: Callback::new(move |p| {
            press.dispatch(p);
        }),
        cancel: Callback::new(move |id| {
            cancel.dispatch(id);
        }),
        retry: Callback::new(move |id| {
            retry.dispatch(id);
        }),
        busy,
        action_cost: Signal::stored(initial.action_cost),
        use_prompt: Callback::new(move |p: String| {
            chosen_prompt.set(Some((p, true)));
        }),
        vary: Callback::new(move |picture| {
            vary.dispatch(picture);
        }),
        reuse: Callback::new(move |picture| {
            reusing.dispatch(picture);
        }),
    };
    // The viewer: every finished picture of the feed, newest first.
    let shots = Memo::new(move |_| {
        tasks.with(|ts| ts.iter().flat_map(|x| shots_of(t, x)).collect::<Vec<_>>())
    });
    let viewing = RwSignal::new(None::<usize>);
    provide_context(OpenViewer::over(shots.into(), viewing));
    let press_in_viewer = Callback::new(move |(task_id, custom_id): (String, String)| {
        press.dispatch(PressArgs::button(task_id, custom_id));
    });
    view! {
        <Viewer shots=shots.into() open=viewing press=press_in_viewer action_cost=initial.action_cost />
        // Room under the feed for the bar docked at the bottom of a phone's screen.
        <div class="space-y-6 pb-64 md:pb-0">
            <PromptForm initial=initial.clone() submit error chosen_prompt chosen_picture />
            <section aria-labelledby="tasks-heading">
                <h2 id="tasks-heading" class="mb-3 text-lg font-semibold">{t.your_tasks}</h2>
                <Show when=move || tasks.with(Vec::is_empty)>
                    <EmptyFeed chosen_prompt />
                </Show>
                <div class="grid items-start gap-4 sm:grid-cols-2 xl:grid-cols-3">
                    <For each=move || tasks.with(|ts| ts.iter().map(|t| t.id.clone()).collect::<Vec<_>>()) key=|id| id.clone() let:id>
                        {
                            let card_id = id.clone();
                            let fresh_id = id.clone();
                            let task = Signal::derive(move || {
                                tasks.with(|ts| ts.iter().find(|x| x.id == card_id).cloned()).unwrap_or_else(|| TaskView::placeholder(&card_id))
                            });
                            let is_fresh = Signal::derive(move || fresh.with(|f| f.as_deref() == Some(fresh_id.as_str())));
                            let batch = Signal::derive(move || tasks.with(|ts| batch_place(ts, &id)));
                            view! { <TaskCard task now=now.into() actions batch fresh=is_fresh /> }
                        }
                    </For>
                </div>
            </section>
        </div>
    }
}

/// The feed of a user with no pictures yet: what to do, and example prompts that fill the bar.
#[component]
fn EmptyFeed(chosen_prompt: RwSignal<Option<(String, bool)>>) -> impl IntoView {
    let t = use_texts();
    let s = t.shell;
    view! {
        <div class="rounded-xl border border-dashed border-stone-300 p-6 dark:border-stone-700" data-testid="empty-feed">
            <p class="font-medium">{s.empty_title}</p>
            <p class="mt-1 text-sm text-stone-600 dark:text-stone-400">{s.empty_help}</p>
            <ul class="mt-4 grid gap-2 sm:grid-cols-2">
                {s.examples.iter().map(|example| view! {
                    <li>
                        <button
                            type="button"
                            class="flex min-h-11 w-full items-start gap-2 rounded-lg border border-stone-200 bg-white px-3 py-2 text-left text-sm hover:border-indigo-400 hover:bg-indigo-50 dark:border-stone-800 dark:bg-stone-900 dark:hover:bg-indigo-950"
                            title=s.try_example
                            on:click=move |_| chosen_prompt.set(Some(((*example).to_owned(), false)))
                        >
                            <span class="mt-0.5 text-indigo-600 dark:text-indigo-300"><Glyph icon=Icon::Sparkles class="h-4 w-4" /></span>
                            <span>{*example}</span>
                        </button>
                    </li>
                }).collect_view()}
            </ul>
        </div>
    }
}

/// A task's place in its batch among the page's tasks (first, second...), and the batch's size.
fn batch_place(tasks: &[TaskView], id: &str) -> Option<(usize, usize)> {
    let batch = tasks.iter().find(|t| t.id == id)?.batch_id.as_deref()?;
    let members: Vec<&str> = tasks
        .iter()
        .filter(|t| t.batch_id.as_deref() == Some(batch))
        .map(|t| t.id.as_str())
        .collect();
    let k = members.iter().position(|m| *m == id)?;
    Some((k + 1, members.len()))
}

/// About once a second, while any task is live and the tab is visible, asks for news of the live
/// tasks. Stops when the page goes away.
fn start_polling(
    tasks: RwSignal<Vec<TaskView>>,
    now: RwSignal<f64>,
    apply: impl Fn(TaskUpdates) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        use std::sync::{
            Arc,
            atomic::{AtomicBool, Ordering},
        };
        let alive = Arc::new(AtomicBool::new(true));
        let flag = alive.clone();
        on_cleanup(move || flag.store(false, Ordering::Relaxed));
        leptos::task::spawn_local(async move {
            while alive.load(Ordering::Relaxed) {
                gloo_timers::future::TimeoutFuture::new(1_000).await;
                if !alive.load(Ordering::Relaxed) || crate::browser::page_hidden() {
                    continue;
                }
                now.set(crate::browser::now_ms());
                let ids: Vec<String> = tasks.with_untracked(|ts| {
                    ts.iter()
                        .filter(|t| t.is_live())
                        .map(|t| t.id.clone())
                        .collect()
                });
                if ids.is_empty() {
                    continue;
                }
                if let Ok(u) = crate::server_fns::tasks::poll_tasks(ids).await {
                    apply(u);
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (tasks, now, apply);
}

const PRESETS: [&str; 7] = ["1:1", "3:2", "2:3", "16:9", "9:16", "4:3", "3:4"];
const VERSIONS: [(&str, &str); 4] = [
    ("--v 7", "v7"),
    ("--v 6.1", "v6.1"),
    ("--niji 6", "niji 6"),
    ("--v 5.2", "v5.2"),
];

#[component]
fn PromptForm(
    initial: GenerateState,
    submit: ServerAction<SubmitTask>,
    error: RwSignal<Option<AppError>>,
    chosen_prompt: RwSignal<Option<(String, bool)>>,
    /// A picture of the feed to edit (OpenAI, Stable Diffusion: with its task's prompt and
    /// model) or to draw from (MidJourney: a reference).
    chosen_picture: RwSignal<Option<(TaskView, UploadedImage)>>,
) -> impl IntoView {
    let t = use_texts();
    let balance = use_balance().0;
    let modes: Vec<_> = initial
        .modes
        .iter()
        .filter(|m| m.enabled)
        .cloned()
        .collect();
    let first = modes
        .iter()
        .find(|m| m.mode == Mode::Fast)
        .or(modes.first())
        .map(|m| m.mode);
    let mode = RwSignal::new(first);
    // The engines a user can pick: midjourney whenever the page has modes (as before engines
    // had offers), the others when enabled with an enabled model.
    let offered: Vec<EngineOffer> = initial
        .engines
        .iter()
        .filter(|e| {
            e.enabled
                && match e.kind {
                    EngineKind::Midjourney => !modes.is_empty(),
                    _ => e.models.iter().flatten().any(|m| m.enabled),
                }
        })
        .cloned()
        .collect();
    let kinds: Vec<EngineKind> = offered.iter().map(|e| e.kind).collect();
    let engine = RwSignal::new(kinds.first().copied().unwrap_or(EngineKind::Midjourney));
    let models: Vec<ModelOffer> = offered
        .iter()
        .find(|e| e.kind == EngineKind::Openai)
        .and_then(|e| e.models.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.enabled)
        .collect();
    let choice = OpenAiChoice::new(models);
    let sd_offer = offered.iter().find(|e| e.kind == EngineKind::SdWebui);
    let sd = SdChoice::new(
        sd_offer
            .and_then(|e| e.models.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.enabled)
            .collect(),
        sd_offer
            .and_then(|e| e.samplers.clone())
            .unwrap_or_default(),
    );
    let prompt = RwSignal::new(String::new());
    let mj_action = RwSignal::new(TaskAction::Imagine);
    // A card's "use this prompt": into the box, to imagine.
    Effect::new(move || {
        if let Some((p, midjourney)) = chosen_prompt.get() {
            prompt.set(p);
            mj_action.set(TaskAction::Imagine);
            if midjourney {
                engine.set(EngineKind::Midjourney);
            }
            chosen_prompt.set(None);
            crate::browser::focus("prompt");
        }
    });
    // Midjourney: what to do (imagine, blend, describe, shorten), with which pictures.
    let images = RwSignal::new(Vec::<Given>::new());
    let dimensions = RwSignal::new("square".to_owned());
    let (sw, cw) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let costs = modes.clone();
    let action_costs = initial.action_costs.clone();
    let cost = Signal::derive(move || match engine.get() {
        EngineKind::Openai => choice.cost(),
        EngineKind::SdWebui => sd.cost(),
        EngineKind::Midjourney => match mj_action.get() {
            TaskAction::Describe => action_costs
                .get("describe")
                .copied()
                .unwrap_or(initial.action_cost),
            TaskAction::Shorten => action_costs
                .get("shorten")
                .copied()
                .unwrap_or(initial.action_cost),
            _ => {
                let m = mode.get();
                costs
                    .iter()
                    .find(|c| Some(c.mode) == m)
                    .map_or(0, |c| c.cost)
            }
        },
    });
    // How many pictures the action takes.
    let wanted = move || match (engine.get(), mj_action.get()) {
        (EngineKind::Midjourney, TaskAction::Blend) => Some((2, 5)),
        (EngineKind::Midjourney, TaskAction::Describe) => Some((1, 1)),
        (EngineKind::Midjourney, _) => None,
        // The other engines edit one picture, or draw from words alone.
        _ => Some((0, 1)),
    };
    let roles = Signal::derive(move || match (engine.get(), mj_action.get()) {
        (EngineKind::Openai | EngineKind::SdWebui, _) => vec!["edit"],
        (_, TaskAction::Blend) => vec!["blend"],
        (_, TaskAction::Describe) => vec!["describe"],
        _ => vec!["reference", "sref", "cref"],
    });
    // An edit (OpenAI, Stable Diffusion): the picture given, the region painted on it, and
    // (Stable Diffusion) how far to stray from it.
    let editing = move || engine.get() != EngineKind::Midjourney && images.with(|v| !v.is_empty());
    let edit_image = Signal::derive(move || {
        images.with(|v| v.first().map(|g| g.upload.url.clone()).unwrap_or_default())
    });
    let mask = MaskState::new();
    let strength = RwSignal::new("0.75".to_owned());
    // A new picture to edit: a new region to paint.
    Effect::new(move || {
        edit_image.track();
        mask.draft.set(Default::default());
    });
    // A card's "Edit" or "Use as reference": the bar takes the picture (an edit takes one), and
    // for an edit the task's engine, model and prompt.
    Effect::new(move || {
        let Some((task, upload)) = chosen_picture.get() else {
            return;
        };
        chosen_picture.set(None);
        engine.set(task.engine);
        match task.engine {
            EngineKind::Midjourney => mj_action.set(TaskAction::Imagine),
            kind => {
                if let Some(model) = task.model.clone() {
                    match kind {
                        EngineKind::Openai => choice.choose(model),
                        _ => sd.model.set(Some(model)),
                    }
                }
                prompt.set(task.prompt.clone());
                images.set(Vec::new());
            }
        }
        give(images, roles, upload);
        // Once the bar has redrawn for the engine and the picture.
        request_animation_frame(|| crate::browser::focus("prompt"));
    });
    // "Use as reference" from a task's page: the Generate page starts with that picture.
    let query = leptos_router::hooks::use_query_map();
    Effect::new(move || {
        let Some(id) = query.with(|q| q.get("reference")) else {
            return;
        };
        if images.with_untracked(|v| v.iter().any(|g| g.upload.id == id)) {
            return;
        }
        leptos::task::spawn_local(async move {
            match crate::server_fns::uploads::my_upload(id).await {
                Ok(upload) => give(images, roles, upload),
                Err(e) => error.set(Some(e)),
            }
        });
    });
    // A batch: one prompt per line, each expanded by its permutations, shown before a charge.
    let batch = RwSignal::new(false);
    let batch_max = u64::try_from(initial.batch_max).unwrap_or(0);
    let batchable = move || match engine.get() {
        EngineKind::Midjourney => mj_action.get() == TaskAction::Imagine,
        _ => !editing(),
    };
    let batch_list = Signal::derive(move || {
        (batch.get() && batchable()).then(|| {
            let lines: Vec<String> = prompt.with(|p| p.lines().map(str::to_owned).collect());
            crate::permutations::batch_prompts(&lines, batch_max)
        })
    });
    // The price of this submit: the task's, times the batch's tasks.
    let total = Signal::derive(move || match batch_list.get() {
        Some(Ok(v)) => cost.get().saturating_mul(v.len() as i64),
        _ => cost.get(),
    });
    let have = Signal::derive(move || balance.get().unwrap_or(initial.balance));
    let (enabled, pending) = (initial.enabled, initial.pending);
    let picked = move || match engine.get() {
        EngineKind::Openai => choice.model.get().is_some(),
        EngineKind::Midjourney => mode.get().is_some(),
        EngineKind::SdWebui => sd.model.get().is_some(),
    };
    let blocked = move || {
        let needs_words = !matches!(
            (engine.get(), mj_action.get()),
            (
                EngineKind::Midjourney,
                TaskAction::Blend | TaskAction::Describe
            )
        );
        if let Some((min, max)) = wanted() {
            let n = images.with(Vec::len);
            if n < min || n > max {
                return Some((t.studio.reason_images)(min.max(1), max));
            }
        }
        if let Some(Err(rule)) = batch_list.get() {
            return Some(t.rule(&rule));
        }
        blocked_reason(
            t,
            enabled,
            pending,
            if needs_words {
                prompt.get()
            } else {
                "-".to_owned()
            }
            .as_str(),
            total.get(),
            have.get(),
            picked(),
        )
    };
    let form = NodeRef::<html::Form>::new();
    let flag_set = Callback::new(
        move |(remove, add): (&'static [&'static str], Option<String>)| {
            prompt.update(|p| *p = set_flag(p, remove, add.as_deref()));
        },
    );
    let args = move || {
        let kind = engine.get_untracked();
        // A blend or a describe takes pictures, not words: the box's words stay out of it.
        let wordless = kind == EngineKind::Midjourney
            && matches!(
                mj_action.get_untracked(),
                TaskAction::Blend | TaskAction::Describe
            );
        let mut args = SubmitTask {
            prompt: if wordless {
                String::new()
            } else {
                prompt.get_untracked()
            },
            mode: mode.get_untracked().map_or("", Mode::as_str).to_owned(),
            engine: kind.as_str().to_owned(),
            model: String::new(),
            size: String::new(),
            quality: String::new(),
            n: String::new(),
            negative_prompt: String::new(),
            steps: String::new(),
            cfg_scale: String::new(),
            sampler: String::new(),
            seed: String::new(),
            action: String::new(),
            images: String::new(),
            dimensions: String::new(),
            sw: String::new(),
            cw: String::new(),
            denoising_strength: String::new(),
            mask: String::new(),
            batch: if batch.get_untracked() && batchable() {
                "1".to_owned()
            } else {
                String::new()
            },
        };
        // An edit of the other engines: the picture, and the region painted on it.
        if kind != EngineKind::Midjourney && images.with_untracked(|v| !v.is_empty()) {
            args.action = TaskAction::Edit.as_str().to_owned();
            args.images = form_value(&images.get_untracked()[..1], Some("edit"));
            args.mask = mask.data_url().unwrap_or_default();
            if kind == EngineKind::SdWebui {
                args.denoising_strength = strength.get_untracked();
            }
        }
        match kind {
            EngineKind::Midjourney => {
                let action = mj_action.get_untracked();
                args.action = action.as_str().to_owned();
                let given = images.get_untracked();
                args.images = match action {
                    TaskAction::Blend => form_value(&given, Some("blend")),
                    TaskAction::Describe => form_value(&given, Some("describe")),
                    TaskAction::Shorten => String::new(),
                    _ => form_value(&given, None),
                };
                if action == TaskAction::Blend {
                    args.dimensions = dimensions.get_untracked();
                }
                if action == TaskAction::Imagine {
                    if given.iter().any(|g| g.role == "sref") {
                        args.sw = sw.get_untracked();
                    }
                    if given.iter().any(|g| g.role == "cref") {
                        args.cw = cw.get_untracked();
                    }
                }
            }
            EngineKind::Openai => {
                args.model = choice.model.get_untracked().unwrap_or_default();
                args.size = choice.size.get_untracked().unwrap_or_default();
                args.quality = choice.quality.get_untracked().unwrap_or_default();
                args.n = choice.n.get_untracked().to_string();
            }
            EngineKind::SdWebui => {
                args.model = sd.model.get_untracked().unwrap_or_default();
                args.size = sd.size.get_untracked();
                args.n = sd.n.get_untracked().to_string();
                args.negative_prompt = sd.negative.get_untracked();
                args.steps = sd.steps.get_untracked();
                args.cfg_scale = sd.cfg.get_untracked();
                args.sampler = sd.sampler.get_untracked();
                args.seed = sd.seed.get_untracked();
            }
        }
        args
    };
    let several = kinds.len() > 1;
    // A template used: its engine (when offered), its prompt filled in, its mode or model and
    // parameters.
    let offered_kinds = kinds.clone();
    let use_template = Callback::new(move |(tpl, filled): (TemplateView, String)| {
        let kind = tpl
            .engine
            .filter(|k| offered_kinds.contains(k))
            .unwrap_or_else(|| engine.get_untracked());
        engine.set(kind);
        mj_action.set(TaskAction::Imagine);
        images.set(Vec::new());
        prompt.set(filled);
        let p = &tpl.params;
        match kind {
            EngineKind::Midjourney => {
                if tpl.mode.is_some() {
                    mode.set(tpl.mode);
                }
            }
            EngineKind::Openai => {
                if let Some(m) = tpl.model.clone() {
                    choice.choose(m);
                }
                if p.size.is_some() {
                    choice.size.set(p.size.clone());
                }
                if p.quality.is_some() {
                    choice.quality.set(p.quality.clone());
                }
                if let Some(n) = p.n {
                    choice.n.set(n);
                }
            }
            EngineKind::SdWebui => {
                if tpl.model.is_some() {
                    sd.model.set(tpl.model.clone());
                }
                let text = |v: Option<String>| v.unwrap_or_default();
                if let Some(size) = p.size.clone() {
                    sd.size.set(size);
                }
                if let Some(n) = p.n {
                    sd.n.set(n);
                }
                sd.steps.set(text(p.steps.map(|v| v.to_string())));
                sd.cfg.set(text(p.cfg_scale.map(|v| v.0.to_string())));
                sd.sampler.set(text(p.sampler.clone()));
                sd.seed.set(text(p.seed.map(|v| v.to_string())));
                sd.negative.set(text(p.negative_prompt.clone()));
            }
        }
        crate::browser::focus("prompt");
    });
    let recent_prompt = Callback::new(move |p: String| {
        prompt.set(p);
        crate::browser::focus("prompt");
    });
    let current = Callback::new(move |()| args());
    let (templates, recent, is_admin) = (
        initial.templates.clone(),
        initial.recent_prompts.clone(),
        initial.is_admin,
    );
    // The bar's panels: one open at a time. Pictures given (picked, dropped, pasted, or an action
    // that needs them) open theirs.
    let panel = RwSignal::new(None::<Panel>);
    let given = StoredValue::new(0usize);
    Effect::new(move || {
        let n = images.with(Vec::len);
        if n > given.get_value() {
            panel.set(Some(Panel::Images));
        }
        given.set_value(n);
    });
    Effect::new(move |before: Option<TaskAction>| {
        let now = mj_action.get();
        if before.is_some_and(|b| b != now)
            && matches!(now, TaskAction::Blend | TaskAction::Describe)
        {
            panel.set(Some(Panel::Images));
        }
        now
    });
    let shown = move |p: Panel| panel.get() == Some(p);
    let tool = move |p: Panel, icon: Icon, label: &'static str, count: Signal<usize>| {
        view! {
            <button
                type="button"
                class=TOOL
                aria-expanded=move || if shown(p) { "true" } else { "false" }
                aria-controls=p.id()
                on:click=move |_| panel.update(|o| *o = if *o == Some(p) { None } else { Some(p) })
            >
                <Glyph icon class="h-4 w-4" />
                <span>{label}</span>
                {move || (count.get() > 0).then(|| view! {
                    <span class="rounded-full bg-indigo-600 px-1.5 text-xs text-white tabular-nums">{count.get()}</span>
                })}
            </button>
        }
    };
    let image_count = Signal::derive(move || images.with(Vec::len));
    let batch_count = Signal::derive(move || match batch_list.get() {
        Some(Ok(v)) => v.len(),
        _ => 0,
    });
    let none = Signal::stored(0usize);
    let options_shown = Signal::derive(move || shown(Panel::Options));
    let images_shown = Signal::derive(move || shown(Panel::Images));
    let can_take_images =
        move || !(engine.get() == EngineKind::Midjourney && mj_action.get() == TaskAction::Shorten);
    view! {
        <section
            aria-label=t.generate_title
            data-testid="prompt-bar"
            class="fixed inset-x-0 bottom-0 z-40 border-t border-stone-200 bg-white/95 shadow-[0_-4px_16px_rgba(0,0,0,0.06)] backdrop-blur has-[[data-mask-full]]:[backdrop-filter:none] md:sticky md:top-2 md:bottom-auto md:rounded-xl md:border md:shadow-lg dark:border-stone-800 dark:bg-stone-900/95"
        >
            <PostForm action=submit args node_ref=form class="flex max-h-[85vh] flex-col gap-2 p-3 md:max-h-none">
                // The open panel: above the bar on phones (it is docked at the bottom), below it
                // on wide screens.
                <BarPanel which=Panel::Options title=t.shell.options_button open=panel>
                        // Each engine's controls load with the panel's first opening.
                        <Show when=move || engine.get() == EngineKind::Midjourney>
                            {later(options_shown, loader(move || midjourney_params(flag_set)))}
                        </Show>
                        <Show when=move || engine.get() == EngineKind::Openai>
                            {later(options_shown, loader(move || open_ai_controls(choice)))}
                        </Show>
                        <Show when=move || engine.get() == EngineKind::SdWebui>
                            {later(options_shown, loader(move || sd_controls(sd)))}
                        </Show>
                        <Show when=batchable>
                            <div class="space-y-1 text-sm">
                                <label class="flex min-h-11 items-center gap-2 md:min-h-0">
                                    <input type="checkbox" data-testid="batch" aria-describedby="batch-help"
                                        prop:checked=move || batch.get() on:change=move |ev| batch.set(event_target_checked(&ev)) />
                                    {t.studio.batch_label}
                                </label>
                                <p id="batch-help" class="text-xs text-stone-500">{t.studio.batch_help}</p>
                            </div>
                        </Show>
                        {move || batch_list.get().and_then(Result::ok).map(|list| view! {
                            <div class="rounded border border-stone-200 p-3 text-sm dark:border-stone-800" data-testid="batch-preview" aria-live="polite">
                                <p class="font-medium">{(t.studio.batch_preview)(list.len(), total.get())}</p>
                                <ol class="mt-1 max-h-48 list-decimal overflow-y-auto pl-5">
                                    {list.into_iter().map(|p| view! { <li class="break-words">{p}</li> }).collect_view()}
                                </ol>
                            </div>
                        })}
                </BarPanel>
                <BarPanel which=Panel::Images title=t.shell.images_button open=panel>
                        <Show when=can_take_images>
                            <ImageInputs images roles error shown=images_shown />
                        </Show>
                        <Show when=editing>
                            <div class="space-y-2" data-testid="edit-controls">
                                <p class="text-sm font-medium">{t.studio.edit_mask_label}</p>
                                <MaskEditor image_url=edit_image state=mask id="edit".to_owned() />
                                <Show when=move || engine.get() == EngineKind::SdWebui>
                                    <label for="sd-strength" class="block text-sm">{t.studio.strength_label}</label>
                                    <div class="flex items-center gap-2">
                                        <input id="sd-strength" type="range" min="0" max="1" step="0.05" class="w-full"
                                            aria-describedby="sd-strength-hint"
                                            prop:value=move || strength.get()
                                            on:input=move |ev| strength.set(event_target_value(&ev)) />
                                        <span class="w-10 text-sm tabular-nums">{move || strength.get()}</span>
                                    </div>
                                    <p id="sd-strength-hint" class="text-xs text-stone-500">{t.studio.strength_hint}</p>
                                </Show>
                            </div>
                        </Show>
                        <Show when=move || engine.get() == EngineKind::Midjourney && mj_action.get() == TaskAction::Blend>
                            <label class="block text-sm">{t.studio.dimensions_label}
                                <select class=SELECT data-testid="blend-dimensions" on:change=move |ev| dimensions.set(event_target_value(&ev))>
                                    {["portrait", "square", "landscape"].into_iter().enumerate().map(|(i, d)| view! {
                                        <option value=d selected=d == "square">{t.studio.dimensions[i]}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                        </Show>
                        <Show when=move || engine.get() == EngineKind::Midjourney && mj_action.get() == TaskAction::Imagine && images.with(|v| v.iter().any(|g| g.role == "sref" || g.role == "cref"))>
                            <div class="grid grid-cols-2 gap-3 text-sm">
                                <Show when=move || images.with(|v| v.iter().any(|g| g.role == "sref"))>
                                    <label class="block">{t.studio.sw_label}
                                        <input type="number" min="0" max="1000" class=SELECT prop:value=move || sw.get() on:input=move |ev| sw.set(event_target_value(&ev)) />
                                    </label>
                                </Show>
                                <Show when=move || images.with(|v| v.iter().any(|g| g.role == "cref"))>
                                    <label class="block">{t.studio.cw_label}
                                        <input type="number" min="0" max="100" class=SELECT prop:value=move || cw.get() on:input=move |ev| cw.set(event_target_value(&ev)) />
                                    </label>
                                </Show>
                            </div>
                        </Show>
                </BarPanel>
                <Show when=move || shown(Panel::Templates)>
                    {
                        let (templates, recent) = (templates.clone(), recent.clone());
                        view! {
                            <BarPanel which=Panel::Templates title=t.shell.templates_button open=panel>
                                <TemplatePicker picking=Picking { templates, recent, is_admin, on_use: use_template, on_prompt: recent_prompt, current } />
                            </BarPanel>
                        }
                    }
                </Show>
                // What to draw with: the engine, and MidJourney's action.
                <div class="-mx-1 flex items-center gap-2 overflow-x-auto px-1 pb-1">
                    <Show when=move || several fallback=move || view! { <input type="hidden" name="engine" value=move || engine.get().as_str() /> }>
                        <div role="radiogroup" aria-label=t.studio.engine_label class="flex shrink-0 gap-1.5" data-testid="engine-switch">
                            {kinds.iter().map(|kind| {
                                let this = *kind;
                                view! {
                                    <Radio name="engine" value=this.as_str() checked=Signal::derive(move || engine.get() == this) pick=Callback::new(move |()| engine.set(this))>
                                        <span>{engine_name(this)}</span>
                                    </Radio>
                                }
                            }).collect_view()}
                        </div>
                    </Show>
                    <Show when=move || engine.get() == EngineKind::Midjourney>
                        <span class="h-6 w-px shrink-0 bg-stone-200 dark:bg-stone-700" aria-hidden="true"></span>
                        <div role="radiogroup" aria-label=t.studio.mj_action_label class="flex shrink-0 gap-1.5" data-testid="mj-action">
                            {[TaskAction::Imagine, TaskAction::Blend, TaskAction::Describe, TaskAction::Shorten].into_iter().map(|a| view! {
                                <Radio name="action" value=a.as_str() checked=Signal::derive(move || mj_action.get() == a) pick=Callback::new(move |()| mj_action.set(a))>
                                    <span>{t.action(a)}</span>
                                </Radio>
                            }).collect_view()}
                        </div>
                    </Show>
                </div>
                <div class="flex items-end gap-2">
                    <label class="sr-only" for="prompt">{t.prompt_label}</label>
                    <textarea
                        id="prompt"
                        name="prompt"
                        rows="2"
                        maxlength=crate::limits::PROMPT_MAX_CHARS.to_string()
                        placeholder=t.prompt_placeholder
                        aria-describedby="prompt-hint"
                        class="block max-h-48 min-h-12 w-full resize-y rounded-lg border border-stone-300 bg-white px-3 py-2 text-base shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40 md:text-sm dark:border-stone-700 dark:bg-stone-950"
                        prop:value=move || prompt.get()
                        on:input=move |ev| prompt.set(event_target_value(&ev))
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                                ev.prevent_default();
                                if blocked().is_none()
                                    && let Some(f) = form.get()
                                {
                                    let _ = f.request_submit();
                                }
                            }
                        }
                    ></textarea>
                    <button
                        type="submit"
                        aria-describedby="generate-reason"
                        class="flex min-h-12 shrink-0 items-center gap-2 rounded-lg bg-indigo-600 px-4 font-medium text-white shadow-sm hover:bg-indigo-500 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:cursor-not-allowed disabled:opacity-50 md:px-5"
                        disabled=move || blocked().is_some() || submit.pending().get()
                    >
                        <Glyph icon=Icon::Sparkles />
                        <span>{t.generate_button}</span>
                    </button>
                </div>
                // How: MidJourney's mode or the engine's model, the tools, the price.
                <div class="-mx-1 flex items-center gap-2 overflow-x-auto px-1 pb-1 text-sm">
                    <Show when=move || engine.get() == EngineKind::Midjourney>
                        <MidjourneyModes modes=modes.clone() mode />
                    </Show>
                    <Show when=move || engine.get() == EngineKind::Openai>
                        <ModelSelect id="openai-model" models=choice.models.get_value() value=choice.model.into() choose=Callback::new(move |id| choice.choose(id)) />
                    </Show>
                    <Show when=move || engine.get() == EngineKind::SdWebui>
                        <ModelSelect id="sd-model" models=sd.models.get_value() value=sd.model.into() choose=Callback::new(move |id| sd.model.set(Some(id))) />
                    </Show>
                    {tool(Panel::Images, Icon::Image, t.shell.images_button, image_count)}
                    {tool(Panel::Options, Icon::Sliders, t.shell.options_button, batch_count)}
                    {tool(Panel::Templates, Icon::Bookmark, t.shell.templates_button, none)}
                    <span data-testid="cost-line" class="ml-auto shrink-0 whitespace-nowrap pl-2 text-stone-600 dark:text-stone-400">
                        {move || (t.cost_line)(total.get(), have.get())}
                    </span>
                </div>
                <p id="prompt-hint" class="hidden text-xs text-stone-500 md:block">{t.shortcut_hint}</p>
                <p id="generate-reason" data-testid="generate-reason" class="text-sm text-stone-600 empty:hidden dark:text-stone-400">
                    {move || blocked().unwrap_or_default()}
                </p>
                {move || error.get().map(|e| view! {
                    <p role="alert" data-testid="generate-error" class="rounded bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
                        {t.error(&e)}
                    </p>
                })}
            </PostForm>
        </section>
    }
}

/// The prompt bar's panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    Images,
    Templates,
    Options,
}

impl Panel {
    fn id(self) -> &'static str {
        match self {
            Panel::Images => "panel-images",
            Panel::Templates => "panel-templates",
            Panel::Options => "panel-options",
        }
    }
}

/// A panel of the bar, with its title and close button; hidden while another (or none) is open.
#[component]
fn BarPanel(
    which: Panel,
    title: &'static str,
    open: RwSignal<Option<Panel>>,
    children: Children,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <div id=which.id() class=PANEL class:hidden=move || open.get() != Some(which)>
            <div class="mb-2 flex items-center justify-between">
                <h2 class="text-sm font-semibold">{title}</h2>
                <button type="button" class="flex h-11 w-11 items-center justify-center rounded hover:bg-stone-100 md:h-8 md:w-8 dark:hover:bg-stone-800"
                    aria-label=t.shell.close_panel on:click=move |_| open.set(None)>
                    <Glyph icon=Icon::Close class="h-4 w-4" />
                </button>
            </div>
            <div class="space-y-4">{children()}</div>
        </div>
    }
}

/// An open panel of the bar: above its rows on phones (the bar is docked at the bottom), below
/// them on wide screens.
const PANEL: &str = "order-first max-h-[50vh] overflow-y-auto rounded-lg border border-stone-200 p-3 md:order-last md:max-h-[60vh] dark:border-stone-800";

/// A tool button of the bar.
const TOOL: &str = "flex min-h-11 shrink-0 items-center gap-1.5 whitespace-nowrap rounded-full border border-stone-300 px-3 hover:bg-stone-100 aria-expanded:border-indigo-600 aria-expanded:bg-indigo-50 md:min-h-9 dark:border-stone-700 dark:hover:bg-stone-800 dark:aria-expanded:bg-indigo-950";

/// A choice among a few, as a bordered label that shows when its radio is checked.
const CHOICE: &str = "relative flex min-h-11 shrink-0 cursor-pointer items-center gap-1.5 whitespace-nowrap rounded-full border border-stone-300 px-3 text-sm has-[:checked]:border-indigo-600 has-[:checked]:bg-indigo-50 has-[:checked]:font-medium has-[:checked]:text-indigo-800 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-indigo-500 md:min-h-9 dark:border-stone-700 dark:has-[:checked]:bg-indigo-950 dark:has-[:checked]:text-indigo-200";
const SELECT: &str = "mt-1 block w-full rounded border border-stone-300 bg-white px-2 py-1 dark:border-stone-700 dark:bg-stone-900";

/// One of a few choices: a bordered label that shows when its radio is checked.
#[component]
fn Radio(
    name: &'static str,
    value: &'static str,
    checked: Signal<bool>,
    pick: Callback<()>,
    children: Children,
) -> impl IntoView {
    let id = format!("{name}-{value}");
    let label_for = id.clone();
    view! {
        <label for=label_for class=CHOICE>
            // Over the whole chip, unseen: a click anywhere on it is a click on the radio.
            <input type="radio" class="absolute inset-0 h-full w-full cursor-pointer appearance-none rounded-full opacity-0" id=id name=name value=value prop:checked=move || checked.get() on:change=move |_| pick.run(()) />
            {children()}
        </label>
    }
}

/// The engine's name on the switch.
fn engine_name(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::Midjourney => "MidJourney",
        EngineKind::Openai => "OpenAI",
        EngineKind::SdWebui => "Stable Diffusion",
    }
}

/// MidJourney's modes, each with its price.
#[component]
fn MidjourneyModes(modes: Vec<ModeView>, mode: RwSignal<Option<Mode>>) -> impl IntoView {
    let t = use_texts();
    view! {
        <div role="radiogroup" aria-label=t.mode_label class="flex shrink-0 gap-1.5">
            {modes.iter().map(|m| {
                let (this, cost) = (m.mode, m.cost);
                view! {
                    <Radio name="mode" value=this.as_str() checked=Signal::derive(move || mode.get() == Some(this)) pick=Callback::new(move |()| mode.set(Some(this)))>
                        <span>{t.mode(Some(this))}</span>
                        <span class="text-xs text-stone-500">{(t.credits)(cost)}</span>
                    </Radio>
                }
            }).collect_view()}
        </div>
    }
}

/// A flag of the prompt replaced: the forms it may have, and its new value (None: removed).
type FlagSet = Callback<(&'static [&'static str], Option<String>)>;

#[leptos::lazy]
fn midjourney_params(flag: FlagSet) -> AnyView {
    view! { <MidjourneyParams flag /> }.into_any()
}

#[leptos::lazy]
fn open_ai_controls(choice: OpenAiChoice) -> AnyView {
    view! { <OpenAiControls choice /> }.into_any()
}

#[leptos::lazy]
fn sd_controls(choice: SdChoice) -> AnyView {
    view! { <SdControls choice /> }.into_any()
}

/// The flags a MidJourney prompt carries, set from fields.
#[component]
fn MidjourneyParams(flag: FlagSet) -> impl IntoView {
    let flag = move |remove: &'static [&'static str], add: Option<String>| flag.run((remove, add));
    let t = use_texts();
    view! {
        <div class="grid grid-cols-2 gap-3 text-sm sm:grid-cols-3">
            <label class="block">{t.aspect_ratio}
                <select class=SELECT
                    on:change=move |ev| { let v = event_target_value(&ev); flag(&["--ar", "--aspect"], (!v.is_empty()).then(|| format!("--ar {v}"))) }>
                    <option value="">{t.default_option}</option>
                    {PRESETS.iter().map(|p| view! { <option value=*p>{*p}</option> }).collect_view()}
                </select>
            </label>
            <label class="block">{t.version}
                <select class=SELECT
                    on:change=move |ev| { let v = event_target_value(&ev); flag(&["--v", "--version", "--niji"], (!v.is_empty()).then_some(v)) }>
                    <option value="">{t.default_option}</option>
                    {VERSIONS.iter().map(|(v, l)| view! { <option value=*v>{*l}</option> }).collect_view()}
                </select>
            </label>
            <NumberFlag label=t.stylize flags=&["--stylize", "--s"] max=1000 on_set=flag />
            <NumberFlag label=t.chaos flags=&["--chaos", "--c"] max=100 on_set=flag />
            <NumberFlag label=t.seed flags=&["--seed"] max=4_294_967_295 on_set=flag />
            <label class="block">{t.exclude}
                <input type="text" class=SELECT
                    on:change=move |ev| { let v = event_target_value(&ev); flag(&["--no"], (!v.trim().is_empty()).then(|| format!("--no {}", v.trim()))) } />
            </label>
        </div>
    }
}

/// What the OpenAI controls hold: the model, and its size, quality and count (None: the
/// model's first).
#[derive(Clone, Copy)]
struct OpenAiChoice {
    models: StoredValue<Vec<ModelOffer>>,
    model: RwSignal<Option<String>>,
    size: RwSignal<Option<String>>,
    quality: RwSignal<Option<String>>,
    n: RwSignal<u8>,
}

impl OpenAiChoice {
    fn new(models: Vec<ModelOffer>) -> Self {
        let first = models.first().map(|m| m.model.clone());
        let pick =
            |f: fn(&ModelOffer) -> &Vec<String>| models.first().and_then(|m| f(m).first().cloned());
        Self {
            size: RwSignal::new(pick(|m| &m.sizes)),
            quality: RwSignal::new(pick(|m| &m.qualities)),
            models: StoredValue::new(models),
            model: RwSignal::new(first),
            n: RwSignal::new(1),
        }
    }

    /// The chosen model's offer.
    fn current(&self) -> Option<ModelOffer> {
        let id = self.model.get()?;
        self.models
            .with_value(|ms| ms.iter().find(|m| m.model == id).cloned())
    }

    /// Another model: its size and quality stay where it offers them, else its first.
    fn choose(&self, id: String) {
        let Some(m) = self
            .models
            .with_value(|ms| ms.iter().find(|m| m.model == id).cloned())
        else {
            return;
        };
        let keep = |signal: RwSignal<Option<String>>, options: &[String]| {
            if !signal.get_untracked().is_some_and(|v| options.contains(&v)) {
                signal.set(options.first().cloned());
            }
        };
        keep(self.size, &m.sizes);
        keep(self.quality, &m.qualities);
        self.n.update(|n| *n = (*n).clamp(1, m.max_n.max(1)));
        self.model.set(Some(id));
    }

    /// The price of this submit: each image at the chosen quality.
    fn cost(&self) -> i64 {
        let Some(m) = self.current() else { return 0 };
        let quality = self.quality.get();
        m.cost.of(quality.as_deref()).unwrap_or(0) * i64::from(self.n.get())
    }
}

#[component]
fn OpenAiControls(choice: OpenAiChoice) -> impl IntoView {
    let t = use_texts();
    let st = &t.studio;
    let options = move |f: fn(&ModelOffer) -> Vec<String>| {
        choice.current().map(|m| f(&m)).unwrap_or_default()
    };
    view! {
        <div class="grid grid-cols-2 gap-3 text-sm sm:grid-cols-3">
            <div class="block">
                <label for="openai-size">{st.size_label}</label>
                <select id="openai-size" name="size" class=SELECT
                    prop:value=move || choice.size.get().unwrap_or_default()
                    on:change=move |ev| choice.size.set(Some(event_target_value(&ev)))>
                    {move || options(|m| m.sizes.clone()).into_iter().map(|s| {
                        let label = if s == "auto" { st.quality("auto") } else { s.replace('x', " × ") };
                        view! { <option value=s.clone() selected=choice.size.get_untracked().as_deref() == Some(s.as_str())>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="block">
                <label for="openai-quality">{st.quality_label}</label>
                <select id="openai-quality" name="quality" class=SELECT
                    prop:value=move || choice.quality.get().unwrap_or_default()
                    on:change=move |ev| choice.quality.set(Some(event_target_value(&ev)))>
                    {move || {
                        let m = choice.current();
                        options(|m| m.qualities.clone()).into_iter().map(|q| {
                            let price = m.as_ref().and_then(|m| m.cost.of(Some(&q))).unwrap_or(0);
                            let label = format!("{} · {}", st.quality(&q), (t.credits)(price));
                            view! { <option value=q.clone() selected=choice.quality.get_untracked().as_deref() == Some(q.as_str())>{label}</option> }
                        }).collect_view()
                    }}
                </select>
            </div>
            <CountSelect id="openai-n" n=choice.n max=Signal::derive(move || choice.current().map_or(1, |m| m.max_n.max(1))) />
        </div>
    }
}

/// A model of an engine, with the price of one image ("from" the lowest, by quality).
#[component]
fn ModelSelect(
    id: &'static str,
    models: Vec<ModelOffer>,
    value: Signal<Option<String>>,
    choose: Callback<String>,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <div class="flex shrink-0 items-center gap-2">
            <label for=id class="sr-only">{t.studio.model_label}</label>
            <select id=id name="model" data-testid="model"
                class="min-h-11 max-w-[16rem] rounded-full border border-stone-300 bg-white px-3 md:min-h-9 dark:border-stone-700 dark:bg-stone-900"
                prop:value=move || value.get().unwrap_or_default()
                on:change=move |ev| choose.run(event_target_value(&ev))>
                {models.iter().map(|m| {
                    let from = (t.credits)(m.cost.lowest());
                    view! { <option value=m.model.clone()>{format!("{} · {from}", m.label)}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// How many images, from 1 to `max`.
#[component]
fn CountSelect(id: &'static str, n: RwSignal<u8>, max: Signal<u8>) -> impl IntoView {
    let t = use_texts();
    view! {
        <div class="block">
            <label for=id>{t.studio.count_label}</label>
            <select id=id name="n" class=SELECT
                prop:value=move || n.get().to_string()
                on:change=move |ev| n.set(event_target_value(&ev).parse().unwrap_or(1))>
                {move || (1..=max.get()).map(|k| view! { <option value=k.to_string() selected=n.get_untracked() == k>{k}</option> }).collect_view()}
            </select>
        </div>
    }
}

/// What the Stable Diffusion controls hold. Empty texts: the server's defaults.
#[derive(Clone, Copy)]
struct SdChoice {
    models: StoredValue<Vec<ModelOffer>>,
    samplers: StoredValue<Vec<String>>,
    model: RwSignal<Option<String>>,
    size: RwSignal<String>,
    n: RwSignal<u8>,
    steps: RwSignal<String>,
    cfg: RwSignal<String>,
    sampler: RwSignal<String>,
    seed: RwSignal<String>,
    negative: RwSignal<String>,
}

impl SdChoice {
    fn new(models: Vec<ModelOffer>, samplers: Vec<String>) -> Self {
        let size = models
            .first()
            .and_then(|m| m.sizes.first().cloned())
            .unwrap_or_default();
        Self {
            model: RwSignal::new(models.first().map(|m| m.model.clone())),
            models: StoredValue::new(models),
            samplers: StoredValue::new(samplers),
            size: RwSignal::new(size),
            n: RwSignal::new(1),
            steps: RwSignal::new(String::new()),
            cfg: RwSignal::new(String::new()),
            sampler: RwSignal::new(String::new()),
            seed: RwSignal::new(String::new()),
            negative: RwSignal::new(String::new()),
        }
    }

    fn current(&self) -> Option<ModelOffer> {
        let id = self.model.get()?;
        self.models
            .with_value(|ms| ms.iter().find(|m| m.model == id).cloned())
    }

    /// The price of this submit: each picture at the checkpoint's price.
    fn cost(&self) -> i64 {
        self.current().map_or(0, |m| m.cost.lowest()) * i64::from(self.n.get())
    }
}

#[component]
fn SdControls(choice: SdChoice) -> impl IntoView {
    let t = use_texts();
    let st = &t.studio;
    let sizes = choice.current().map(|m| m.sizes).unwrap_or_default();
    let samplers = choice.samplers.get_value();
    // A number field: (id, name), label, value, (min, max, step), hint.
    let number = |(id, name): (&'static str, &'static str),
                  label: &'static str,
                  value: RwSignal<String>,
                  (min, max, step): (&'static str, &'static str, &'static str),
                  hint: Option<&'static str>| {
        let hint_id = format!("{id}-hint");
        view! {
            <div class="block">
                <label for=id>{label}</label>
                <input id=id name=name type="number" inputmode="decimal" min=min max=max step=step class=SELECT
                    aria-describedby=hint.map(|_| hint_id.clone())
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
                {hint.map(|h| view! { <p id=hint_id class="mt-1 text-xs text-stone-500">{h}</p> })}
            </div>
        }
    };
    view! {
        <div class="grid grid-cols-2 gap-3 text-sm sm:grid-cols-3" data-testid="sd-controls">
            <div class="block">
                <label for="sd-size">{st.size_label}</label>
                <select id="sd-size" name="size" class=SELECT
                    prop:value=move || choice.size.get()
                    on:change=move |ev| choice.size.set(event_target_value(&ev))>
                    {sizes.into_iter().map(|s| {
                        let label = s.replace('x', " × ");
                        view! { <option value=s.clone() selected=choice.size.get_untracked() == s>{label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <CountSelect id="sd-n" n=choice.n max=Signal::derive(move || choice.current().map_or(1, |m| m.max_n.max(1))) />
            {number(("sd-steps", "steps"), st.steps_label, choice.steps, ("1", "150", "1"), None)}
            {number(("sd-cfg", "cfg_scale"), st.cfg_label, choice.cfg, ("1", "30", "0.5"), None)}
            <div class="block">
                <label for="sd-sampler">{st.sampler_label}</label>
                <select id="sd-sampler" name="sampler" class=SELECT
                    prop:value=move || choice.sampler.get()
                    on:change=move |ev| choice.sampler.set(event_target_value(&ev))>
                    <option value="">{st.box_default}</option>
                    {samplers.into_iter().map(|s| view! { <option value=s.clone()>{s.clone()}</option> }).collect_view()}
                </select>
            </div>
            {number(("sd-seed", "seed"), st.seed_label, choice.seed, ("-1", "4294967295", "1"), Some(st.seed_hint))}
            <div class="col-span-2 block">
                <label for="sd-negative">{st.negative_prompt_label}</label>
                <textarea id="sd-negative" name="negative_prompt" rows="2" class=SELECT
                    aria-describedby="sd-negative-hint"
                    prop:value=move || choice.negative.get()
                    on:input=move |ev| choice.negative.set(event_target_value(&ev))></textarea>
                <p id="sd-negative-hint" class="mt-1 text-xs text-stone-500">{st.negative_prompt_hint}</p>
            </div>
        </div>
    }
}

#[component]
fn NumberFlag(
    label: &'static str,
    flags: &'static [&'static str],
    max: u64,
    on_set: impl Fn(&'static [&'static str], Option<String>) + Copy + 'static,
) -> impl IntoView {
    view! {
        <label class="block">{label}
            <input type="number" min="0" max=max.to_string() class="mt-1 block w-full rounded border border-stone-300 bg-white px-2 py-1 dark:border-stone-700 dark:bg-stone-900"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    let value = v.trim().parse::<u64>().ok().filter(|n| *n <= max);
                    on_set(flags, value.map(|n| format!("{} {n}", flags[0])));
                } />
        </label>
    }
}

/// Why the Generate button is disabled, if it is.
fn blocked_reason(
    t: &Texts,
    enabled: bool,
    pending: bool,
    prompt: &str,
    cost: i64,
    balance: i64,
    picked: bool,
) -> Option<String> {
    if !enabled || !picked {
        return Some(t.err_disabled.into());
    }
    if pending {
        return Some(t.pending_notice.into());
    }
    if prompt.trim().is_empty() {
        return Some(t.reason_empty.into());
    }
    if prompt.chars().count() > crate::limits::PROMPT_MAX_CHARS {
        return Some((t.reason_too_long)(crate::limits::PROMPT_MAX_CHARS));
    }
    if balance < cost {
        return Some((t.reason_credits)(cost, balance));
    }
    None
}
