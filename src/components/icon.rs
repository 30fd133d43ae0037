//! The site's icons: one stroked SVG path each, drawn in the text's colour, so they look the same
//! on every system (emoji need a font that is not always there) and weigh a few bytes.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Menu,
    Close,
    ChevronLeft,
    ChevronRight,
    ArrowLeft,
    ArrowRight,
    ArrowUp,
    ArrowDown,
    Image,
    Sliders,
    Bookmark,
    Layers,
    Download,
    Copy,
    Star,
    FolderPlus,
    Share,
    Refresh,
    ZoomIn,
    ZoomOut,
    Maximize,
    Sparkles,
    Brush,
    Square,
    Info,
    Stop,
    Globe,
    LogOut,
    Wand,
    Expand,
}

impl Icon {
    /// The path, on a 24 x 24 grid.
    fn path(self) -> &'static str {
        match self {
            Icon::Menu => "M4 6h16M4 12h16M4 18h16",
            Icon::Close => "M6 6l12 12M18 6L6 18",
            Icon::ChevronLeft => "M15 5l-7 7 7 7",
            Icon::ChevronRight => "M9 5l7 7-7 7",
            Icon::ArrowLeft => "M20 12H5M11 6l-6 6 6 6",
            Icon::ArrowRight => "M4 12h15M13 6l6 6-6 6",
            Icon::ArrowUp => "M12 20V5M6 11l6-6 6 6",
            Icon::ArrowDown => "M12 4v15M6 13l6 6 6-6",
            Icon::Image => {
                "M5 4h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM21 15l-5-5-10 10M8.5 7.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 1 0 0-3z"
            }
            Icon::Sliders => "M4 7h9M17 7h3M4 17h3M11 17h9M15 5v4M9 15v4",
            Icon::Bookmark => "M6 3h12v18l-6-4-6 4z",
            Icon::Layers => "M12 3l9 5-9 5-9-5zM3 13l9 5 9-5",
            Icon::Download => "M12 4v11M7 10l5 5 5-5M5 20h14",
            Icon::Copy => "M9 9h11v11H9zM5 15H4V4h11v1",
            Icon::Star => {
                "M12 3l2.8 5.7 6.2.9-4.5 4.4 1.1 6.2L12 17.3l-5.6 2.9 1.1-6.2L3 9.6l6.2-.9z"
            }
            Icon::FolderPlus => {
                "M3 6.5A1.5 1.5 0 0 1 4.5 5H9l2 2h8.5A1.5 1.5 0 0 1 21 8.5v9a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5zM12 10v6M9 13h6"
            }
            Icon::Share => "M4 13v6a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-6M12 3v12M7 8l5-5 5 5",
            Icon::Refresh => "M20 12a8 8 0 1 1-2.3-5.7M20 4v5h-5",
            Icon::ZoomIn => "M11 4a7 7 0 1 0 0 14 7 7 0 1 0 0-14zM20 20l-4-4M11 8v6M8 11h6",
            Icon::ZoomOut => "M11 4a7 7 0 1 0 0 14 7 7 0 1 0 0-14zM20 20l-4-4M8 11h6",
            Icon::Maximize => "M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5",
            Icon::Sparkles => {
                "M10 3l1.6 4.4L16 9l-4.4 1.6L10 15l-1.6-4.4L4 9l4.4-1.6zM18 14l.8 2.2L21 17l-2.2.8L18 20l-.8-2.2L15 17l2.2-.8z"
            }
            Icon::Brush => "M15 4l5 5-10 10H5v-5zM12 7l5 5",
            Icon::Square => "M5 5h14v14H5z",
            Icon::Info => "M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18zM12 11v6M12 7.5v.5",
            Icon::Stop => "M7 7h10v10H7z",
            Icon::Globe => {
                "M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18zM3 12h18M12 3c3 3.5 3 14.5 0 18M12 3c-3 3.5-3 14.5 0 18"
            }
            Icon::LogOut => "M14 4h5v16h-5M10 8l-4 4 4 4M6 12h10",
            Icon::Wand => {
                "M4 20L15 9M13 5l.7 1.8L15.5 7.5l-1.8.7L13 10l-.7-1.8-1.8-.7 1.8-.7zM19 11l.5 1.3 1.3.5-1.3.5L19 14.5l-.5-1.2-1.3-.5 1.3-.5z"
            }
            Icon::Expand => "M14 4h6v6M10 20H4v-6M20 4l-7 7M4 20l7-7",
        }
    }
}

/// An icon, hidden from screen readers: the control it sits in carries the words.
#[component]
pub fn Glyph(
    icon: Icon,
    /// Tailwind size classes; 1.25 rem square by default.
    #[prop(default = "h-5 w-5")]
    class: &'static str,
) -> impl IntoView {
    view! {
        <svg
            class=format!("{class} shrink-0")
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            <path d=icon.path() />
        </svg>
    }
}

/// The favourite star: outlined, or filled when on.
#[component]
pub fn StarGlyph(on: Signal<bool>) -> impl IntoView {
    view! {
        <svg
            class="h-5 w-5 shrink-0"
            viewBox="0 0 24 24"
            fill=move || if on.get() { "currentColor" } else { "none" }
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            <path d=Icon::Star.path() />
        </svg>
    }
}
