//! The HTML shell and the router.

use crate::components::page_title::PageTitle;
use crate::{
    components::{
        header::Header,
        require::{RequireAdmin, RequireUser},
    },
    i18n::provide_lang,
    pages::{
        account::AccountPage,
        admin::{
            AdminChannelsPage, AdminEnginesPage, AdminInvitesPage, AdminOverviewPage, AdminPage,
            AdminUserPage, AdminUsersPage,
        },
        auth::{LoginPage, SignupPage},
        collections::CollectionsPage,
        errors::NotFound,
        gallery::{GalleryItemPage, GalleryListPage, SharedPage},
        generate::GeneratePage,
        history::HistoryPage,
        landing::LandingPage,
        task::TaskPage,
    },
    session::{Balance, Session},
};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute, SsrMode,
    components::{Route, Router, Routes},
    lazy_route, path,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = provide_lang();
    #[cfg(feature = "ssr")]
    set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-stone-50 text-stone-900 antialiased dark:bg-stone-950 dark:text-stone-100">
                <App />
            </body>
        </html>
    }
}

/// The Content-Security-Policy of a page: scripts only from Atelier itself, and inline ones only
/// with this answer's nonce (leptos_axum makes one per request and puts it on the hydration
/// script and on every streamed data chunk); WebAssembly may be compiled. Styles come from the
/// stylesheet (a `style` attribute, as for progress bars, is allowed); nothing is framed.
#[cfg(feature = "ssr")]
fn set_page_policy() {
    let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = crate::http::csp::page_policy(&nonce.to_string());
    if let Ok(value) = axum::http::HeaderValue::from_str(&policy) {
        res.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = provide_lang();
    Session::provide();
    provide_context(Balance(RwSignal::new(None)));
    view! {
        <PageTitle text=lang.texts().app_name />
        <Router>
            <Header />
            <main class="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6">
                <Routes fallback=NotFound>
                    <Route
                        path=path!("/")
                        ssr=SsrMode::Async
                        view=|| view! { <RequireUser signed_out=|| view! { <LandingPage /> }><GeneratePage /></RequireUser> }
                    />
                    <Route
                        path=path!("/history")
                        ssr=SsrMode::Async
                        view={Lazy::<HistoryRoute>::new()}
                    />
                    <Route
                        path=path!("/collections")
                        ssr=SsrMode::Async
                        view={Lazy::<CollectionsRoute>::new()}
                    />
                    <Route
                        path=path!("/history/:id")
                        ssr=SsrMode::Async
                        view={Lazy::<TaskRoute>::new()}
                    />
                    <Route
                        path=path!("/account")
                        ssr=SsrMode::Async
                        view={Lazy::<AccountRoute>::new()}
                    />
                    <Route
                        path=path!("/admin")
                        ssr=SsrMode::Async
                        view={Lazy::<AdminRoute>::new()}
                    />
                    <Route
                        path=path!("/admin/channels")
                        ssr=SsrMode::Async
                        view={Lazy::<AdminChannelsRoute>::new()}
                    />
                    <Route
                        path=path!("/admin/users")
                        ssr=SsrMode::Async
                        view={Lazy::<AdminUsersRoute>::new()}
                    />
                    <Route
                        path=path!("/admin/users/:id")
                        ssr=SsrMode::Async
                        view={Lazy::<AdminUserRoute>::new()}
                    />
                    <Route
                        path=path!("/admin/engines")
                        ssr=SsrMode::Async
                        view={Lazy::<AdminEnginesRoute>::new()}
                    />
                    <Route
                        path=path!("/admin/invites")
                        ssr=SsrMode::Async
                        view={Lazy::<AdminInvitesRoute>::new()}
                    />
                    <Route
                        path=path!("/admin/overview")
                        ssr=SsrMode::Async
                        view={Lazy::<AdminOverviewRoute>::new()}
                    />
                    <Route
                        path=path!("/s/:token")
                        ssr=SsrMode::Async
                        view={Lazy::<SharedRoute>::new()}
                    />
                    <Route
                        path=path!("/gallery")
                        ssr=SsrMode::Async
                        view={Lazy::<GalleryRoute>::new()}
                    />
                    <Route
                        path=path!("/gallery/:id")
                        ssr=SsrMode::Async
                        view={Lazy::<GalleryItemRoute>::new()}
                    />
                    <Route
                        path=path!("/login")
                        ssr=SsrMode::Async
                        view={Lazy::<LoginRoute>::new()}
                    />
                    <Route
                        path=path!("/signup")
                        ssr=SsrMode::Async
                        view={Lazy::<SignupRoute>::new()}
                    />
                </Routes>
            </main>
        </Router>
    }
}

/// Pages whose code is loaded when first visited, not with the rest of the site (a release build
/// with `--split` puts each in its own WASM chunk; the Generate page, where a signed-in visit
/// starts, and what every page shares stay in the main module).
macro_rules! lazy_pages {
    ($($route:ident => { $($page:tt)* }),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { $($page)* }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    HistoryRoute => { <RequireUser><HistoryPage /></RequireUser> },
    TaskRoute => { <RequireUser><TaskPage /></RequireUser> },
    CollectionsRoute => { <RequireUser><CollectionsPage /></RequireUser> },
    AccountRoute => { <RequireUser><AccountPage /></RequireUser> },
    AdminRoute => { <RequireAdmin><AdminPage /></RequireAdmin> },
    AdminChannelsRoute => { <RequireAdmin><AdminChannelsPage /></RequireAdmin> },
    AdminUsersRoute => { <RequireAdmin><AdminUsersPage /></RequireAdmin> },
    AdminUserRoute => { <RequireAdmin><AdminUserPage /></RequireAdmin> },
    AdminOverviewRoute => { <RequireAdmin><AdminOverviewPage /></RequireAdmin> },
    AdminInvitesRoute => { <RequireAdmin><AdminInvitesPage /></RequireAdmin> },
    AdminEnginesRoute => { <RequireAdmin><AdminEnginesPage /></RequireAdmin> },
    SharedRoute => { <SharedPage /> },
    GalleryRoute => { <GalleryListPage /> },
    GalleryItemRoute => { <GalleryItemPage /> },
    LoginRoute => { <LoginPage /> },
    SignupRoute => { <SignupPage /> },
}
