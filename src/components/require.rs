//! Gates for pages: signed-out visitors go to /login; non-admins see the 403 page.

use crate::{i18n::use_texts, pages::errors::Forbidden, session::use_session};
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn RequireUser(children: ChildrenFn) -> impl IntoView {
    gate(children, false)
}

#[component]
pub fn RequireAdmin(children: ChildrenFn) -> impl IntoView {
    gate(children, true)
}

fn gate(children: ChildrenFn, admin_only: bool) -> impl IntoView {
    let session = use_session();
    let t = use_texts();
    view! {
        <Suspense>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match session.me.await {
                        Ok(Some(me)) if admin_only && !me.is_admin() => view! { <Forbidden /> }.into_any(),
                        Ok(Some(_)) => children().into_any(),
                        Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                        Err(e) => view! { <p role="alert" class="text-red-700 dark:text-red-400">{t.error(&e)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
