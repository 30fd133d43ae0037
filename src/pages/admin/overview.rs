//! The overview tab: what runs now, what failed today, credits spent per day, admin actions.

use super::Tabs;
use crate::codec::page_data;
use crate::{browser::short_time, i18n::use_texts, server_fns::admin::load_overview};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminOverviewPage() -> impl IntoView {
    let t = use_texts();
    let data = page_data(|| (), |_| load_overview());
    view! {
        <Title text=t.admin.tab_overview />
        <Tabs />
        <Suspense>
            {move || Suspend::new(async move {
                let o = match data.await {
                    Ok(o) => o,
                    Err(e) => return view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                };
                let max = o.spent_per_day.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
                let bars = o.spent_per_day.iter().enumerate().map(|(i, (day, v))| {
                    let h = (*v).max(0) * 100 / max;
                    view! {
                        <g>
                            <title>{format!("{day}: {v}")}</title>
                            <rect x=(i * 20 + 2).to_string() y=(100 - h).to_string() width="16" height=h.to_string() class="fill-indigo-500" />
                        </g>
                    }
                }).collect_view();
                let channels = o.channels.iter().map(|c| {
                    let limit = match c.concurrency {
                        crate::types::Concurrency::Modes { fast, relax, turbo } => fast + relax + turbo,
                        crate::types::Concurrency::Total(n) => n,
                    };
                    let state = match c.health.state {
                        crate::types::HealthState::Ok => t.admin.health_ok,
                        crate::types::HealthState::Failing => t.admin.health_failing,
                        crate::types::HealthState::Down => t.admin.health_down,
                    };
                    view! {
                        <li data-testid="channel-load">
                            <a href="/admin/channels" class="underline">{c.name.clone()}</a>
                            " · "{c.kind.label()}" · "{state}" · "{format!("{} / {limit}", c.live_tasks)}
                            {(!c.enabled).then(|| format!(" · {}", t.admin.disable))}
                        </li>
                    }
                }).collect_view();
                view! {
                    <section class="mt-6">
                        <h2 class="text-lg font-semibold">{t.admin.channels_load}</h2>
                        <ul class="mt-2 space-y-1 text-sm">{channels}</ul>
                    </section>
                    <section class="mt-6">
                        <h2 class="text-lg font-semibold">{t.admin.live_tasks}</h2>
                        {o.live.is_empty().then(|| view! { <p class="text-stone-500">{t.admin.no_live_tasks}</p> })}
                        <ul class="mt-2 space-y-1 text-sm">
                            {o.live.into_iter().map(|l| view! {
                                <li data-testid="live-task">
                                    <a href=format!("/history/{}", l.id) class="underline">{l.user_name}</a>
                                    " · "{t.status(l.status, None)}" · "{t.mode(l.mode)}" · "{l.progress}"% · "{(t.elapsed)(l.age_secs)}
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                    <section class="mt-6">
                        <h2 class="text-lg font-semibold">{t.admin.failures}</h2>
                        {o.failures.is_empty().then(|| view! { <p class="text-stone-500">{t.admin.no_failures}</p> })}
                        <ul class="mt-2 space-y-1 text-sm">
                            {o.failures.into_iter().map(|f| view! {
                                <li><span class="text-stone-500">{short_time(&f.at)}</span>" · "{f.user_name}" · "{f.reason}</li>
                            }).collect_view()}
                        </ul>
                    </section>
                    <section class="mt-6">
                        <h2 class="text-lg font-semibold">{t.admin.spent}</h2>
                        <svg viewBox="0 0 280 100" class="mt-2 h-32 w-full max-w-xl" role="img" aria-label=t.admin.spent>{bars}</svg>
                        <p class="text-xs text-stone-500">
                            {o.spent_per_day.first().map(|d| d.0.clone())}" – "{o.spent_per_day.last().map(|d| d.0.clone())}
                        </p>
                    </section>
                    <section class="mt-6">
                        <h2 class="text-lg font-semibold">{t.admin.audit}</h2>
                        <ul class="mt-2 space-y-1 text-sm">
                            {o.audit.into_iter().map(|a| view! {
                                <li><span class="text-stone-500">{short_time(&a.at)}</span>" · "{a.actor}" · "{a.action}" · "{a.detail}</li>
                            }).collect_view()}
                        </ul>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
