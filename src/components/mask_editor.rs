//! The mask editor: paint the part of a picture to repaint (Vary (Region), an OpenAI edit, a
//! Stable Diffusion inpaint) with rectangles and freehand lassos, by mouse, touch or keyboard;
//! undo, clear and invert. The mask leaves the page as a PNG of the picture's size, white where it
//! repaints and black elsewhere, as the upstreams take it.
//!
//! What is painted is a list of steps (`Draft`), replayed in order: a shape paints its inside, an
//! inversion flips every pixel. `Draft::covers` says what a pixel ends as; the canvas drawing
//! follows the same steps (a shape filled with the non-zero rule, an inversion as `xor`), so the
//! tests of the model are tests of what is sent.

use crate::components::icon::{Glyph, Icon};
use crate::i18n::use_texts;
use leptos::{html, prelude::*};

/// A point of the picture, as a fraction of its width and height (0 to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pt {
    pub x: f64,
    pub y: f64,
}

impl Pt {
    pub fn new(x: f64, y: f64) -> Self {
        Self {
            x: x.clamp(0.0, 1.0),
            y: y.clamp(0.0, 1.0),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Two opposite corners.
    Rect(Pt, Pt),
    /// A closed freehand outline.
    Lasso(Vec<Pt>),
}

/// Below this (a fraction of the side), a rectangle is a slip of the mouse, not a region.
const SMALLEST: f64 = 0.01;
/// A lasso adds a point when the pointer moved this far (a fraction of the side).
const LASSO_STEP: f64 = 0.005;
/// How far an arrow key moves or grows the keyboard's rectangle.
pub const KEY_STEP: f64 = 0.05;

impl Shape {
    /// A shape the pointer starts drawing with `tool` at `at`.
    pub fn start(tool: Tool, at: Pt) -> Self {
        match tool {
            Tool::Rect => Shape::Rect(at, at),
            Tool::Lasso => Shape::Lasso(vec![at]),
        }
    }

    /// The pointer moved on to `to`: the rectangle's far corner, or the lasso's next point.
    pub fn extend(&mut self, to: Pt) {
        match self {
            Shape::Rect(_, end) => *end = to,
            Shape::Lasso(pts) => {
                let far = pts.last().is_none_or(|last| {
                    (last.x - to.x).abs() >= LASSO_STEP || (last.y - to.y).abs() >= LASSO_STEP
                });
                if far {
                    pts.push(to);
                }
            }
        }
    }

    /// Whether it encloses a region worth painting.
    fn is_region(&self) -> bool {
        match self {
            Shape::Rect(a, b) => (a.x - b.x).abs() >= SMALLEST && (a.y - b.y).abs() >= SMALLEST,
            Shape::Lasso(pts) => pts.len() >= 3 && area(pts).abs() >= SMALLEST * SMALLEST,
        }
    }

    /// The outline, as the canvas draws it.
    pub fn outline(&self) -> Vec<Pt> {
        match self {
            Shape::Rect(a, b) => vec![*a, Pt { x: b.x, y: a.y }, *b, Pt { x: a.x, y: b.y }],
            Shape::Lasso(pts) => pts.clone(),
        }
    }

    /// Inside by the non-zero winding rule (the canvas's default fill rule).
    fn contains(&self, p: Pt) -> bool {
        let pts = self.outline();
        let mut winding = 0i32;
        for (i, a) in pts.iter().enumerate() {
            let b = pts[(i + 1) % pts.len()];
            let cross = (b.x - a.x) * (p.y - a.y) - (p.x - a.x) * (b.y - a.y);
            if a.y <= p.y {
                if b.y > p.y && cross > 0.0 {
                    winding += 1;
                }
            } else if b.y <= p.y && cross < 0.0 {
                winding -= 1;
            }
        }
        winding != 0
    }
}

/// Twice the signed area of a polygon.
fn area(pts: &[Pt]) -> f64 {
    (0..pts.len())
        .map(|i| {
            let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
            a.x * b.y - b.x * a.y
        })
        .sum()
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Paint(Shape),
    Invert,
}

/// What has been painted so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    steps: Vec<Step>,
}

impl Draft {
    /// Paints a shape; false (and nothing changes) when it encloses no region.
    pub fn paint(&mut self, shape: Shape) -> bool {
        let region = shape.is_region();
        if region {
            self.steps.push(Step::Paint(shape));
        }
        region
    }

