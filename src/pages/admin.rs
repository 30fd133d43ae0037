//! `/admin`: settings, channels, users and the overview (administrators only).

mod channels;
mod engines;
mod invites;
mod overview;
mod settings;
mod users;

pub use channels::AdminChannelsPage;
pub use engines::AdminEnginesPage;
pub use invites::AdminInvitesPage;
pub use overview::AdminOverviewPage;
pub use settings::AdminPage;
pub use users::{AdminUserPage, AdminUsersPage};

use crate::i18n::use_texts;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The tabs above every admin page.
#[component]
fn Tabs() -> impl IntoView {
    let t = use_texts();
    let path = use_location().pathname;
    let tab = move |href: &'static str, label: &'static str| {
        view! {
            <a href=href aria-current=move || (path.get() == href).then_some("page")
               class="rounded-t px-3 py-2 text-sm hover:bg-stone-100 aria-[current=page]:border-b-2 aria-[current=page]:border-indigo-600 aria-[current=page]:font-semibold dark:hover:bg-stone-800">
                {label}
            </a>
        }
    };
    view! {
        <h1 class="text-2xl font-semibold">{t.admin_title}</h1>
        <nav aria-label=t.admin_title class="mt-3 flex flex-wrap gap-1 border-b border-stone-200 dark:border-stone-800">
            {tab("/admin", t.admin.tab_settings)}
            {tab("/admin/channels", t.admin.tab_channels)}
            {tab("/admin/engines", t.admin.tab_engines)}
            {tab("/admin/users", t.admin.tab_users)}
            {tab("/admin/invites", t.admin.tab_invites)}
            {tab("/admin/overview", t.admin.tab_overview)}
        </nav>
    }
}

const INPUT: &str = "mt-1 block w-full rounded border border-stone-300 bg-white px-2 py-1 aria-[invalid=true]:border-red-600 dark:border-stone-700 dark:bg-stone-900";
const BUTTON: &str = "rounded bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50";
const BUTTON_LIGHT: &str = "rounded border border-stone-300 px-3 py-1 text-sm hover:bg-stone-100 disabled:opacity-50 dark:border-stone-700 dark:hover:bg-stone-800";
