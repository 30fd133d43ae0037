//! What users can pick of each engine and what it costs (`GET /api/v1/engines`), and the admin's
//! switches and prices (`PATCH /api/v1/engines/{kind}`), kept in the settings.

use crate::{
    auth::CurrentUser,
    db,
    engine::Engine,
    engines::{openai, sd_webui},
    error::{AppError, Rule},
    services::settings::{self, ConfigPatch, ModePatch, ModelPatch, Settings},
    types::{EngineKind, EngineOffer, ModeView, ModelOffer},
};

/// `PATCH /api/v1/engines/{kind}`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnginePatch {
    pub enabled: Option<bool>,
    pub modes: Option<Vec<ModePatch>>,
    pub models: Option<Vec<ModelPatch>>,
    pub action_cost: Option<i64>,
    // Read-only fields a client may echo back from GET: accepted and ignored.
    #[serde(default, rename = "kind")]
    pub _kind: Option<serde_json::Value>,
    #[serde(default, rename = "name")]
    pub _name: Option<serde_json::Value>,
}

/// Every engine, in the order the pages list them.
pub async fn offers(engine: &Engine) -> Result<Vec<EngineOffer>, AppError> {
    let s = engine.settings().await?;
    let channels = db::channels::list(&engine.pool)
        .await
        .map_err(super::internal)?;
    let catalog = sd_catalog(&channels);
    Ok(EngineKind::ALL
        .iter()
        .map(|kind| {
            let served = channels.iter().any(|c| c.kind == *kind && c.enabled);
            offer(&s, *kind, served, &catalog)
        })
        .collect())
}

/// What the enabled Stable Diffusion channels offer together: each checkpoint and sampler once,
/// in the order their boxes list them.
pub fn sd_catalog(channels: &[db::channels::ChannelRow]) -> sd_webui::Catalog {
    let mut all = sd_webui::Catalog::default();
    for c in channels
        .iter()
        .filter(|c| c.kind == EngineKind::SdWebui && c.enabled && c.deleted_at.is_none())
    {
        for m in &c.catalog.models {
            if !all.has_model(&m.title) {
                all.models.push(m.clone());
            }
        }
        for s in &c.catalog.samplers {
            if !all.samplers.contains(s) {
                all.samplers.push(s.clone());
            }
        }
        all.read_at = all.read_at.max(c.catalog.read_at);
    }
    all
}

/// Every engine for the admin: its offer, its switch, and whether a channel serves it.
pub async fn setups(
    engine: &Engine,
    actor: &CurrentUser,
) -> Result<Vec<crate::types::EngineSetup>, AppError> {
    actor.require_admin()?;
    let s = engine.settings().await?;
    let channels = db::channels::list(&engine.pool)
        .await
        .map_err(super::internal)?;
    Ok(offers(engine)
        .await?
        .into_iter()
        .map(|offer| crate::types::EngineSetup {
            switched_on: s.engine_on(offer.kind),
            served: channels.iter().any(|c| c.kind == offer.kind && c.enabled),
            any_checkpoint: (offer.kind == EngineKind::SdWebui)
                .then(|| s.model(offer.kind, settings::ANY_CHECKPOINT))
                .flatten()
                .map(|p| p.cost.lowest()),
            offer,
        })
        .collect())
}

/// One engine's offer.
pub async fn offer_of(engine: &Engine, kind: EngineKind) -> Result<EngineOffer, AppError> {
    offers(engine)
        .await?
        .into_iter()
        .find(|o| o.kind == kind)
        .ok_or(AppError::NotFound)
}

fn offer(s: &Settings, kind: EngineKind, served: bool, catalog: &sd_webui::Catalog) -> EngineOffer {
    let enabled = s.enabled && s.engine_on(kind) && served;
    let mut offer = EngineOffer {
        kind,
        name: kind.label().to_owned(),
        enabled,
        modes: None,
        models: None,
        action_cost: None,
        samplers: None,
    };
    match kind {
        EngineKind::Midjourney => {
            offer.modes = Some(
                crate::types::Mode::ALL
                    .iter()
                    .map(|m| {
                        let p = s.mode(*m);
                        ModeView {
                            mode: p.mode,
                            cost: p.cost,
                            enabled: p.enabled,
                            concurrency: None,
                        }
                    })
                    .collect(),
            );
            offer.action_cost = Some(s.action_cost);
        }
        EngineKind::Openai => {
            offer.models = Some(
                openai::MODELS
                    .iter()
                    .filter_map(|m| {
                        let price = s.model(kind, m.id)?;
                        Some(ModelOffer {
                            model: m.id.to_owned(),
                            label: m.label.to_owned(),
                            enabled: price.enabled,
                            sizes: m.sizes.iter().map(|x| (*x).to_owned()).collect(),
                            qualities: m.qualities.iter().map(|x| (*x).to_owned()).collect(),
                            cost: price.cost,
                            max_n: m.max_n.min(openai::MAX_N),
                        })
                    })
                    .collect(),
            );
        }
        EngineKind::SdWebui => {
            offer.models = Some(
                catalog
                    .models
                    .iter()
                    .filter_map(|m| {
                        let price = s.model(kind, &m.title)?;
                        Some(ModelOffer {
                            model: m.title.clone(),
                            label: m.model_name.clone(),
                            enabled: price.enabled,
                            sizes: sd_webui::SIZES.iter().map(|x| (*x).to_owned()).collect(),
                            qualities: Vec::new(),
                            cost: price.cost,
                            max_n: sd_webui::MAX_N,
                        })
                    })
                    .collect(),
            );
            offer.samplers = Some(catalog.samplers.clone());
        }
    }
    offer
}

/// Switches and prices one engine; answers its offer as it now stands.
pub async fn update(
    engine: &Engine,
    actor: &CurrentUser,
    kind: EngineKind,
    patch: EnginePatch,
) -> Result<EngineOffer, AppError> {
    actor.require_admin()?;
    let midjourney = kind == EngineKind::Midjourney;
    if patch.modes.is_some() && !midjourney {
        return Err(AppError::invalid("modes", Rule::NotOffered));
    }
    if patch.action_cost.is_some() && !midjourney {
        return Err(AppError::invalid("action_cost", Rule::NotOffered));
    }
    if patch.models.is_some() && midjourney {
        return Err(AppError::invalid("models", Rule::NotOffered));
    }
    let config = ConfigPatch {
        modes: patch.modes,
        action_cost: patch.action_cost,
        engine_on: patch.enabled.map(|on| (kind, on)),
        models: patch.models.map(|m| (kind, m)),
        ..ConfigPatch::default()
    };
    settings::update(engine, actor, config).await?;
    offer_of(engine, kind).await
}