    pub fn invert(&mut self) {
        // Two inversions in a row cancel out: one undo step less.
        if self.steps.last() == Some(&Step::Invert) {
            self.steps.pop();
        } else {
            self.steps.push(Step::Invert);
        }
    }

    /// Takes back the last step; false when there is none.
    pub fn undo(&mut self) -> bool {
        self.steps.pop().is_some()
    }

    pub fn clear(&mut self) {
        self.steps.clear();
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Whether this point ends up repainted.
    pub fn covers(&self, p: Pt) -> bool {
        self.steps.iter().fold(false, |on, step| match step {
            Step::Paint(shape) => on || shape.contains(p),
            Step::Invert => !on,
        })
    }

    /// Whether anything is repainted: some pixel white (sampled on a fine grid, as a person
    /// would see it; a shape always covers some of the grid, being at least `SMALLEST` wide).
    pub fn paints_something(&self) -> bool {
        const N: usize = 200;
        let grid = |i: usize| (i as f64 + 0.5) / N as f64;
        (0..N).any(|i| (0..N).any(|j| self.covers(Pt::new(grid(i), grid(j)))))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Rect,
    Lasso,
}

/// The rectangle the keyboard moves (arrows) and sizes (Shift+arrows) before painting it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Default for Cursor {
    fn default() -> Self {
        Self {
            x: 0.35,
            y: 0.35,
            w: 0.3,
            h: 0.3,
        }
    }
}

impl Cursor {
    /// Moves by (dx, dy), staying on the picture.
    pub fn nudge(&mut self, dx: f64, dy: f64) {
        self.x = (self.x + dx).clamp(0.0, 1.0 - self.w);
        self.y = (self.y + dy).clamp(0.0, 1.0 - self.h);
    }

    /// Grows or shrinks by (dw, dh), at least one step and at most the picture.
    pub fn grow(&mut self, dw: f64, dh: f64) {
        self.w = (self.w + dw).clamp(KEY_STEP, 1.0 - self.x);
        self.h = (self.h + dh).clamp(KEY_STEP, 1.0 - self.y);
    }

    pub fn shape(&self) -> Shape {
        Shape::Rect(
            Pt::new(self.x, self.y),
            Pt::new(self.x + self.w, self.y + self.h),
        )
    }
}

/// What a key does in the editor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Command {
    Move(f64, f64),
    Grow(f64, f64),
    PaintCursor,
    Undo,
    Invert,
    Clear,
}

/// Arrows move the keyboard's rectangle, Shift+arrows size it, Enter or Space paints it; Ctrl+Z
/// (or Backspace) undoes, I inverts, Delete clears.
pub fn command(key: &str, shift: bool, ctrl: bool) -> Option<Command> {
    let arrow = match key {
        "ArrowLeft" => Some((-KEY_STEP, 0.0)),
        "ArrowRight" => Some((KEY_STEP, 0.0)),
        "ArrowUp" => Some((0.0, -KEY_STEP)),
        "ArrowDown" => Some((0.0, KEY_STEP)),
        _ => None,
    };
    if let Some((dx, dy)) = arrow {
        return Some(if shift {
            Command::Grow(dx, dy)
        } else {
            Command::Move(dx, dy)
        });
    }
    match key {
        "Enter" | " " => Some(Command::PaintCursor),
        "z" | "Z" if ctrl => Some(Command::Undo),
        "Backspace" => Some(Command::Undo),
        "i" | "I" if !ctrl => Some(Command::Invert),
        "Delete" => Some(Command::Clear),
        _ => None,
    }
}

/// What a page keeps of an editor: the steps, and the size of the picture under it (the mask's).
#[derive(Clone, Copy)]
pub struct MaskState {
    pub draft: RwSignal<Draft>,
    pub size: RwSignal<(u32, u32)>,
}

impl MaskState {
    pub fn new() -> Self {
        Self {
            draft: RwSignal::new(Draft::default()),
            size: RwSignal::new((1024, 1024)),
        }
    }

