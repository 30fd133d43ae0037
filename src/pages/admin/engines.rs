//! The engines tab: which engines users are offered, and each model's switch and price per
//! image (by quality where the model has qualities). MidJourney's modes are priced in Settings.

use super::{
    BUTTON, Tabs,
    settings::{Num, NumInput},
};
use crate::codec::page_data;
use crate::components::page_title::PageTitle;
use crate::{
    i18n::use_texts,
    limits,
    server_fns::admin::{load_engines, save_engine},
    types::{Cost, EngineKind, EngineSetup, ModelChoice, ModelOffer},
};
use leptos::prelude::*;

#[component]
pub fn AdminEnginesPage() -> impl IntoView {
    let t = use_texts();
    let engines = page_data(|| (), |_| load_engines());
    view! {
        <PageTitle text=t.admin.tab_engines />
        <Tabs />
        <p class="mt-4 max-w-prose text-sm text-stone-600 dark:text-stone-400">{t.admin.engines_intro}</p>
        <Transition>
            {move || Suspend::new(async move {
                match engines.await {
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="mt-6 space-y-6">
                            {list.into_iter().map(|e| view! { <EngineForm setup=e /> }).collect_view()}
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One price field: the whole model's, or one quality's.
#[derive(Clone)]
struct PriceField {
    quality: Option<String>,
    num: Num,
}

#[derive(Clone)]
struct ModelFields {
    offer: ModelOffer,
    enabled: RwSignal<bool>,
    prices: Vec<PriceField>,
}

impl ModelFields {
    fn new(m: ModelOffer) -> Self {
        let num = |v: i64| Num::new(v, limits::COST.0, limits::COST.1);
        let prices = match &m.cost {
            Cost::Each(c) => vec![PriceField {
                quality: None,
                num: num(*c),
            }],
            // In the model's order of qualities (low to high), then any other.
            Cost::ByQuality(by) => {
                let rank = |q: &str| m.qualities.iter().position(|x| x == q);
                let mut prices: Vec<(&String, &i64)> = by.iter().collect();
                prices.sort_by_key(|(q, _)| rank(q).unwrap_or(usize::MAX));
                prices
                    .into_iter()
                    .map(|(q, c)| PriceField {
                        quality: Some(q.clone()),
                        num: num(*c),
                    })
                    .collect()
            }
        };
        Self {
            enabled: RwSignal::new(m.enabled),
            offer: m,
            prices,
        }
    }

    /// The choice to save; None while a price is not a valid number.
    fn choice(&self) -> Option<ModelChoice> {
        let cost = match self.prices.as_slice() {
            [PriceField { quality: None, num }] => Cost::Each(num.value()?),
            fields => Cost::ByQuality(
                fields
                    .iter()
                    .map(|f| Some((f.quality.clone()?, f.num.value()?)))
                    .collect::<Option<_>>()?,
            ),
        };
        Some(ModelChoice {
            model: self.offer.model.clone(),
            enabled: self.enabled.get(),
            cost,
        })
    }
}

#[component]
fn EngineForm(setup: EngineSetup) -> impl IntoView {
    let t = use_texts();
    let kind = setup.offer.kind;
    let on = RwSignal::new(setup.switched_on);
    let mut offers = setup.offer.models.clone().unwrap_or_default();
    if let Some(cost) = setup.any_checkpoint {
        offers.push(ModelOffer {
            model: crate::types::ANY_CHECKPOINT.to_owned(),
            label: t.admin.any_checkpoint.to_owned(),
            enabled: true,
            sizes: Vec::new(),
            qualities: Vec::new(),
            cost: Cost::Each(cost),
            max_n: 1,
        });
    }
    let models: Vec<ModelFields> = offers.into_iter().map(ModelFields::new).collect();
    let save = Action::new(
        |(kind, on, models): &(EngineKind, bool, Vec<ModelChoice>)| {
            save_engine(*kind, *on, models.clone())
        },
    );
    let fields = StoredValue::new(models.clone());
    let choices = move || {
        fields.with_value(|f| {
            f.iter()
                .map(ModelFields::choice)
                .collect::<Option<Vec<_>>>()
        })
    };
    let heading = format!("engine-{}", kind.as_str());
    view! {
        <section aria-labelledby=heading.clone() data-testid=heading.clone()
            class="rounded border border-stone-200 p-4 dark:border-stone-800">
            <h2 id=heading.clone() class="text-lg font-semibold">{kind.label()}</h2>
            <form class="mt-3 space-y-4" on:submit=move |ev| {
                ev.prevent_default();
                if let Some(models) = choices() {
                    save.dispatch((kind, on.get(), models));
                }
            }>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="offered" prop:checked=move || on.get()
                        on:change=move |ev| on.set(event_target_checked(&ev)) />
                    {t.admin.engine_offered}
                </label>
                {(!setup.served).then(|| view! {
                    <p class="text-sm text-amber-800 dark:text-amber-300">
                        {t.admin.engine_no_channel}" "<a class="underline" href="/admin/channels">{t.admin.tab_channels}</a>
                    </p>
                })}
                {(kind == EngineKind::Midjourney).then(|| view! {
                    <p class="text-sm text-stone-600 dark:text-stone-400">
                        {t.admin.engine_modes_in_settings}" "<a class="underline" href="/admin">{t.admin.tab_settings}</a>
                    </p>
                })}
                {(!models.is_empty()).then(|| view! {
                    <div class="overflow-x-auto">
                        <table class="w-full text-left text-sm">
                            <caption class="sr-only">{t.admin.price_per_image}</caption>
                            <thead>
                                <tr class="border-b border-stone-200 dark:border-stone-800">
                                    <th scope="col" class="py-1 pr-3">{t.admin.model}</th>
                                    <th scope="col" class="py-1 pr-3">{t.admin.model_on}</th>
                                    <th scope="col" class="py-1">{t.admin.price_per_image}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {models.iter().cloned().map(|m| view! { <ModelRow fields=m /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                })}
                <div class="flex flex-wrap items-center gap-3">
                    <button type="submit" class=BUTTON disabled=move || save.pending().get() || choices().is_none()>
                        {t.admin.save}
                    </button>
                    {move || match save.value().get() {
                        Some(Ok(())) => view! { <span role="status" class="text-sm text-green-700">{t.admin.saved}</span> }.into_any(),
                        Some(Err(e)) => view! { <span role="alert" class="text-sm text-red-700">{t.error(&e)}</span> }.into_any(),
                        None => ().into_any(),
                    }}
                </div>
            </form>
        </section>
    }
}

#[component]
fn ModelRow(fields: ModelFields) -> impl IntoView {
    let t = use_texts();
    let label = fields.offer.label.clone();
    let id = fields.offer.model.clone();
    let enabled = fields.enabled;
    view! {
        <tr class="border-b border-stone-100 align-top dark:border-stone-900" data-testid=format!("model-{id}")>
            <th scope="row" class="py-2 pr-3 font-medium">{label.clone()}<div class="font-mono text-xs text-stone-500">{id.clone()}</div></th>
            <td class="py-2 pr-3">
                <input type="checkbox" aria-label=format!("{label}: {}", t.admin.model_on)
                    prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev)) />
            </td>
            <td class="py-2">
                <div class="flex flex-wrap gap-2">
                    {fields.prices.iter().map(|f| {
                        let num = f.num;
                        let name = match &f.quality {
                            Some(q) => t.studio.quality(q),
                            None => t.admin.cost.to_owned(),
                        };
                        let aria = format!("{label}: {name}");
                        view! {
                            <label class="block w-28 text-xs">{name}<NumInput num label=aria /></label>
                        }
                    }).collect_view()}
                </div>
            </td>
        </tr>
    }
}
