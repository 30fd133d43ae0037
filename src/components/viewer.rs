//! The one picture viewer of every page that shows pictures (Generate, History, a task's page,
//! the gallery): full screen, Escape closes it, the focus moves in and back out, the arrow keys
//! and a swipe move between pictures, a click zooms, and the picture's follow-ups are inside.

use crate::{
    browser,
    components::{
        icon::{Glyph, Icon},
        later,
        task_card::{ActionButton, what_it_is},
    },
    i18n::{Texts, use_texts},
    session::use_balance,
    types::{Button, EngineKind, TaskAction, TaskStatus, TaskView},
};
use leptos::prelude::*;

/// One picture the viewer can show.
#[derive(Debug, Clone, PartialEq)]
pub struct Shot {
    pub src: String,
    pub alt: String,
    /// What it is, under the picture ("Upscale of picture 2 · a red fox").
    pub caption: String,
    /// The task it comes from.
    pub task: String,
    /// The task is the user's own (its follow-ups, "use as reference").
    pub mine: bool,
    /// Which of the task's pictures it is (from 0).
    pub n: u32,
    /// Where its details are.
    pub details: Option<String>,
    /// Its follow-ups.
    pub buttons: Vec<Button>,
    /// A MidJourney grid: four pictures in one, numbered with their U and V on hover.
    pub grid: bool,
}

/// Opens the page's viewer on picture `n` (from 0) of a task.
#[derive(Clone, Copy)]
pub struct OpenViewer(pub Callback<(String, usize)>);

impl OpenViewer {
    /// The page's opener, if it has a viewer.
    pub fn here() -> Option<Self> {
        use_context::<Self>()
    }

    /// Opens `viewing` on a task's picture among `shots` (the page's list).
    pub fn over(shots: Signal<Vec<Shot>>, viewing: RwSignal<Option<usize>>) -> Self {
        Self(Callback::new(move |(id, n): (String, usize)| {
            viewing.set(shots.with_untracked(|s| place_of(s, &id, n)));
        }))
    }

    /// A tile's picture clicked (a link to its page): opens it here instead, unless the user
    /// asked for a new tab or window.
    pub fn tile_click(self, ev: &leptos::ev::MouseEvent, task: &str) {
        if !(ev.ctrl_key() || ev.meta_key() || ev.shift_key()) {
            ev.prevent_default();
            self.0.run((task.to_owned(), 0));
        }
    }
}

/// A finished task's pictures as the viewer shows them (none for a task without any).
pub fn shots_of(t: &Texts, task: &TaskView) -> Vec<Shot> {
    let done = task.status == TaskStatus::Succeeded
        && !matches!(task.action, TaskAction::Describe | TaskAction::Shorten);
    if !done {
        return Vec::new();
    }
    let mut images: Vec<String> = task.images.iter().map(|i| i.url.clone()).collect();
    if images.is_empty() {
        images.extend(task.image_url.clone());
    }
    let of = images.len();
    let what = what_it_is(t, task);
    images
        .into_iter()
        .enumerate()
        .map(|(i, src)| {
            let buttons = if of > 1 {
                let at = u8::try_from(i + 1).ok();
                task.buttons
                    .iter()
                    .filter(|b| b.index == at)
                    .cloned()
                    .collect()
            } else {
                task.buttons.clone()
            };
            let place = if of > 1 {
                format!(" ({})", (t.studio.picture_of)(i + 1, of))
            } else {
                String::new()
            };
            Shot {
                alt: format!("{}{place}", task.prompt),
                caption: format!("{what}{place} · {}", task.prompt),
                src,
                task: task.id.clone(),
                mine: true,
                n: u32::try_from(i).unwrap_or(0),
                details: Some(format!("/history/{}", task.id)),
                grid: task.engine == EngineKind::Midjourney && of == 1 && is_grid(&task.buttons),
                buttons,
            }
        })
        .collect()
}

/// A public picture's pictures (the gallery's): to look at, with a link to its page.
pub fn public_shots(t: &Texts, task: &crate::types::PublicTaskView, details: bool) -> Vec<Shot> {
    let of = task.images.len();
    task.images
        .iter()
        .enumerate()
        .map(|(i, img)| {
            let place = if of > 1 {
                format!(" ({})", (t.studio.picture_of)(i + 1, of))
            } else {
                String::new()
            };
            Shot {
                src: img.url.clone(),
                alt: format!("{}{place}", task.prompt),
                caption: format!("{} · {}{place}", (t.gallery.by)(&task.author), task.prompt),
                task: task.id.clone(),
                mine: false,
                n: u32::try_from(i).unwrap_or(0),
                details: details.then(|| format!("/gallery/{}", task.id)),
                buttons: Vec::new(),
                grid: false,
            }
        })
        .collect()
}

