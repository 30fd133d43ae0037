//! The invites tab: invite codes for sign-up by invitation (single or several uses, with an
//! expiry); copy a code or its sign-up link, withdraw one.

use super::{
    BUTTON, BUTTON_LIGHT, INPUT, Tabs,
    settings::{Num, NumInput},
};
use crate::codec::page_data;
use crate::components::local_time::LocalTime;
use crate::components::page_title::PageTitle;
use crate::{
    i18n::use_texts,
    limits::{INVITE_DAYS, INVITE_USES, NOTE_MAX_CHARS},
    server_fns::admin::{create_invite, delete_invite, list_invites},
    types::InviteView,
};
use leptos::prelude::*;

#[component]
pub fn AdminInvitesPage() -> impl IntoView {
    let t = use_texts();
    let create = Action::new(|(uses, days, note): &(i64, i64, String)| {
        create_invite(*uses, *days, note.clone())
    });
    let remove = Action::new(|id: &String| delete_invite(id.clone()));
    let invites = page_data(
        move || (create.version().get(), remove.version().get()),
        |_| list_invites(),
    );
    let uses = Num::new(1, INVITE_USES.0, INVITE_USES.1);
    let days = Num::new(7, INVITE_DAYS.0, INVITE_DAYS.1);
    let note = RwSignal::new(String::new());
    let error = move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
    };
    view! {
        <PageTitle text=t.admin.tab_invites />
        <Tabs />
        <p class="mt-4 max-w-prose text-sm text-stone-600 dark:text-stone-400">{t.admin.invites_intro}</p>
        <form class="mt-4 grid max-w-xl gap-3 sm:grid-cols-3" on:submit=move |ev| {
            ev.prevent_default();
            if let (Some(u), Some(d)) = (uses.value(), days.value()) {
                create.dispatch((u, d, note.get()));
                note.set(String::new());
            }
        }>
            <label class="block text-sm">{t.admin.invite_uses}<NumInput num=uses label=t.admin.invite_uses.to_owned() /></label>
            <label class="block text-sm">{t.admin.invite_days}<NumInput num=days label=t.admin.invite_days.to_owned() /></label>
            <label class="block text-sm">{t.admin.invite_note}
                <input type="text" name="note" maxlength=NOTE_MAX_CHARS.to_string() class=INPUT
                    prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
            </label>
            <div class="sm:col-span-3">
                <button type="submit" class=BUTTON disabled=move || create.pending().get() || uses.value().is_none() || days.value().is_none()>
                    {t.admin.create_invite}
                </button>
            </div>
        </form>
        {move || error().map(|e| view! { <p role="alert" class="mt-4 rounded bg-red-50 px-3 py-2 text-sm text-red-800">{t.error(&e)}</p> })}
        <Transition>
            {move || Suspend::new(async move {
                match invites.await {
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="mt-6 text-sm text-stone-500">{t.admin.no_invites}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-6 space-y-3">
                            {list.into_iter().map(|i| view! { <InviteRow invite=i remove /> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn InviteRow(
    invite: InviteView,
    remove: Action<String, Result<(), crate::error::AppError>>,
) -> impl IntoView {
    let t = use_texts();
    let id = invite.id.clone();
    let path = invite.signup_path.clone();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let link = format!("{}{}", crate::browser::origin(), path);
        crate::browser::copy_text(&link);
        copied.set(true);
    };
    view! {
        <li data-testid="invite" class="rounded border border-stone-200 p-3 text-sm dark:border-stone-800"
            class:opacity-60=!invite.usable>
            <div class="flex flex-wrap items-center gap-3">
                <code class="font-mono text-base tracking-wider" data-testid="invite-code">{invite.code.clone()}</code>
                <span>{(t.admin.invite_used)(invite.uses, invite.max_uses)}</span>
                <span class="text-stone-500">
                    {invite.expires_at.clone().map(|at| view! { {t.admin.invite_expires} " " <LocalTime at /> })}
                </span>
                {(!invite.usable).then(|| view! { <span class="rounded bg-stone-200 px-2 text-xs dark:bg-stone-800">{t.admin.invite_spent}</span> })}
            </div>
            {(!invite.note.is_empty()).then(|| view! { <p class="mt-1 text-stone-600 dark:text-stone-400">{invite.note.clone()}</p> })}
            <div class="mt-2 flex flex-wrap gap-2">
                <button type="button" class=BUTTON_LIGHT on:click=copy>
                    {move || if copied.get() { t.copied } else { t.admin.copy_link }}
                </button>
                <button type="button" class="text-red-700 underline" on:click=move |_| { remove.dispatch(id.clone()); }>{t.admin.withdraw}</button>
            </div>
        </li>
    }
}
