//! `/` for a signed-out visitor: what Atelier is and makes (the gallery's newest pictures, or
//! sample pictures on an installation with none yet), and the ways in.

use crate::codec::page_data;
use crate::components::{
    icon::{Glyph, Icon},
    page_title::PageTitle,
    viewer::{OpenViewer, Shot, Viewer, public_shots},
};
use crate::{i18n::use_texts, server_fns::sharing::load_landing, types::SignupMode};
use leptos::prelude::*;

#[component]
pub fn LandingPage() -> impl IntoView {
    let t = use_texts();
    let l = &t.shell.landing;
    let data = page_data(|| (), |_| load_landing());
    view! {
        <PageTitle text=t.app_name />
        <Suspense>
            {move || Suspend::new(async move {
                let landing = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                };
                let first = landing.signup.first_account;
                let can_join = landing.signup.mode != SignupMode::Closed;
                let shots: Vec<Shot> = landing.pictures.iter().flat_map(|p| public_shots(t, p, true).into_iter().take(1)).collect();
                view! {
                    <section class="mx-auto max-w-3xl py-8 text-center sm:py-14" data-testid="landing">
                        <h1 class="text-3xl font-semibold tracking-tight sm:text-5xl">{l.title}</h1>
                        <p class="mx-auto mt-4 max-w-2xl text-stone-600 sm:text-lg dark:text-stone-400">{l.tagline}</p>
                        <ul class="mx-auto mt-6 grid max-w-2xl gap-2 text-left text-sm sm:grid-cols-3">
                            {l.points.iter().map(|p| view! {
                                <li class="flex items-start gap-2 rounded-lg bg-white p-3 shadow-sm dark:bg-stone-900">
                                    <span class="mt-0.5 text-indigo-600 dark:text-indigo-300"><Glyph icon=Icon::Sparkles class="h-4 w-4" /></span>
                                    <span>{*p}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                        <div class="mt-8 flex flex-wrap justify-center gap-3">
                            {can_join.then(|| view! {
                                <a href="/signup" class="inline-flex min-h-11 items-center rounded-lg bg-indigo-600 px-5 font-medium text-white hover:bg-indigo-500">
                                    {if first { l.set_up } else { l.sign_up }}
                                </a>
                            })}
                            <a href="/login" class="inline-flex min-h-11 items-center rounded-lg border border-stone-300 bg-white px-5 font-medium hover:bg-stone-100 dark:border-stone-700 dark:bg-stone-900 dark:hover:bg-stone-800">
                                {l.log_in}
                            </a>
                        </div>
                    </section>
                    {if shots.is_empty() { view! { <Samples /> }.into_any() } else { view! { <Recent shots /> }.into_any() }}
                }.into_any()
            })}
        </Suspense>
    }
}

/// The gallery's newest pictures, each opening in the viewer.
#[component]
fn Recent(shots: Vec<Shot>) -> impl IntoView {
    let t = use_texts();
    let l = &t.shell.landing;
    let viewing = RwSignal::new(None::<usize>);
    let opener = OpenViewer::over(Signal::stored(shots.clone()), viewing);
    view! {
        <Viewer shots=Signal::stored(shots.clone()) open=viewing />
        <section class="space-y-3" aria-labelledby="recent-heading">
            <div class="flex items-baseline gap-3">
                <h2 id="recent-heading" class="text-lg font-semibold">{l.recent}</h2>
                <a href="/gallery" class="ml-auto text-sm text-indigo-700 underline dark:text-indigo-300">{l.see_gallery}</a>
            </div>
            <ul class="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="landing-pictures">
                {shots.into_iter().map(|s| {
                    let href = s.details.clone().unwrap_or_default();
                    let task = s.task.clone();
                    view! {
                        <li>
                            <a href=href class="block overflow-hidden rounded-xl" on:click=move |ev| opener.tile_click(&ev, &task)>
                                <img src=s.src alt=s.alt loading="lazy" class="aspect-square w-full object-cover transition-transform hover:scale-105" />
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Sample pictures, drawn by the built-in simulators, until there are real ones to show.
#[component]
fn Samples() -> impl IntoView {
    let t = use_texts();
    view! {
        <section class="space-y-3">
            <p class="text-center text-sm text-stone-500 dark:text-stone-400">{t.shell.landing.samples}</p>
            <ul class="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="landing-samples">
                {(1..=crate::types::LANDING_SAMPLES).map(|n| view! {
                    <li><img src=format!("/samples/{n}") alt="" loading="lazy" class="aspect-square w-full rounded-xl object-cover" /></li>
                }).collect_view()}
            </ul>
        </section>
    }
}