/// A MidJourney grid's buttons: an upscale of each of its four pictures.
pub fn is_grid(buttons: &[Button]) -> bool {
    buttons
        .iter()
        .any(|b| b.action == Some(TaskAction::Upscale) && b.index.is_some())
}

/// Where a task's picture `n` is among the shots.
pub fn place_of(shots: &[Shot], task_id: &str, n: usize) -> Option<usize> {
    shots
        .iter()
        .position(|s| s.task == task_id && s.n as usize == n)
}

/// The picture fitted to the screen, or at twice that (scrolled).
const FITTED: &str = "block max-h-[calc(100dvh-10rem)] max-w-[100vw] cursor-zoom-in select-none";
const ZOOMED: &str =
    "block max-w-none w-[200vw] sm:w-auto sm:max-h-none sm:h-[200dvh] cursor-zoom-out select-none";

/// The frame's selector (its focus is kept inside while it is open).
const FRAME: &str = "[data-testid=viewer]";

/// The page's viewer. `press` runs a follow-up where the page shows its tasks (Generate);
/// without it a follow-up is made here and the user is taken to Generate to watch it.
#[component]
pub fn Viewer(
    shots: Signal<Vec<Shot>>,
    open: RwSignal<Option<usize>>,
    #[prop(optional)] press: Option<Callback<(String, String)>>,
    #[prop(optional, into)] action_cost: Signal<i64>,
) -> impl IntoView {
    // The focus goes back to what opened it when it closes; the page behind stays still. (The
    // frame moves the focus in once its code has loaded.)
    let is_open = Memo::new(move |_| open.with(Option::is_some));
    let was_open = StoredValue::new(false);
    Effect::new(move || {
        let now_open = is_open.get();
        if now_open == was_open.get_value() {
            return;
        }
        was_open.set_value(now_open);
        browser::lock_scroll(now_open);
        if now_open {
            browser::remember_focus();
        } else {
            browser::restore_focus();
        }
    });
    on_cleanup(move || {
        if was_open.get_value() {
            browser::lock_scroll(false);
        }
    });
    let load = later::loader(move || viewer_frame(shots, open, press, action_cost));
    view! {
        <Show when=move || is_open.get()>
            {later::loaded(&load)}
        </Show>
    }
}