    /// The mask as a PNG data URL (white repaints), if anything is painted.
    pub fn data_url(&self) -> Option<String> {
        if !self.draft.with_untracked(Draft::paints_something) {
            return None;
        }
        #[cfg(feature = "hydrate")]
        {
            let (w, h) = self.size.get_untracked();
            self.draft.with_untracked(|d| canvas::export(d, w, h))
        }
        #[cfg(not(feature = "hydrate"))]
        None
    }
}

impl Default for MaskState {
    fn default() -> Self {
        Self::new()
    }
}

/// The editor over a picture: the painted part shown tinted, the tools below it. Its code is
/// loaded when an editor is first shown (see `components::later`).
#[component]
pub fn MaskEditor(
    image_url: Signal<String>,
    state: MaskState,
    /// Ids in the page start with it (one editor per task).
    id: String,
) -> impl IntoView {
    crate::components::later::now(move || mask_editor_view(image_url, state, id.clone()))
}

#[leptos::lazy]
fn mask_editor_view(image_url: Signal<String>, state: MaskState, id: String) -> AnyView {
    view! { <Editor image_url state id /> }.into_any()
}

#[component]
fn Editor(image_url: Signal<String>, state: MaskState, id: String) -> impl IntoView {
    let t = use_texts();
    let st = &t.studio;
    let tool = RwSignal::new(Tool::Rect);
    let stroke = RwSignal::new(None::<Shape>);
    let cursor = RwSignal::new(Cursor::default());
    // The dashed box shows while the keyboard works the editor (not after a click or a touch).
    let focused = RwSignal::new(false);
    let pointing = RwSignal::new(false);
    let canvas_ref = NodeRef::<html::Canvas>::new();
    let image_ref = NodeRef::<html::Img>::new();
    let draft = state.draft;
    // What was last done, said to screen readers.
    let said = RwSignal::new(String::new());

    // A picture loaded before the page came alive fired its load event unheard: read its size.
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        if let Some(img) = image_ref.get()
            && img.complete()
            && img.natural_width() > 0
        {
            state.size.set((img.natural_width(), img.natural_height()));
        }
    });
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        let (w, h) = state.size.get();
        let shown = canvas::Shown {
            stroke: stroke.get(),
            cursor: focused.get().then(|| cursor.get()),
        };
        if let Some(c) = canvas_ref.get() {
            draft.with(|d| canvas::draw(&c, d, &shown, w, h));
        }
    });
    let at = move |ev: &leptos::ev::PointerEvent| -> Option<Pt> {
        #[cfg(feature = "hydrate")]
        {
            let c = canvas_ref.get_untracked()?;
            let r = c.get_bounding_client_rect();
            if r.width() <= 0.0 || r.height() <= 0.0 {
                return None;
            }
            Some(Pt::new(
                (f64::from(ev.client_x()) - r.left()) / r.width(),
                (f64::from(ev.client_y()) - r.top()) / r.height(),
            ))
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = ev;
            None
        }
    };
    let done = move |shape: Shape| {
        let mut painted = false;
        draft.update(|d| painted = d.paint(shape));
        if painted {
            said.set(st.mask_painted.to_owned());
        }
    };
    let run = move |c: Command| match c {
        Command::Move(dx, dy) => cursor.update(|k| k.nudge(dx, dy)),
        Command::Grow(dw, dh) => cursor.update(|k| k.grow(dw, dh)),
        Command::PaintCursor => done(cursor.get_untracked().shape()),
        Command::Undo => {
            draft.update(|d| {
                d.undo();
            });
            said.set(st.mask_undone.to_owned());
        }
        Command::Invert => {
            draft.update(Draft::invert);
            said.set(st.mask_inverted.to_owned());
        }
        Command::Clear => {
            draft.update(Draft::clear);
            said.set(st.mask_cleared.to_owned());
        }
    };
    let help_id = format!("{id}-mask-help");
    let tool_button = move |this: Tool, label: &'static str| {
        view! {
            <button
                type="button"
                aria-pressed=move || (tool.get() == this).to_string()
                class="rounded border border-stone-300 px-2 py-1 aria-pressed:border-indigo-600 aria-pressed:bg-indigo-50 dark:border-stone-700 dark:aria-pressed:bg-indigo-950"
                on:click=move |_| tool.set(this)
            >
                {label}
            </button>
        }
    };
    let plain = "rounded border border-stone-300 px-2 py-1 hover:bg-stone-100 disabled:opacity-50 dark:border-stone-700 dark:hover:bg-stone-800";
    // Full screen: the picture as large as the screen allows, in the viewer's dark frame, above
    // the page (which stops scrolling); Escape or Done brings it back into its card.
    let full = RwSignal::new(false);
    let toggle_id = format!("{id}-mask-full");
    let canvas_id = format!("{id}-mask-canvas");
    let set_full = {
        let (toggle_id, canvas_id) = (toggle_id.clone(), canvas_id.clone());
        Callback::new(move |on: bool| {
            full.set(on);
            crate::browser::lock_scroll(on);
            let target = if on {
                canvas_id.clone()
            } else {
                toggle_id.clone()
            };
            request_animation_frame(move || crate::browser::focus(&target));
        })
    };
    on_cleanup(move || {
        if full.get_untracked() {
            crate::browser::lock_scroll(false);
        }
    });
    let frame = move || {
        if full.get() {
            "fixed inset-0 z-50 flex flex-col items-center gap-3 overflow-auto bg-stone-950 p-3 text-stone-100 sm:p-6"
        } else {
            "space-y-2"
        }
    };
    view! {
        <div
            class=frame
            data-testid="mask-editor"
            // An ancestor with a backdrop filter (the prompt bar) would hold a fixed box inside
            // itself: it drops its filter while this is set (`has-[[data-mask-full]]`).
            data-mask-full=move || full.get().then_some("")
            role=move || full.get().then_some("dialog")
            aria-modal=move || full.get().then_some("true")
            aria-label=move || full.get().then_some(st.mask_label)
            on:keydown=move |ev| {
                if !full.get_untracked() {
                    return;
                }
                match ev.key().as_str() {
                    "Escape" => {
                        ev.prevent_default();
                        ev.stop_propagation();
                        set_full.run(false);
                    }
                    // Focus stays in the full-screen editor.
                    "Tab" if crate::browser::wrap_tab("[data-testid=mask-editor][role=dialog]", ev.shift_key()) => ev.prevent_default(),
                    _ => {}
                }
            }
        >
            <div class=move || if full.get() { "relative w-fit select-none" } else { "relative select-none" }>
                <img
                    node_ref=image_ref
                    src=move || image_url.get()
                    alt=""
                    class=move || if full.get() { "block max-h-[calc(100dvh-9rem)] w-auto max-w-full rounded" } else { "block w-full rounded" }
                    on:load=move |ev| {
                        #[cfg(feature = "hydrate")]
                        {
                            use wasm_bindgen::JsCast;
                            if let Some(img) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlImageElement>().ok())
                                && img.natural_width() > 0
                            {
                                state.size.set((img.natural_width(), img.natural_height()));
                            }
                        }
                        #[cfg(not(feature = "hydrate"))]
                        let _ = ev;
                    }
                />
                <canvas
                    node_ref=canvas_ref
                    id=canvas_id
                    tabindex="0"
                    role="img"
                    aria-label=st.mask_label
                    aria-describedby=help_id.clone()
                    data-testid="mask-canvas"
                    class="absolute inset-0 h-full w-full cursor-crosshair rounded opacity-60 focus:outline-none focus:ring-2 focus:ring-indigo-500"
                    style="touch-action: none"
                    on:focus=move |_| focused.set(!pointing.get_untracked())
                    on:blur=move |_| focused.set(false)
                    on:pointerdown=move |ev| {
                        if ev.button() != 0 {
                            return;
                        }
                        ev.prevent_default();
                        pointing.set(true);
                        focused.set(false);
                        #[cfg(feature = "hydrate")]
                        if let Some(c) = canvas_ref.get_untracked() {
                            let _ = c.set_pointer_capture(ev.pointer_id());
                            let _ = c.focus();
                        }
                        if let Some(p) = at(&ev) {
                            stroke.set(Some(Shape::start(tool.get_untracked(), p)));
                        }
                    }
                    on:pointermove=move |ev| {
                        if stroke.with_untracked(Option::is_some) && let Some(p) = at(&ev) {
                            stroke.update(|s| if let Some(s) = s { s.extend(p) });
                        }
                    }
                    on:pointerup=move |ev| {
                        if let Some(p) = at(&ev) {
                            stroke.update(|s| if let Some(s) = s { s.extend(p) });
                        }
                        pointing.set(false);
                        if let Some(s) = stroke.get_untracked() {
                            stroke.set(None);
                            done(s);
                        }
                    }
                    on:pointercancel=move |_| {
                        pointing.set(false);
                        stroke.set(None);
                    }
                    on:keydown=move |ev| {
                        if let Some(c) = command(&ev.key(), ev.shift_key(), ev.ctrl_key() || ev.meta_key()) {
                            ev.prevent_default();
                            focused.set(true);
                            run(c);
                        }
                    }
                ></canvas>
            </div>
            // In full screen, the tools sit on a light panel under the picture.
            <div class=move || if full.get() { "w-full max-w-3xl space-y-2 rounded-lg bg-white p-3 text-stone-900 dark:bg-stone-900 dark:text-stone-100" } else { "space-y-2" }>
            <p id=help_id class="text-xs text-stone-500">{st.mask_help}</p>
            <div class="flex flex-wrap gap-2 text-sm" role="toolbar" aria-label=st.mask_label>
                {tool_button(Tool::Rect, st.mask_rect)}
                {tool_button(Tool::Lasso, st.mask_lasso)}
                <button type="button" class=plain data-testid="mask-undo" disabled=move || draft.with(Draft::is_empty) on:click=move |_| run(Command::Undo)>{st.mask_undo}</button>
                <button type="button" class=plain data-testid="mask-clear" disabled=move || draft.with(Draft::is_empty) on:click=move |_| run(Command::Clear)>{st.mask_clear}</button>
                <button type="button" class=plain data-testid="mask-invert" on:click=move |_| run(Command::Invert)>{st.mask_invert}</button>
                <button
                    type="button"
                    id=toggle_id
                    class=plain
                    data-testid="mask-full"
                    aria-pressed=move || full.get().to_string()
                    on:click=move |_| set_full.run(!full.get_untracked())
                >
                    <span class="inline-flex items-center gap-1">
                        <Glyph icon=Icon::Maximize class="h-4 w-4" />
                        {move || if full.get() { st.mask_done } else { st.mask_full }}
                    </span>
                </button>
            </div>
            </div>
            <p class="sr-only" role="status">{move || said.get()}</p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod canvas {
    use super::{Cursor, Draft, Shape, Step};
    use wasm_bindgen::JsCast;
    use web_sys::{CanvasRenderingContext2d as Ctx, HtmlCanvasElement};

    /// What is drawn on top of the steps: the shape under the pointer, the keyboard's rectangle.
    pub struct Shown {
        pub stroke: Option<Shape>,
        pub cursor: Option<Cursor>,
    }

    const TINT: &str = "#4f46e5";

    fn context(c: &HtmlCanvasElement) -> Option<Ctx> {
        c.get_context("2d").ok()??.dyn_into::<Ctx>().ok()
    }

    fn trace(ctx: &Ctx, shape: &Shape, w: f64, h: f64) {
        let pts = shape.outline();
        ctx.begin_path();
        for (i, p) in pts.iter().enumerate() {
            if i == 0 {
                ctx.move_to(p.x * w, p.y * h);
            } else {
                ctx.line_to(p.x * w, p.y * h);
            }
        }
        ctx.close_path();
    }

    /// The steps, in `colour` on a clear canvas: a shape fills its inside, an inversion flips
    /// every pixel (`xor` of an opaque rectangle), as `Draft::covers` says.
    fn paint(ctx: &Ctx, draft: &Draft, colour: &str, w: f64, h: f64) {
        ctx.clear_rect(0.0, 0.0, w, h);
        ctx.set_fill_style_str(colour);
        for step in draft.steps() {
            match step {
                Step::Paint(shape) => {
                    trace(ctx, shape, w, h);
                    ctx.fill();
                }
                Step::Invert => {
                    let _ = ctx.set_global_composite_operation("xor");
                    ctx.fill_rect(0.0, 0.0, w, h);
                    let _ = ctx.set_global_composite_operation("source-over");
                }
            }
        }
    }

    pub fn draw(c: &HtmlCanvasElement, draft: &Draft, shown: &Shown, w: u32, h: u32) {
        if c.width() != w || c.height() != h {
            c.set_width(w);
            c.set_height(h);
        }
        let Some(ctx) = context(c) else { return };
        let (w, h) = (f64::from(w), f64::from(h));
        paint(&ctx, draft, TINT, w, h);
        let line = (w.max(h) / 300.0).max(1.0);
        ctx.set_line_width(line);
        if let Some(stroke) = &shown.stroke {
            ctx.set_fill_style_str(TINT);
            trace(&ctx, stroke, w, h);
            ctx.fill();
        }
        if let Some(k) = shown.cursor {
            ctx.set_stroke_style_str("#f59e0b");
            let dash = js_sys::Array::of2(&(line * 4.0).into(), &(line * 3.0).into());
            let _ = ctx.set_line_dash(&dash);
            ctx.stroke_rect(k.x * w, k.y * h, k.w * w, k.h * h);
            let _ = ctx.set_line_dash(&js_sys::Array::new());
        }
    }

    /// The mask as a PNG data URL of w x h: white where it repaints, black elsewhere.
    pub fn export(draft: &Draft, w: u32, h: u32) -> Option<String> {
        let c = leptos::prelude::document()
            .create_element("canvas")
            .ok()?
            .dyn_into::<HtmlCanvasElement>()
            .ok()?;
        c.set_width(w);
        c.set_height(h);
        let ctx = context(&c)?;
        let (w, h) = (f64::from(w), f64::from(h));
        paint(&ctx, draft, "#ffffff", w, h);
        let _ = ctx.set_global_composite_operation("destination-over");
        ctx.set_fill_style_str("#000000");
        ctx.fill_rect(0.0, 0.0, w, h);
        c.to_data_url().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Shape {
        Shape::Rect(Pt::new(x0, y0), Pt::new(x1, y1))
    }

    #[test]
    fn a_rectangle_paints_its_inside_only() {
        let mut d = Draft::default();
        assert!(d.paint(rect(0.6, 0.6, 0.2, 0.2)), "corners in any order");
        assert!(d.covers(Pt::new(0.4, 0.4)));
        assert!(!d.covers(Pt::new(0.1, 0.4)));
        assert!(!d.covers(Pt::new(0.7, 0.7)));
        assert!(d.paints_something());
    }

    #[test]
    fn a_slip_of_the_mouse_paints_nothing() {
        let mut d = Draft::default();
        assert!(!d.paint(rect(0.5, 0.5, 0.5, 0.5)));
        assert!(!d.paint(Shape::Lasso(vec![Pt::new(0.1, 0.1), Pt::new(0.5, 0.5)])));
        assert!(d.is_empty());
        assert!(!d.paints_something());
    }

    #[test]
    fn a_lasso_paints_what_it_encloses() {
        let mut d = Draft::default();
        // A triangle: left half of the bottom.
        let tri = vec![Pt::new(0.0, 1.0), Pt::new(0.5, 0.0), Pt::new(1.0, 1.0)];
        assert!(d.paint(Shape::Lasso(tri)));
        assert!(d.covers(Pt::new(0.5, 0.9)));
        assert!(!d.covers(Pt::new(0.1, 0.1)));
        assert!(!d.covers(Pt::new(0.9, 0.2)));
    }

    #[test]
    fn invert_flips_and_later_shapes_paint_again() {
        let mut d = Draft::default();
        d.paint(rect(0.0, 0.0, 0.5, 0.5));
        d.invert();
        assert!(!d.covers(Pt::new(0.25, 0.25)));
        assert!(d.covers(Pt::new(0.75, 0.75)));
        d.paint(rect(0.0, 0.0, 0.2, 0.2));
        assert!(d.covers(Pt::new(0.1, 0.1)));
        assert!(!d.covers(Pt::new(0.3, 0.3)));
        // Inverting nothing paints everything.
        let mut all = Draft::default();
        all.invert();
        assert!(all.covers(Pt::new(0.5, 0.5)) && all.paints_something());
        all.invert();
        assert!(all.is_empty(), "two inversions cancel out");
    }

    #[test]
    fn undo_takes_back_one_step_and_clear_all() {
        let mut d = Draft::default();
        d.paint(rect(0.0, 0.0, 0.5, 0.5));
        d.paint(rect(0.5, 0.5, 1.0, 1.0));
        d.invert();
        assert!(d.undo());
        assert!(d.covers(Pt::new(0.75, 0.75)));
        assert!(d.undo());
        assert!(!d.covers(Pt::new(0.75, 0.75)));
        assert!(d.covers(Pt::new(0.25, 0.25)));
        d.clear();
        assert!(!d.undo());
        assert!(!d.paints_something());
    }

    #[test]
    fn a_lasso_stroke_keeps_points_that_moved() {
        let mut s = Shape::start(Tool::Lasso, Pt::new(0.1, 0.1));
        s.extend(Pt::new(0.1001, 0.1001));
        s.extend(Pt::new(0.5, 0.1));
        s.extend(Pt::new(0.5, 0.5));
        assert_eq!(s.outline().len(), 3);
        let mut r = Shape::start(Tool::Rect, Pt::new(0.1, 0.1));
        r.extend(Pt::new(0.3, 0.4));
        r.extend(Pt::new(0.6, 0.7));
        assert_eq!(r, rect(0.1, 0.1, 0.6, 0.7));
    }

    #[test]
    fn the_keyboard_rectangle_stays_on_the_picture() {
        let mut k = Cursor::default();
        for _ in 0..40 {
            k.nudge(KEY_STEP, KEY_STEP);
        }
        assert!((k.x + k.w - 1.0).abs() < 1e-9 && (k.y + k.h - 1.0).abs() < 1e-9);
        for _ in 0..40 {
            k.grow(-KEY_STEP, -KEY_STEP);
        }
        assert!((k.w - KEY_STEP).abs() < 1e-9, "never smaller than a step");
        let mut d = Draft::default();
        assert!(d.paint(k.shape()));
        assert!(d.covers(Pt::new(k.x + 0.02, k.y + 0.02)));
        assert!(
            !d.covers(Pt::new(0.99, 0.99)),
            "shrunk from its right and bottom"
        );
    }

    #[test]
    fn keys_map_to_commands() {
        assert_eq!(
            command("ArrowLeft", false, false),
            Some(Command::Move(-KEY_STEP, 0.0))
        );
        assert_eq!(
            command("ArrowDown", true, false),
            Some(Command::Grow(0.0, KEY_STEP))
        );
        assert_eq!(command("Enter", false, false), Some(Command::PaintCursor));
        assert_eq!(command("z", false, true), Some(Command::Undo));
        assert_eq!(command("z", false, false), None);
        assert_eq!(command("i", false, false), Some(Command::Invert));
        assert_eq!(command("Delete", false, false), Some(Command::Clear));
        assert_eq!(command("a", false, false), None);
    }
}
