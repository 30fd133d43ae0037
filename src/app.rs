//! The HTML shell, the router and the session every page shares.

use crate::codec::{PageData, page_data};
use crate::{
    components::{
        header::Header,
        require::{RequireAdmin, RequireUser},
    },
    error::AppError,
    i18n::provide_lang,
    pages::{
        account::AccountPage,
        admin::{AdminChannelsPage, AdminOverviewPage, AdminPage, AdminUserPage, AdminUsersPage},
        auth::{LoginPage, SignupPage},
        errors::NotFound,
        generate::GeneratePage,
        history::HistoryPage,
        task::TaskPage,
    },
    server_fns::auth::{GetMe, Login, Logout, Signup, get_me},
    types::Me,
};
use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute, SsrMode,
    components::{Route, Router, Routes},
    lazy_route, path,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = provide_lang();
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

/// The signed-in person (or none) and the actions that change it. Every page reads it; it is
/// fetched again whenever one of the actions completes.
#[derive(Clone, Copy)]
pub struct Session {
    pub login: ServerAction<Login>,
    pub signup: ServerAction<Signup>,
    pub logout: ServerAction<Logout>,
    pub me: PageData<Result<Option<Me>, AppError>>,
}

impl Session {
    fn provide() -> Self {
        let login = ServerAction::<Login>::new();
        let signup = ServerAction::<Signup>::new();
        let logout = ServerAction::<Logout>::new();
        let me = page_data(
            move || {
                (
                    login.version().get(),
                    signup.version().get(),
                    logout.version().get(),
                )
            },
            |_| get_me(),
        );
        let session = Self {
            login,
            signup,
            logout,
            me,
        };
        provide_context(session);
        session
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The newest known balance, when a page learned one after the session was loaded (a charge,
/// a refund); the header's badge shows it.
#[derive(Clone, Copy)]
pub struct Balance(pub RwSignal<Option<i64>>);

pub fn use_balance() -> Balance {
    expect_context::<Balance>()
}

// Keeps the server function registered under a name the linker cannot drop.
#[allow(dead_code)]
type _GetMe = GetMe;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = provide_lang();
    Session::provide();
    provide_context(Balance(RwSignal::new(None)));
    view! {
        <Title text=lang.texts().app_name />
        <Router>
            <Header />
            <main class="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6">
                <Routes fallback=NotFound>
                    <Route
                        path=path!("/")
                        ssr=SsrMode::Async
                        view=|| view! { <RequireUser><GeneratePage /></RequireUser> }
                    />
                    <Route
                        path=path!("/history")
                        ssr=SsrMode::Async
                        view={Lazy::<HistoryRoute>::new()}
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
                        path=path!("/admin/overview")
                        ssr=SsrMode::Async
                        view={Lazy::<AdminOverviewRoute>::new()}
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
    AccountRoute => { <RequireUser><AccountPage /></RequireUser> },
    AdminRoute => { <RequireAdmin><AdminPage /></RequireAdmin> },
    AdminChannelsRoute => { <RequireAdmin><AdminChannelsPage /></RequireAdmin> },
    AdminUsersRoute => { <RequireAdmin><AdminUsersPage /></RequireAdmin> },
    AdminUserRoute => { <RequireAdmin><AdminUserPage /></RequireAdmin> },
    AdminOverviewRoute => { <RequireAdmin><AdminOverviewPage /></RequireAdmin> },
    LoginRoute => { <LoginPage /> },
    SignupRoute => { <SignupPage /> },
}
