//! The page session: the signed-in person (or none), the actions that change it, and the newest
//! known balance. Every page and the header read it; nothing here knows a page.

use crate::codec::{PageData, page_data};
use crate::{
    error::AppError,
    server_fns::auth::{GetMe, Login, Logout, Signup, get_me},
    types::Me,
};
use leptos::prelude::*;

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
    pub fn provide() -> Self {
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
