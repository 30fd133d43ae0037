//! The overview tab: what runs now, what failed today, credits spent per day, admin actions.

use super::Tabs;
use crate::codec::page_data;
use crate::components::local_time::LocalTime;
use crate::components::page_title::PageTitle;
use crate::{
    i18n::use_texts,
    server_fns::{
        admin::load_overview,
        sharing::{dismiss_report, set_hidden},
    },
    types::ReportView,
};
use leptos::prelude::*;

#[component]
pub fn AdminOverviewPage() -> impl IntoView {
    let t = use_texts();
    let data = page_data(|| (), |_| load_overview());
    view! {
        <PageTitle text=t.admin.tab_overview />
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
                    <section class="mt-6" aria-labelledby="reports-title">
                        <h2 id="reports-title" class="text-lg font-semibold">{t.gallery.reports_title}</h2>
                        {o.reports.is_empty().then(|| view! { <p class="text-stone-500">{t.gallery.reports_empty}</p> })}
                        <ul class="mt-2 space-y-2 text-sm">
                            {o.reports.into_iter().map(|r| view! { <ReportItem report=r /> }).collect_view()}
                        </ul>
                    </section>
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
                                <li><span class="text-stone-500"><LocalTime at=f.at.clone() /></span>" · "{f.user_name}" · "{f.reason}</li>
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
                                <li><span class="text-stone-500"><LocalTime at=a.at.clone() /></span>" · "{a.actor}" · "<span data-testid="audit-event">{t.admin.audit_event(&a.action).to_owned()}</span>{(!a.detail.is_empty()).then(|| format!(" · {}", a.detail))}</li>
                            }).collect_view()}
                        </ul>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

/// A reported picture or comment: what it is, why, and the admin's two answers (hide it, or
/// dismiss the reports and leave it shown).
#[component]
fn ReportItem(report: ReportView) -> impl IntoView {
    let t = use_texts();
    let hide = Action::new(|(task, comment): &(String, Option<String>)| {
        set_hidden(task.clone(), comment.clone(), true)
    });
    let dismiss = Action::new(|(task, comment): &(String, Option<String>)| {
        dismiss_report(task.clone(), comment.clone())
    });
    let done = move || {
        matches!(hide.value().get(), Some(Ok(()))) || matches!(dismiss.value().get(), Some(Ok(())))
    };
    let arg = (report.task_id.clone(), report.comment_id.clone());
    let dismiss_arg = arg.clone();
    let button = "rounded border border-stone-300 px-2 py-0.5 hover:bg-stone-100 disabled:opacity-50 dark:border-stone-700 dark:hover:bg-stone-800";
    let what = match &report.comment {
        Some(c) => format!("{}: “{c}”", t.gallery.reported_comment),
        None => format!("{}: {}", t.gallery.reported_picture, report.prompt),
    };
    view! {
        <li class="flex flex-wrap items-center gap-2 rounded border border-stone-200 p-2 dark:border-stone-800" data-testid="report" class:opacity-50=done>
            {report.thumbnail_url.clone().map(|src| view! { <img src=src alt="" class="h-10 w-10 rounded object-cover" /> })}
            <div class="min-w-0 flex-1">
                <a href=format!("/gallery/{}", report.task_id) class="break-words underline">{what}</a>
                <p class="text-xs text-stone-500">
                    {(t.gallery.report_count)(report.reports)}" · "<LocalTime at=report.last_reported_at.clone() />
                    {(!report.reason.is_empty()).then(|| format!(" · {}", report.reason))}
                </p>
            </div>
            <button type="button" class=button disabled=move || done() || hide.pending().get()
                on:click=move |_| { hide.dispatch(arg.clone()); }>{t.gallery.hide}</button>
            <button type="button" class=button disabled=move || done() || dismiss.pending().get()
                on:click=move |_| { dismiss.dispatch(dismiss_arg.clone()); }>{t.gallery.dismiss}</button>
            {move || hide.value().get().and_then(Result::err).or_else(|| dismiss.value().get().and_then(Result::err))
                .map(|e| view! { <p role="alert" class="w-full text-red-700">{t.error(&e)}</p> })}
        </li>
    }
}
