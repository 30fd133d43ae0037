//! The users tab: every account with role, balance, tasks and last activity; approve, change
//! roles, grant or deduct credits with a note.

use super::{BUTTON_LIGHT, INPUT, Tabs};
use crate::codec::page_data;
use crate::components::local_time::LocalTime;
use crate::components::page_title::PageTitle;
use crate::{
    i18n::use_texts,
    server_fns::admin::{grant_credits, load_users, set_role},
    types::{AdminUser, Role},
};
use leptos::prelude::*;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let t = use_texts();
    let role =
        Action::new(|(id, role): &(String, Role)| set_role(id.clone(), role.as_str().to_owned()));
    let grant = Action::new(|(id, delta, note): &(String, i64, String)| {
        grant_credits(id.clone(), *delta, note.clone())
    });
    let users = page_data(
        move || (role.version().get(), grant.version().get()),
        |_| load_users(),
    );
    let error = move || {
        role.value()
            .get()
            .and_then(Result::err)
            .or_else(|| grant.value().get().and_then(Result::err))
    };
    view! {
        <PageTitle text=t.admin.tab_users />
        <Tabs />
        {move || error().map(|e| view! { <p role="alert" class="mt-4 rounded bg-red-50 px-3 py-2 text-sm text-red-800">{t.error(&e)}</p> })}
        <Transition>
            {move || Suspend::new(async move {
                match users.await {
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="mt-6 overflow-x-auto">
                            <table class="w-full text-left text-sm">
                                <thead><tr class="text-stone-500">
                                    <th class="p-2 font-normal">{t.admin.col_name}</th>
                                    <th class="p-2 font-normal">{t.admin.col_role}</th>
                                    <th class="p-2 text-right font-normal">{t.admin.col_balance}</th>
                                    <th class="p-2 text-right font-normal">{t.admin.col_tasks}</th>
                                    <th class="p-2 font-normal">{t.admin.col_last_active}</th>
                                    <th class="p-2 font-normal">{t.admin.grant_amount}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|u| view! { <UserRow user=u role grant /> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserRow(
    user: AdminUser,
    role: Action<(String, Role), Result<crate::types::UserView, crate::error::AppError>>,
    grant: Action<(String, i64, String), Result<i64, crate::error::AppError>>,
) -> impl IntoView {
    let t = use_texts();
    let delta = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let id = user.id.clone();
    let role_button = move |label: &'static str, to: Role| {
        let id = id.clone();
        view! {
            <button type="button" class=BUTTON_LIGHT on:click=move |_| { role.dispatch((id.clone(), to)); }>{label}</button>
        }
    };
    let actions = match user.role {
        Role::Pending => role_button(t.admin.approve, Role::User).into_any(),
        Role::User => role_button(t.admin.make_admin, Role::Admin).into_any(),
        Role::Admin => role_button(t.admin.make_user, Role::User).into_any(),
    };
    let gid = user.id.clone();
    let valid = move || {
        delta
            .with(|d| d.trim().parse::<i64>().ok().filter(|v| *v != 0))
            .is_some()
            && note.with(|n| !n.trim().is_empty())
    };
    view! {
        <tr class="border-t border-stone-200 align-top dark:border-stone-800" data-testid="user-row" data-email=user.email.clone()>
            <td class="p-2">
                <a href=format!("/admin/users/{}", user.id) class="font-medium underline">{user.name.clone()}</a>
                <div class="text-xs text-stone-500">{user.email.clone()}</div>
            </td>
            <td class="p-2"><div>{t.role(user.role)}</div><div class="mt-1">{actions}</div></td>
            <td class="p-2 text-right tabular-nums">{user.balance}</td>
            <td class="p-2 text-right tabular-nums">{user.tasks}</td>
            <td class="p-2 text-stone-500">{user.last_active_at.clone().map(|at| view! { <LocalTime at /> })}</td>
            <td class="p-2">
                <form class="flex flex-wrap gap-1" on:submit=move |ev| {
                    ev.prevent_default();
                    if let Ok(d) = delta.get().trim().parse::<i64>() {
                        grant.dispatch((gid.clone(), d, note.get()));
                    }
                }>
                    <input type="number" aria-label=t.admin.grant_amount class=INPUT style="width:6rem" prop:value=move || delta.get() on:input=move |ev| delta.set(event_target_value(&ev)) />
                    <input type="text" aria-label=t.admin.grant_note placeholder=t.admin.grant_note required class=INPUT style="width:10rem" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                    <button type="submit" class=BUTTON_LIGHT disabled=move || !valid()>{t.admin.grant}</button>
                </form>
            </td>
        </tr>
    }
}

/// `/admin/users/{id}`: one account's ledger and tasks.
#[component]
pub fn AdminUserPage() -> impl IntoView {
    let t = use_texts();
    let params = leptos_router::hooks::use_params_map();
    let data = page_data(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        crate::server_fns::admin::load_user_activity,
    );
    view! {
        <Tabs />
        <Suspense>
            {move || Suspend::new(async move {
                match data.await {
                    Err(crate::error::AppError::NotFound) => view! { <crate::pages::errors::NotFound /> }.into_any(),
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                    Ok((user, ledger, tasks)) => view! {
                        <PageTitle text=user.name.clone() />
                        <h2 class="mt-6 text-xl font-semibold">{user.name.clone()}</h2>
                        <p class="text-sm text-stone-500">{user.email.clone()}" · "{t.role(user.role)}" · "{(t.credits)(ledger.balance)}</p>
                        <h3 class="mt-6 font-semibold">{t.ledger_title}</h3>
                        <ul class="mt-2 space-y-1 text-sm" data-testid="admin-ledger">
                            {ledger.entries.into_iter().map(|e| view! {
                                <li><span class="text-stone-500"><LocalTime at=e.created_at.clone() /></span>" · "{t.ledger_reason(&e.reason)}
                                    {e.note.map(|n| format!(" ({n})"))}" · "{if e.delta > 0 { format!("+{}", e.delta) } else { e.delta.to_string() }}</li>
                            }).collect_view()}
                        </ul>
                        <h3 class="mt-6 font-semibold">{t.history_title}</h3>
                        <ul class="mt-2 space-y-1 text-sm">
                            {tasks.tasks.into_iter().map(|task| view! {
                                <li><a href=format!("/history/{}", task.id) class="underline">{task.prompt.clone()}</a>
                                    " · "{t.status(task.status, None)}" · "<LocalTime at=task.created_at.clone() /></li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
