//! /login and /signup: plain forms (ActionForm) that work before the WASM has loaded.

use crate::components::page_title::PageTitle;
use crate::{
    error::AppError, i18n::use_texts, server_fns::auth::load_signup_options, session::use_session,
    types::SignupMode,
};
use leptos::prelude::*;

const INPUT: &str = "mt-1 block w-full rounded border border-stone-300 bg-white px-3 py-2 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40 dark:border-stone-700 dark:bg-stone-900";
const BUTTON: &str = "w-full rounded bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60";

#[component]
pub fn LoginPage() -> impl IntoView {
    let t = use_texts();
    let action = use_session().login;
    view! {
        <PageTitle text=t.login_title />
        <AuthCard title=t.login_title>
            <ActionForm action attr:class="space-y-4">
                <Field label=t.field_email name="email" kind="email" autocomplete="email" />
                <Field label=t.field_password name="password" kind="password" autocomplete="current-password" />
                <FormError error=Signal::derive(move || action.value().get().and_then(Result::err)) />
                <button type="submit" class=BUTTON disabled=move || action.pending().get()>
                    {move || if action.pending().get() { t.working } else { t.log_in }}
                </button>
            </ActionForm>
            <p class="mt-6 text-sm text-stone-600 dark:text-stone-400">
                {t.no_account} " " <a href="/signup" class="text-indigo-700 underline dark:text-indigo-300">{t.sign_up}</a>
            </p>
        </AuthCard>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let t = use_texts();
    let action = use_session().signup;
    let query = leptos_router::hooks::use_query_map();
    let options = crate::codec::page_data(|| (), |_| load_signup_options());
    view! {
        <PageTitle text=t.signup_title />
        <AuthCard title=t.signup_title>
            <Suspense>
                {move || Suspend::new(async move {
                    let options = match options.await {
                        Ok(o) => o,
                        Err(e) => return view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                    };
                    if options.mode == SignupMode::Closed {
                        return view! { <p data-testid="signup-closed" class="text-sm">{t.err_signup_closed}</p> }.into_any();
                    }
                    let invite = options.mode == SignupMode::Invite;
                    let code = query.with_untracked(|q| q.get("invite")).unwrap_or_default();
                    view! {
                        <ActionForm action attr:class="space-y-4">
                            {invite.then(|| view! {
                                <label class="block text-sm font-medium">
                                    {t.field_invite_code}
                                    <input type="text" name="invite_code" autocomplete="off" required value=code
                                        class=format!("{INPUT} font-mono uppercase") />
                                </label>
                                <p class="-mt-2 text-xs text-stone-500">{t.invite_hint}</p>
                            })}
                            <Field label=t.field_name name="name" kind="text" autocomplete="name" />
                            <Field label=t.field_email name="email" kind="email" autocomplete="email" />
                            <Field label=t.field_password name="password" kind="password" autocomplete="new-password" />
                            <p class="-mt-2 text-xs text-stone-500">{t.password_hint}</p>
                            {options.needs_approval.then(|| view! { <p class="text-xs text-stone-500">{t.approval_hint}</p> })}
                            {options.first_account.then(|| view! {
                                <p class="rounded-lg bg-indigo-50 px-3 py-2 text-sm text-indigo-900 dark:bg-indigo-950 dark:text-indigo-100" data-testid="first-account">
                                    {t.first_account_hint}
                                </p>
                            })}
                            <FormError error=Signal::derive(move || action.value().get().and_then(Result::err)) />
                            <button type="submit" class=BUTTON disabled=move || action.pending().get()>
                                {move || if action.pending().get() { t.working } else { t.sign_up }}
                            </button>
                        </ActionForm>
                    }.into_any()
                })}
            </Suspense>
            <p class="mt-6 text-sm text-stone-600 dark:text-stone-400">
                {t.have_account} " " <a href="/login" class="text-indigo-700 underline dark:text-indigo-300">{t.log_in}</a>
            </p>
        </AuthCard>
    }
}

#[component]
fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="mx-auto mt-8 max-w-sm rounded-lg border border-stone-200 bg-white p-6 shadow-sm dark:border-stone-800 dark:bg-stone-900">
            <h1 class="mb-6 text-xl font-semibold">{title}</h1>
            {children()}
        </section>
    }
}

#[component]
fn Field(
    label: &'static str,
    name: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
) -> impl IntoView {
    view! {
        <label class="block text-sm font-medium">
            {label}
            <input type=kind name=name autocomplete=autocomplete required class=INPUT />
        </label>
    }
}

/// The last error of a form's action, in the user's language.
#[component]
fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    let t = use_texts();
    move || {
        error.get().map(|e| {
            view! {
                <p role="alert" data-testid="form-error" class="rounded bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
                    {t.error(&e)}
                </p>
            }
        })
    }
}
