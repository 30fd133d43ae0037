//! The channels tab: each upstream account with its health, running tasks and last error; add,
//! edit, test, switch off and remove.

use super::settings::{Num, NumInput, connection_words};
use super::{BUTTON, BUTTON_LIGHT, INPUT, Tabs};
use crate::components::page_title::PageTitle;
use crate::{
    i18n::use_texts,
    limits,
    server_fns::admin::{
        enable_channel, load_channels, remove_channel, save_channel, test_channel, test_connection,
    },
    types::{ChannelForm, ChannelView, Concurrency, EngineKind, HealthState},
};
use leptos::prelude::*;

#[component]
pub fn AdminChannelsPage() -> impl IntoView {
    let t = use_texts();
    // Bumped after every change: the list is read again.
    let version = RwSignal::new(0u32);
    let channels = Resource::new(move || version.get(), |_| load_channels());
    let changed = Callback::new(move |()| version.update(|v| *v += 1));
    view! {
        <PageTitle text=t.admin.tab_channels />
        <Tabs />
        <p class="mt-4 max-w-2xl text-sm text-stone-600 dark:text-stone-400">{t.admin.channels_intro}</p>
        <Transition>
            {move || Suspend::new(async move {
                match channels.await {
                    Ok(list) => view! {
                        {list.is_empty().then(|| view! { <p role="alert" class="mt-4 text-amber-700">{t.admin.no_channels}</p> })}
                        <ul class="mt-4 grid gap-4 lg:grid-cols-2">
                            {list.into_iter().map(|c| view! { <li><ChannelCard channel=c changed /></li> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                }
            })}
        </Transition>
        <section class="mt-8 max-w-2xl">
            <h2 class="text-lg font-semibold">{t.admin.add_channel}</h2>
            <ChannelEditor channel=None changed />
        </section>
    }
}

fn health_words(state: HealthState) -> &'static str {
    let t = use_texts();
    match state {
        HealthState::Ok => t.admin.health_ok,
        HealthState::Failing => t.admin.health_failing,
        HealthState::Down => t.admin.health_down,
    }
}

#[component]
fn ChannelCard(channel: ChannelView, changed: Callback<()>) -> impl IntoView {
    let t = use_texts();
    let editing = RwSignal::new(false);
    let id = channel.id.clone();
    let toggle = {
        let id = id.clone();
        Action::new(move |on: &bool| enable_channel(id.clone(), *on))
    };
    let remove = {
        let id = id.clone();
        Action::new(move |()| remove_channel(id.clone()))
    };
    let test = {
        let id = id.clone();
        Action::new(move |()| test_channel(id.clone(), String::new(), String::new()))
    };
    Effect::new(move || {
        if matches!(toggle.value().get(), Some(Ok(_)))
            || matches!(remove.value().get(), Some(Ok(())))
        {
            changed.run(());
        }
    });
    let error = move || {
        toggle
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| remove.value().get().and_then(|r| r.err()))
    };
    let state = channel.health.state;
    let enabled = channel.enabled;
    let limits_text = match channel.concurrency {
        Concurrency::Modes { fast, relax, turbo } => format!(
            "{} {fast} · {} {relax} · {} {turbo}",
            t.mode_fast, t.mode_relax, t.mode_turbo
        ),
        Concurrency::Total(n) => n.to_string(),
    };
    let name = channel.name.clone();
    view! {
        <article data-testid="channel" data-channel-id=id.clone() data-health=format!("{state:?}").to_lowercase()
            class="rounded-lg border border-stone-200 bg-white p-4 text-sm shadow-sm dark:border-stone-800 dark:bg-stone-900">
            <div class="flex flex-wrap items-baseline gap-2">
                <h3 class="text-base font-semibold">{channel.name.clone()}</h3>
                <span class="text-stone-500">{channel.kind.label()}</span>
                <span class="ml-auto rounded px-2 py-0.5 text-xs font-medium"
                    class:bg-green-100=state == HealthState::Ok class:text-green-800=state == HealthState::Ok
                    class:bg-amber-100=state == HealthState::Failing class:text-amber-800=state == HealthState::Failing
                    class:bg-red-100=state == HealthState::Down class:text-red-800=state == HealthState::Down>
                    {health_words(state)}
                </span>
            </div>
            <dl class="mt-2 grid grid-cols-[8rem_1fr] gap-x-2 gap-y-1">
                <dt class="text-stone-500">{t.admin.api_url}</dt><dd class="break-all">{channel.api_url.clone()}</dd>
                <dt class="text-stone-500">{t.admin.weight}</dt><dd>{channel.weight}</dd>
                <dt class="text-stone-500">{t.admin.concurrency}</dt><dd>{limits_text}</dd>
                <dt class="text-stone-500">{t.admin.live_here}</dt><dd data-testid="channel-live">{channel.live_tasks}</dd>
                <dt class="text-stone-500">{t.admin.channel_enabled}</dt><dd>{if enabled { t.admin.yes } else { t.admin.no }}</dd>
                {channel.health.last_error.clone().map(|e| view! {
                    <dt class="text-stone-500">{t.admin.last_error}</dt><dd class="break-words text-red-700 dark:text-red-400">{e}</dd>
                })}
            </dl>
            <div class="mt-3 flex flex-wrap items-center gap-2">
                <button type="button" class=BUTTON_LIGHT on:click=move |_| editing.update(|e| *e = !*e)
                    aria-expanded=move || editing.get().to_string()>
                    {t.admin.edit}<span class="sr-only">" "{name.clone()}</span>
                </button>
                <button type="button" class=BUTTON_LIGHT disabled=move || toggle.pending().get()
                    on:click=move |_| { toggle.dispatch(!enabled); }>
                    {if enabled { t.admin.disable } else { t.admin.enable }}
                </button>
                <button type="button" class=BUTTON_LIGHT disabled=move || test.pending().get()
                    on:click=move |_| { test.dispatch(()); }>
                    {t.admin.test_connection}
                </button>
                <button type="button" class=BUTTON_LIGHT disabled=move || remove.pending().get()
                    on:click=move |_| {
                        if crate::browser::confirm(t.admin.remove_confirm) {
                            remove.dispatch(());
                        }
                    }>
                    {t.admin.remove}
                </button>
                <span role="status" class="text-sm">
                    {move || test.value().get().map(|r| match r {
                        Ok(report) => view! { <span class:text-green-700=report.ok class:text-red-700=!report.ok>{connection_words(t, &report)}</span> }.into_any(),
                        Err(e) => view! { <span class="text-red-700">{t.error(&e)}</span> }.into_any(),
                    })}
                </span>
            </div>
            {move || error().map(|e| view! { <p role="alert" class="mt-2 text-red-700">{t.error(&e)}</p> })}
            <Show when=move || editing.get()>
                <ChannelEditor channel=Some(channel.clone()) changed />
            </Show>
        </article>
    }
}

/// The form of a new channel (`channel` None) or of an existing one.
#[component]
fn ChannelEditor(channel: Option<ChannelView>, changed: Callback<()>) -> impl IntoView {
    let t = use_texts();
    let id = channel.as_ref().map(|c| c.id.clone());
    let kind = RwSignal::new(channel.as_ref().map_or(EngineKind::Midjourney, |c| c.kind));
    let name = RwSignal::new(
        channel
            .as_ref()
            .map_or_else(String::new, |c| c.name.clone()),
    );
    let url = RwSignal::new(
        channel
            .as_ref()
            .map_or_else(String::new, |c| c.api_url.clone()),
    );
    let secret = RwSignal::new(String::new());
    let enabled = RwSignal::new(channel.as_ref().is_none_or(|c| c.enabled));
    let (lo, hi) = limits::WEIGHT;
    let weight = Num::new(channel.as_ref().map_or(1, |c| c.weight), lo, hi);
    let (clo, chi) = limits::CONCURRENCY;
    let concurrency = channel
        .as_ref()
        .map_or(Concurrency::default_for(EngineKind::Midjourney), |c| {
            c.concurrency
        });
    let limit = |mode| Num::new(concurrency.limit(mode), clo, chi);
    let fast = limit(Some(crate::types::Mode::Fast));
    let relax = limit(Some(crate::types::Mode::Relax));
    let turbo = limit(Some(crate::types::Mode::Turbo));
    let form = move || -> Option<ChannelForm> {
        Some(ChannelForm {
            kind: kind.get(),
            name: name.get(),
            api_url: url.get(),
            api_secret: secret.with(|s| (!s.is_empty()).then(|| s.clone())),
            enabled: enabled.get(),
            weight: weight.value()?,
            concurrency: match kind.get() {
                EngineKind::Midjourney => Concurrency::Modes {
                    fast: fast.value()?,
                    relax: relax.value()?,
                    turbo: turbo.value()?,
                },
                _ => Concurrency::Total(fast.value()?),
            },
        })
    };
    let save = {
        let id = id.clone();
        Action::new(move |f: &ChannelForm| save_channel(id.clone(), f.clone()))
    };
    let is_new = id.is_none();
    // A test of what the form says (an empty secret: the saved one), before saving it.
    let test = {
        let id = id.clone();
        Action::new(move |(url, secret): &(String, String)| {
            let (id, url, secret) = (id.clone(), url.clone(), secret.clone());
            async move {
                match id {
                    Some(id) => test_channel(id, url, secret).await,
                    None => test_connection(url, secret).await,
                }
            }
        })
    };
    Effect::new(move || {
        if let Some(Ok(_)) = save.value().get() {
            secret.set(String::new());
            if is_new {
                name.set(String::new());
                url.set(String::new());
            }
            changed.run(());
        }
    });
    let prefix = id.clone().unwrap_or_else(|| "new".into());
    let field = move |what: &str| format!("channel-{prefix}-{what}");
    view! {
        <form class="mt-3 space-y-3" data-testid="channel-form" on:submit=move |ev| {
            ev.prevent_default();
            if let Some(f) = form() {
                save.dispatch(f);
            }
        }>
            {is_new.then(|| view! {
                <label class="block text-sm font-medium">{t.admin.engine}
                    <select class=INPUT on:change=move |ev| {
                        if let Some(k) = EngineKind::parse(&event_target_value(&ev)) { kind.set(k); }
                    }>
                        {EngineKind::ALL.iter().map(|k| view! {
                            <option value=k.as_str() selected=*k == EngineKind::Midjourney>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
            })}
            <label class="block text-sm font-medium" for=field("name")>{t.admin.channel_name}</label>
            <input id=field("name") type="text" required class=INPUT maxlength=limits::CHANNEL_NAME_MAX_CHARS.to_string()
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <label class="block text-sm font-medium" for=field("url")>{t.admin.api_url}</label>
            <input id=field("url") type="text" required class=INPUT placeholder="https://mj.example.com"
                prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) />
            <p class="text-xs text-stone-500">{t.admin.api_url_help}</p>
            <label class="block text-sm font-medium" for=field("secret")>{t.admin.api_secret}</label>
            <input id=field("secret") type="password" autocomplete="off" class=INPUT
                prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev)) />
            <p class="text-xs text-stone-500">{t.admin.secret_bound}</p>
            <div class="grid gap-3 sm:grid-cols-2">
                <label class="block text-sm">{t.admin.weight}<NumInput num=weight label=t.admin.weight.to_owned() /></label>
                {move || if kind.get() == EngineKind::Midjourney {
                    view! {
                        <label class="block text-sm">{format!("{} · {}", t.admin.concurrency, t.mode_fast)}<NumInput num=fast label=format!("{} {}", t.mode_fast, t.admin.concurrency) /></label>
                        <label class="block text-sm">{format!("{} · {}", t.admin.concurrency, t.mode_relax)}<NumInput num=relax label=format!("{} {}", t.mode_relax, t.admin.concurrency) /></label>
                        <label class="block text-sm">{format!("{} · {}", t.admin.concurrency, t.mode_turbo)}<NumInput num=turbo label=format!("{} {}", t.mode_turbo, t.admin.concurrency) /></label>
                    }.into_any()
                } else {
                    view! {
                        <label class="block text-sm">{t.admin.concurrency}<NumInput num=fast label=t.admin.concurrency.to_owned() /></label>
                    }.into_any()
                }}
            </div>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev)) />
                {t.admin.channel_enabled}
            </label>
            <div class="flex flex-wrap items-center gap-3">
                <button type="submit" class=BUTTON disabled=move || form().is_none() || save.pending().get()>
                    {if is_new { t.admin.add_channel } else { t.admin.save }}
                </button>
                // A new channel is tested as a midjourney-proxy (other engines once saved).
                <button type="button" class=BUTTON_LIGHT disabled=move || test.pending().get() || url.with(|u| u.trim().is_empty())
                    class:hidden=move || is_new && kind.get() != EngineKind::Midjourney
                    on:click=move |_| { test.dispatch((url.get_untracked(), secret.get_untracked())); }>
                    {t.admin.test_connection}
                </button>
                <span data-testid="connection-report" role="status" class="text-sm">
                    {move || test.value().get().map(|r| match r {
                        Ok(report) => view! { <span class:text-green-700=report.ok class:text-red-700=!report.ok>{connection_words(t, &report)}</span> }.into_any(),
                        Err(e) => view! { <span class="text-red-700">{t.error(&e)}</span> }.into_any(),
                    })}
                </span>
                <span role="status" class="text-sm">
                    {move || save.value().get().map(|r| match r {
                        Ok(_) => view! { <span class="text-green-700">{t.admin.saved}</span> }.into_any(),
                        Err(e) => view! { <span class="text-red-700">{t.error(&e)}</span> }.into_any(),
                    })}
                </span>
            </div>
        </form>
    }
}
