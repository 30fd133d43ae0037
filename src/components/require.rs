//! Gates for pages: signed-out visitors go to /login (or see the page's own view for them);
//! non-admins see the 403 page.

use crate::{i18n::use_texts, pages::errors::Forbidden, session::use_session};
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn RequireUser(
    /// What a signed-out visitor sees instead (else: the log-in page).
    #[prop(optional, into)]
    signed_out: Option<ViewFn>,
    children: ChildrenFn,
) -> impl IntoView {
    gate(children, false, signed_out)
}

#[component]
pub fn RequireAdmin(children: ChildrenFn) -> impl IntoView {
    gate(children, true, None)
}

fn gate(children: ChildrenFn, admin_only: bool, signed_out: Option<ViewFn>) -> impl IntoView {
    let session = use_session();
    let t = use_texts();
    view! {
        <Suspense>
            {move || {
                let (children, signed_out) = (children.clone(), signed_out.clone());
                Suspend::new(async move {
                    match session.me.await {
                        Ok(Some(me)) if admin_only && !me.is_admin() => view! { <Forbidden /> }.into_any(),
                        Ok(Some(_)) => children().into_any(),
                        Ok(None) => match signed_out {
                            Some(v) => v.run(),
                            None => view! { <Redirect path="/login" /> }.into_any(),
                        },
                        Err(e) => view! { <p role="alert" class="text-red-700 dark:text-red-400">{t.error(&e)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