/// What the viewer shows while it is open. Its code is loaded the first time a viewer opens (a
/// chunk of its own in a `--split` build), not with the page.
#[leptos::lazy]
fn viewer_frame(
    shots: Signal<Vec<Shot>>,
    open: RwSignal<Option<usize>>,
    press: Option<Callback<(String, String)>>,
    action_cost: Signal<i64>,
) -> AnyView {
    let t = use_texts();
    let v = &t.shell.viewer;
    let zoomed = RwSignal::new(false);
    let error = RwSignal::new(None::<crate::error::AppError>);
    let count = move || shots.with(Vec::len);
    let shot = move || open.get().and_then(|i| shots.with(|s| s.get(i).cloned()));
    let step = move |by: isize| {
        let n = count() as isize;
        if n == 0 {
            return;
        }
        open.update(|o| {
            if let Some(i) = o {
                *i = (*i as isize + by).rem_euclid(n) as usize;
            }
        });
        zoomed.set(false);
        error.set(None);
    };
    let close = move || open.set(None);
    request_animation_frame(|| browser::focus("viewer-close"));
    // The keys work from wherever the focus is while it is open (also in the moment before the
    // focus has moved in): it is modal.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            close();
        }
        "ArrowLeft" => {
            ev.prevent_default();
            step(-1);
        }
        "ArrowRight" => {
            ev.prevent_default();
            step(1);
        }
        "Tab" if browser::wrap_tab(FRAME, ev.shift_key()) => ev.prevent_default(),
        _ => {}
    });
    on_cleanup(move || keys.remove());
    let balance = use_balance().0;
    let navigate = leptos_router::hooks::use_navigate();
    let made_here = Action::new(move |(task, custom): &(String, String)| {
        crate::server_fns::tasks::press_button(task.clone(), custom.clone(), None, None, None)
    });
    Effect::new(move || match made_here.value().get() {
        Some(Ok(u)) => {
            balance.set(Some(u.balance));
            navigate("/", Default::default());
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let reference = Action::new(|(task, n): &(String, u32)| {
        crate::server_fns::uploads::reference_from_task(task.clone(), *n)
    });
    let go = leptos_router::hooks::use_navigate();
    Effect::new(move || match reference.value().get() {
        Some(Ok(up)) => {
            open.set(None);
            go(&format!("/?reference={}", up.id), Default::default());
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let busy = Signal::derive(move || made_here.pending().get() || reference.pending().get());
    let run = Callback::new(move |(task, custom): (String, String)| match press {
        Some(p) => {
            open.set(None);
            p.run((task, custom));
        }
        None => {
            made_here.dispatch((task, custom));
        }
    });
    // A swipe: where the finger went down, and whether it moved to another picture (the click
    // that ends it is not a zoom).
    let down_at = StoredValue::new(None::<(i32, i32)>);
    let swiped = StoredValue::new(false);
    const BAR: &str = "flex min-h-11 min-w-11 items-center justify-center gap-1.5 rounded-full px-3 text-sm text-white/90 hover:bg-white/15 focus-visible:outline focus-visible:outline-2 focus-visible:outline-white";
    const SIDE: &str = "absolute top-1/2 z-10 hidden -translate-y-1/2 rounded-full bg-black/40 p-3 text-white hover:bg-black/70 sm:flex focus-visible:outline focus-visible:outline-2 focus-visible:outline-white";
    view! {
            <div
                role="dialog"
                aria-modal="true"
                aria-label=v.label
                tabindex="-1"
                data-testid="viewer"
                class="fixed inset-0 z-50 flex flex-col bg-stone-950 text-white"
            >
                <div class="flex items-center gap-1 px-2 py-2 sm:px-4">
                    <span class="px-2 text-sm tabular-nums text-white/70" data-testid="viewer-counter">
                        {move || open.get().map(|i| (v.counter)(i + 1, count()))}
                    </span>
                    <span class="hidden text-xs text-white/50 lg:inline">{v.keys_help}</span>
                    <span class="ml-auto"></span>
                    <button type="button" class=BAR aria-pressed=move || zoomed.get().to_string()
                        on:click=move |_| zoomed.update(|z| *z = !*z)>
                        {move || if zoomed.get() {
                            view! { <Glyph icon=Icon::ZoomOut class="h-5 w-5" /><span class="sr-only sm:not-sr-only">{v.zoom_out}</span> }.into_any()
                        } else {
                            view! { <Glyph icon=Icon::ZoomIn class="h-5 w-5" /><span class="sr-only sm:not-sr-only">{v.zoom_in}</span> }.into_any()
                        }}
                    </button>
                    {move || shot().map(|s| view! {
                        <a href=s.src.clone() download class=BAR>
                            <Glyph icon=Icon::Download class="h-5 w-5" /><span class="sr-only sm:not-sr-only">{t.download}</span>
                        </a>
                    })}
                    <button type="button" id="viewer-close" class=BAR aria-label=v.close on:click=move |_| close()>
                        <Glyph icon=Icon::Close class="h-6 w-6" />
                    </button>
                </div>
                <div
                    // Zoomed: scrolled, with margins that centre it while it fits (a centred
                    // flex box would cut off what overflows its top and left).
                    class=move || if zoomed.get() {
                        "relative flex min-h-0 flex-1 overflow-auto"
                    } else {
                        "relative flex min-h-0 flex-1 touch-none items-center justify-center"
                    }
                    on:pointerdown=move |ev| down_at.set_value(Some((ev.client_x(), ev.client_y())))
                    on:pointerup=move |ev| {
                        let Some((x, y)) = down_at.get_value() else { return };
                        down_at.set_value(None);
                        let (dx, dy) = (ev.client_x() - x, ev.client_y() - y);
                        let swipe = !zoomed.get_untracked() && dx.abs() > 50 && dx.abs() > dy.abs() * 2;
                        swiped.set_value(swipe);
                        if swipe {
                            step(if dx < 0 { 1 } else { -1 });
                        }
                    }
                    on:click=move |ev| {
                        // A click beside the picture closes, as on every such viewer.
                        use leptos::wasm_bindgen::JsCast;
                        let beside = ev.target().zip(ev.current_target()).is_some_and(|(a, b)| {
                            a.unchecked_ref::<leptos::web_sys::Element>() == b.unchecked_ref::<leptos::web_sys::Element>()
                        });
                        if beside && !zoomed.get_untracked() {
                            close();
                        }
                    }
                >
                    <Show when=move || { count() > 1 }>
                        <button type="button" class=SIDE style="left: 0.75rem" aria-label=v.previous on:click=move |_| step(-1)>
                            <Glyph icon=Icon::ChevronLeft class="h-6 w-6" />
                        </button>
                        <button type="button" class=SIDE style="right: 0.75rem" aria-label=v.next on:click=move |_| step(1)>
                            <Glyph icon=Icon::ChevronRight class="h-6 w-6" />
                        </button>
                    </Show>
                    {move || shot().map(|s| {
                        let grid = s.grid && !zoomed.get();
                        let buttons = s.buttons.clone();
                        let task_id = s.task.clone();
                        view! {
                            <div class="relative" class:m-auto=move || zoomed.get()>
                                <img
                                    src=s.src.clone()
                                    alt=s.alt.clone()
                                    data-testid="viewer-image"
                                    draggable="false"
                                    class=move || if zoomed.get() { ZOOMED } else { FITTED }
                                    on:click=move |_| if !swiped.get_value() { zoomed.update(|z| *z = !*z) }
                                />
                                {grid.then(|| {
                                    let on_click = Callback::new(move |()| zoomed.set(true));
                                    view! { <Quadrants buttons task_id run cost=action_cost busy on_click /> }
                                })}
                            </div>
                        }
                    })}
                </div>
                {move || shot().map(|s| {
                    let task_id = s.mine.then(|| s.task.clone());
                    let n = s.n;
                    let buttons = s.buttons.clone();
                    view! {
                        <div class="space-y-2 px-3 pb-3 pt-2 sm:px-6">
                            <p class="line-clamp-2 text-center text-sm text-white/80" data-testid="viewer-caption">{s.caption.clone()}</p>
                            <div class="flex flex-wrap items-center justify-center gap-1 text-stone-900 dark:text-stone-100" role="group" aria-label=t.shell.actions_group>
                                {buttons.into_iter().map(|button| {
                                    let (task, custom) = (task_id.clone().unwrap_or_default(), button.custom_id.clone());
                                    let pressed = Callback::new(move |()| run.run((task.clone(), custom.clone())));
                                    view! { <ActionButton button cost=action_cost disabled=busy press=pressed /> }
                                }).collect_view()}
                                {task_id.clone().map(|id| view! {
                                    <button type="button" class=BAR disabled=move || busy.get()
                                        on:click=move |_| { reference.dispatch((id.clone(), n)); }>
                                        <Glyph icon=Icon::Image class="h-5 w-5" />{t.studio.use_as_reference}
                                    </button>
                                })}
                                {s.details.clone().map(|href| view! {
                                    <a href=href class=BAR on:click=move |_| open.set(None)>
                                        <Glyph icon=Icon::Info class="h-5 w-5" />{v.details}
                                    </a>
                                })}
                            </div>
                            {move || error.get().map(|e| view! { <p role="alert" class="text-center text-sm text-red-300">{t.error(&e)}</p> })}
                        </div>
                    }
                })}
            </div>
    }
    .into_any()
}

/// A MidJourney grid's four pictures, numbered on hover, each with its upscale and variation:
/// a help for the pointer, hidden from screen readers and the Tab key, which have the same
/// buttons in the task's button group.
#[component]
pub fn Quadrants(
    buttons: Vec<Button>,
    task_id: String,
    run: Callback<(String, String)>,
    cost: Signal<i64>,
    busy: Signal<bool>,
    /// A click on a quadrant beside its buttons.
    on_click: Callback<()>,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <div class="absolute inset-0 grid grid-cols-2 grid-rows-2" aria-hidden="true" data-testid="quadrants">
            {(1u8..=4).map(|n| {
                let mine: Vec<Button> = buttons.iter()
                    .filter(|b| b.index == Some(n) && matches!(b.action, Some(TaskAction::Upscale | TaskAction::Variation)))
                    .cloned()
                    .collect();
                let task_id = task_id.clone();
                view! {
                    <div class="group relative cursor-pointer border border-transparent hover:border-white/60 focus-within:border-white/60" data-testid="quadrant"
                        on:click=move |_| on_click.run(())>
                        <span class="absolute left-2 top-2 rounded-full bg-black/60 px-2 py-0.5 text-xs font-semibold text-white opacity-0 group-hover:opacity-100 group-focus-within:opacity-100">
                            {(t.shell.viewer.quadrant)(n)}
                        </span>
                        <div class="absolute bottom-2 left-2 flex gap-1 opacity-0 group-hover:opacity-100 group-focus-within:opacity-100"
                            on:click=|ev| ev.stop_propagation()>
                            {mine.into_iter().map(|button| {
                                let (task, custom) = (task_id.clone(), button.custom_id.clone());
                                let pressed = Callback::new(move |()| run.run((task.clone(), custom.clone())));
                                view! { <ActionButton button cost disabled=busy press=pressed hide_cost=true focusable=false /> }
                            }).collect_view()}
                        </div>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ImageView;

    fn button(custom_id: &str, action: TaskAction, index: Option<u8>) -> Button {
        Button {
            custom_id: custom_id.to_owned(),
            label: custom_id.to_owned(),
            emoji: String::new(),
            action: Some(action),
            index,
            direction: None,
            cost: Some(2),
        }
    }

    fn image(url: &str) -> ImageView {
        ImageView {
            url: url.to_owned(),
            thumbnail_url: None,
            width: None,
            height: None,
        }
    }

    fn finished(id: &str) -> TaskView {
        TaskView {
            status: TaskStatus::Succeeded,
            prompt: "a red fox".into(),
            ..TaskView::placeholder(id)
        }
    }

    #[test]
    fn a_grid_is_one_picture_with_every_button_and_its_quadrants() {
        let t = &crate::i18n::EN;
        let grid = TaskView {
            image_url: Some("/g.png".into()),
            images: vec![image("/g.png")],
            buttons: vec![
                button("U1", TaskAction::Upscale, Some(1)),
                button("V1", TaskAction::Variation, Some(1)),
                button("R", TaskAction::Reroll, None),
            ],
            ..finished("g")
        };
        let shots = shots_of(t, &grid);
        assert_eq!(shots.len(), 1);
        assert!(shots[0].grid && shots[0].mine);
        assert_eq!(shots[0].buttons.len(), 3);
        assert_eq!(shots[0].details.as_deref(), Some("/history/g"));
        assert_eq!(shots[0].caption, "Imagine · a red fox");
    }

    #[test]
    fn several_pictures_each_get_their_own_buttons_and_place() {
        let t = &crate::i18n::EN;
        let four = TaskView {
            engine: EngineKind::Openai,
            images: vec![image("/1.png"), image("/2.png")],
            buttons: vec![
                button("edit-1", TaskAction::Variation, Some(1)),
                button("edit-2", TaskAction::Variation, Some(2)),
            ],
            ..finished("o")
        };
        let shots = shots_of(t, &four);
        assert_eq!(shots.len(), 2);
        assert!(!shots[1].grid);
        assert_eq!(shots[1].src, "/2.png");
        assert_eq!(shots[1].n, 1);
        assert_eq!(
            shots[1]
                .buttons
                .iter()
                .map(|b| b.custom_id.as_str())
                .collect::<Vec<_>>(),
            ["edit-2"]
        );
        assert_eq!(shots[1].alt, "a red fox (Picture 2 of 2)");
        // The page's list finds a task's picture by its task and place.
        let mut all = shots_of(t, &finished_with_image("x"));
        all.extend(shots);
        assert_eq!(place_of(&all, "o", 1), Some(2));
        assert_eq!(place_of(&all, "o", 5), None);
    }

    fn finished_with_image(id: &str) -> TaskView {
        TaskView {
            image_url: Some(format!("/{id}.png")),
            ..finished(id)
        }
    }

    #[test]
    fn nothing_to_show_for_unfinished_tasks_and_describes() {
        let t = &crate::i18n::EN;
        let queued = TaskView {
            image_url: Some("/p.png".into()),
            ..TaskView::placeholder("q")
        };
        assert!(shots_of(t, &queued).is_empty());
        let describe = TaskView {
            action: TaskAction::Describe,
            text: Some("1. a fox".into()),
            ..finished_with_image("d")
        };
        assert!(shots_of(t, &describe).is_empty());
        assert_eq!(shots_of(t, &finished_with_image("u")).len(), 1);
    }
}
