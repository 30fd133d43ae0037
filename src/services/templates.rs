//! Prompt templates: a user's own, and shared ones that admins make for everyone (the starter
//! presets among them). A template is checked as a submit is when it is saved, so using one
//! fills the Generate page with choices that work.

use crate::{
    auth::CurrentUser,
    db::{self, templates::TemplateRow},
    engine::Engine,
    error::{AppError, Rule},
    limits,
    services::generation::{NewJob, rfc3339},
    types::TemplateView,
};
use sqlx::types::Json;

pub fn view(r: &TemplateRow, user: &CurrentUser) -> TemplateView {
    TemplateView {
        id: r.id.clone(),
        name: r.name.clone(),
        placeholders: crate::templates::placeholders(&r.prompt),
        prompt: r.prompt.clone(),
        engine: r.engine,
        mode: r.mode,
        model: r.model.clone(),
        params: r.params.0.clone(),
        shared: r.shared,
        editable: may_change(r, user),
        created_at: rfc3339(r.created_at),
        updated_at: rfc3339(r.updated_at),
    }
}

/// Its owner changes a template of their own; admins the shared ones.
fn may_change(r: &TemplateRow, user: &CurrentUser) -> bool {
    if r.shared {
        user.is_admin()
    } else {
        r.user_id.as_deref() == Some(user.id.as_str())
    }
}

/// The user's templates, then the shared ones.
pub async fn list(engine: &Engine, user: &CurrentUser) -> Result<Vec<TemplateView>, AppError> {
    let rows = db::templates::visible_to(&engine.pool, &user.id)
        .await
        .map_err(super::internal)?;
    Ok(rows.iter().map(|r| view(r, user)).collect())
}

/// What a template is made of: its name, whether it is shared, and the submit it fills in
/// (`job.prompt` with its placeholders; images are not kept).
pub struct NewTemplate {
    pub name: String,
    pub shared: bool,
    pub job: NewJob,
}

/// The fields a template keeps, checked as a submit of its prompt would be.
async fn settled(
    engine: &Engine,
    user: &CurrentUser,
    t: &NewTemplate,
    row: &mut TemplateRow,
) -> Result<(), AppError> {
    row.name = super::required_text("name", &t.name, limits::TEMPLATE_NAME_MAX_CHARS)?.to_owned();
    if t.shared && !user.is_admin() {
        return Err(AppError::Forbidden(
            "Only administrators share templates with everyone.".into(),
        ));
    }
    let job = NewJob {
        action: None,
        images: None,
        ..t.job.clone()
    };
    let s = super::generation::settle(engine, user, &job).await?;
    row.prompt = job.prompt.trim().to_owned();
    row.engine = Some(s.kind);
    row.mode = s.mode;
    row.model = s.model;
    row.params = Json(s.params);
    row.shared = t.shared;
    Ok(())
}

pub async fn create(
    engine: &Engine,
    user: &CurrentUser,
    t: &NewTemplate,
) -> Result<TemplateView, AppError> {
    let now = db::now_ms();
    let mut row = TemplateRow {
        id: db::new_id(),
        user_id: Some(user.id.clone()),
        name: String::new(),
        prompt: String::new(),
        engine: None,
        mode: None,
        model: None,
        params: Json(Default::default()),
        shared: false,
        created_at: now,
        updated_at: now,
    };
    settled(engine, user, t, &mut row).await?;
    if !db::templates::insert(&engine.pool, &row, limits::TEMPLATES_PER_ACCOUNT)
        .await
        .map_err(super::internal)?
    {
        return Err(AppError::invalid(
            "name",
            Rule::Other(format!(
                "You have {} templates, as many as an account may have: delete one first.",
                limits::TEMPLATES_PER_ACCOUNT
            )),
        ));
    }
    Ok(view(&row, user))
}

/// A template the user may change: another's private one is not found; a shared one they may
/// not change is refused.
async fn changeable(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
) -> Result<TemplateRow, AppError> {
    let row = db::templates::get(&engine.pool, id)
        .await
        .map_err(super::internal)?
        .filter(|r| r.shared || r.user_id.as_deref() == Some(user.id.as_str()))
        .ok_or(AppError::NotFound)?;
    if !may_change(&row, user) {
        return Err(AppError::Forbidden(
            "Only administrators change the shared templates.".into(),
        ));
    }
    Ok(row)
}

/// Replaces a template's fields with `t`'s (the API's PATCH merges the given fields into the
/// template first).
pub async fn update(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
    change: impl FnOnce(&TemplateView) -> NewTemplate,
) -> Result<TemplateView, AppError> {
    let mut row = changeable(engine, user, id).await?;
    let t = change(&view(&row, user));
    settled(engine, user, &t, &mut row).await?;
    row.updated_at = db::now_ms();
    db::templates::update(&engine.pool, &row)
        .await
        .map_err(super::internal)?;
    Ok(view(&row, user))
}

pub async fn delete(engine: &Engine, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let row = changeable(engine, user, id).await?;
    db::templates::delete(&engine.pool, &row.id)
        .await
        .map_err(super::internal)?;
    Ok(())
}

/// The submit a template stands for, with a prompt (its own, or filled in).
pub fn job_of(t: &TemplateView, prompt: String) -> NewJob {
    let p = &t.params;
    NewJob {
        engine: t.engine.map(|e| e.as_str().to_owned()),
        prompt,
        mode: t.mode.map(|m| m.as_str().to_owned()),
        model: t.model.clone(),
        size: p.size.clone(),
        quality: p.quality.clone(),
        n: p.n.map(i64::from),
        negative_prompt: p.negative_prompt.clone(),
        seed: p.seed,
        steps: p.steps.map(i64::from),
        cfg_scale: p.cfg_scale.map(|s| s.0),
        sampler: p.sampler.clone(),
        denoising_strength: p.denoising_strength.map(|s| s.0),
        dimensions: p.dimensions.clone(),
        sw: p.sw.map(i64::from),
        cw: p.cw.map(i64::from),
        ..NewJob::default()
    }
}

/// The user's latest prompts, a click away on the Generate page.
pub async fn recent_prompts(engine: &Engine, user: &CurrentUser) -> Result<Vec<String>, AppError> {
    db::templates::recent_prompts(&engine.pool, &user.id, limits::RECENT_PROMPTS)
        .await
        .map_err(super::internal)
}
