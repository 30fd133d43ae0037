//! Tasks: submit (charge and insert in one transaction), follow-up actions, modal input,
//! cancel, delete, and the neutral views every page and API answers with. What happens to a
//! task after submit is `lifecycle`'s.

use crate::{
    auth::CurrentUser,
    db::{self, blobs, ledger, tasks::TaskRow},
    domain::prompt::Prompt,
    engine::Engine,
    engines::{
        midjourney::{Needs, button_kind, price_key},
        openai,
    },
    error::{AppError, Conflict, Rule},
    services::lifecycle,
    types::{
        EngineKind, ImageView, Mode, Role, TaskAction, TaskParams, TaskStatus, TaskUpdates,
        TaskView,
    },
};
use std::sync::Arc;

/// A new task as asked for (`POST /api/v1/tasks`), before it is checked.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewJob {
    pub engine: Option<String>,
    pub action: Option<String>,
    pub prompt: String,
    pub mode: Option<String>,
    pub model: Option<String>,
    pub size: Option<String>,
    pub quality: Option<String>,
    pub n: Option<i64>,
    pub negative_prompt: Option<String>,
    pub seed: Option<i64>,
    pub images: Option<Vec<serde_json::Value>>,
    pub dimensions: Option<String>,
    /// MidJourney's style and character weights (`--sw`, `--cw`), with those references.
    pub sw: Option<i64>,
    pub cw: Option<i64>,
    /// Stable Diffusion's sampling steps, guidance, sampler, and an edit's strength (0-1).
    pub steps: Option<i64>,
    pub cfg_scale: Option<f64>,
    pub sampler: Option<String>,
    pub denoising_strength: Option<f64>,
}

/// Submits a new midjourney imagine task (the pages' and the facade's form).
pub async fn submit(
    engine: &Engine,
    user: &CurrentUser,
    prompt: &str,
    mode: &str,
) -> Result<TaskView, AppError> {
    let job = NewJob {
        prompt: prompt.to_owned(),
        mode: Some(mode.to_owned()),
        ..NewJob::default()
    };
    submit_job(engine, user, &job).await
}

/// Submits a new task: checks, then charges and inserts as `queued` in one transaction.
#[tracing::instrument(skip(engine, user, job), fields(user_id = %user.id))]
pub async fn submit_job(
    engine: &Engine,
    user: &CurrentUser,
    job: &NewJob,
) -> Result<TaskView, AppError> {
    let settings = ready(engine, user).await?;
    let checked = check(engine, user, &settings, job).await?;
    let planned = plan(&settings, &checked, job, &job.prompt)?;
    let id = db::new_id();
    let task = planned.task(&id, &user.id, None);
    create_one(engine, user, &settings, &task).await
}

/// What a job is made with once checked as a submit is (nothing charged, nothing made): its
/// engine, mode, model and parameters. A template is saved with these.
pub struct Settled {
    pub kind: EngineKind,
    pub mode: Option<Mode>,
    pub model: Option<String>,
    pub params: TaskParams,
}

pub async fn settle(
    engine: &Engine,
    user: &CurrentUser,
    job: &NewJob,
) -> Result<Settled, AppError> {
    let settings = engine.settings().await?;
    let checked = check(engine, user, &settings, job).await?;
    // A MidJourney template may leave the mode to the user: checked with any mode on.
    let no_mode = job.mode.as_deref().is_none_or(|m| m.trim().is_empty());
    let mut job = job.clone();
    if no_mode && checked.kind == EngineKind::Midjourney {
        job.mode = settings
            .modes
            .iter()
            .find(|m| m.enabled)
            .map(|m| m.mode.as_str().to_owned());
    }
    let p = plan(&settings, &checked, &job, &job.prompt)?;
    Ok(Settled {
        kind: p.kind,
        mode: p.mode.filter(|_| !no_mode),
        model: p.model,
        params: p.params,
    })
}

/// Makes a failed or cancelled task of the user again: a new task with its engine, action,
/// prompt, parameters and images (a follow-up presses the same button of the same picture),
/// under the same live-task limit. It is planned exactly as a new submit of the same fields (or a
/// new press of the same button) would be today: a mode, model or engine switched off since is
/// refused, and it costs today's price.
#[tracing::instrument(skip(engine, user), fields(user_id = %user.id))]
pub async fn retry(engine: &Engine, user: &CurrentUser, id: &str) -> Result<TaskView, AppError> {
    let settings = ready(engine, user).await?;
    let row = db::tasks::get(&engine.pool, id)
        .await
        .map_err(super::internal)?
        .filter(|r| r.user_id == user.id)
        .ok_or(AppError::NotFound)?;
    let orphan = row.custom_id.is_some() && row.parent_id.is_none();
    if !matches!(row.status, TaskStatus::Failed | TaskStatus::Cancelled) || orphan {
        return Err(AppError::Conflict(Conflict::NotRetryable));
    }
    let new_id = db::new_id();
    let (Some(parent_id), Some(custom_id)) = (&row.parent_id, &row.custom_id) else {
        // A new task: the submit of the same fields.
        let job = job_of_row(&row);
        let checked = check(engine, user, &settings, &job).await?;
        let planned = plan(&settings, &checked, &job, &row.prompt)?;
        return create_one(
            engine,
            user,
            &settings,
            &planned.task(&new_id, &user.id, None),
        )
        .await;
    };
    // A follow-up: the same button of the same picture, pressed again.
    if !settings.engine_on(row.engine) {
        return Err(AppError::invalid("engine", Rule::SwitchedOff));
    }
    let task = db::tasks::NewTask {
        id: &new_id,
        user_id: &row.user_id,
        parent_id: Some(parent_id),
        engine: row.engine,
        action: row.action,
        custom_id: Some(custom_id),
        mode: row.mode,
        model: row.model.as_deref(),
        prompt: &row.prompt,
        params: &row.params,
        cost: press_cost(&settings, custom_id, row.mode),
        // A follow-up runs where its parent ran.
        channel_id: row.channel_id.as_deref(),
        inputs: &row.inputs,
        batch_id: None,
    };
    create_one(engine, user, &settings, &task).await
}

/// How far a variation of a Stable Diffusion picture strays from it (img2img's denoising).
pub const VARY_STRENGTH: f64 = 0.6;

/// A variation of picture `n` of one of the user's finished OpenAI or Stable Diffusion tasks
/// (MidJourney's own buttons vary its pictures): an edit of that picture, all of it repainted,
/// with the task's prompt, model and settings, one picture and a new seed. It is checked, priced
/// and charged exactly as that edit submitted today would be.
#[tracing::instrument(skip(engine, user), fields(user_id = %user.id))]
pub async fn vary(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
    n: usize,
) -> Result<TaskView, AppError> {
    let row = db::tasks::get(&engine.pool, id)
        .await
        .map_err(super::internal)?
        .filter(|r| r.user_id == user.id)
        .ok_or(AppError::NotFound)?;
    if row.engine == EngineKind::Midjourney {
        return Err(AppError::invalid("task_id", Rule::NotOffered));
    }
    if row.status != TaskStatus::Succeeded {
        return Err(AppError::Conflict(Conflict::NotSucceeded));
    }
    let picture = super::uploads::from_output(engine, user, &row, n).await?;
    let job = NewJob {
        action: Some(TaskAction::Edit.as_str().to_owned()),
        images: Some(vec![
            serde_json::json!({"upload_id": picture.id, "role": "edit"}),
        ]),
        n: None,
        seed: None,
        denoising_strength: (row.engine == EngineKind::SdWebui).then_some(VARY_STRENGTH),
        ..job_of_row(&row)
    };
    submit_job(engine, user, &job).await
}

/// The fields a task was submitted with, as a new submit gives them.
fn job_of_row(row: &TaskRow) -> NewJob {
    let p = &row.params.0;
    NewJob {
        engine: Some(row.engine.as_str().to_owned()),
        action: Some(row.action.as_str().to_owned()),
        prompt: row.prompt.clone(),
        mode: row.mode.map(|m| m.as_str().to_owned()),
        model: row.model.clone(),
        size: p.size.clone(),
        quality: p.quality.clone(),
        n: p.n.map(i64::from),
        negative_prompt: p.negative_prompt.clone(),
        seed: p.seed,
        images: Some(
            row.inputs
                .iter()
                .map(|i| serde_json::json!({"upload_id": i.upload_id, "role": i.role}))
                .collect(),
        ),
        dimensions: p.dimensions.clone(),
        sw: p.sw.map(i64::from),
        cw: p.cw.map(i64::from),
        steps: p.steps.map(i64::from),
        cfg_scale: p.cfg_scale.map(|s| s.0),
        sampler: p.sampler.clone(),
        denoising_strength: p.denoising_strength.map(|s| s.0),
    }
}

/// A batch (`POST /api/v1/tasks/batch`): the prompts given (or the one prompt), each expanded by
/// its `{a, b}` permutations, at most the admin's `batch_max` in all; each task checked as a
/// single submit would be, then all charged and queued in one transaction, or none (402 names
/// what the whole batch costs). The batch is refused while the user has as many live tasks as
/// they may; else all its tasks queue, one after another.
#[tracing::instrument(skip(engine, user, job, prompts), fields(user_id = %user.id))]
pub async fn submit_batch(
    engine: &Engine,
    user: &CurrentUser,
    job: &NewJob,
    prompts: Option<&[String]>,
) -> Result<Vec<TaskView>, AppError> {
    let settings = ready(engine, user).await?;
    let (field, given) = match prompts {
        Some(list) => ("prompts", list),
        None => ("prompt", std::slice::from_ref(&job.prompt)),
    };
    let all =
        crate::permutations::batch_prompts(given, u64::try_from(settings.batch_max).unwrap_or(0))
            .map_err(|rule| AppError::invalid(field, rule))?;
    // The fields but the prompt are checked once (their channels and images read once).
    let checked = check(engine, user, &settings, job).await?;
    let mut planned = Vec::with_capacity(all.len());
    for (i, prompt) in all.iter().enumerate() {
        planned.push(plan(&settings, &checked, job, prompt).map_err(|e| match e {
            // Which prompt of the list: `prompts[2]`.
            AppError::Validation { field: f, rule } if f == "prompt" && prompts.is_some() => {
                AppError::Validation {
                    field: format!("prompts[{i}]"),
                    rule,
                }
            }
            other => other,
        })?);
    }
    let batch_id = db::new_id();
    let ids: Vec<String> = planned.iter().map(|_| db::new_id()).collect();
    let tasks: Vec<db::tasks::NewTask<'_>> = planned
        .iter()
        .zip(&ids)
        .map(|(p, id)| p.task(id, &user.id, Some(&batch_id)))
        .collect();
    create(
        engine,
        &tasks,
        settings.max_active_tasks_per_user,
        user.is_admin(),
    )
    .await
}

/// A new task, checked and priced, before it is stored.
struct Planned {
    kind: EngineKind,
    action: TaskAction,
    mode: Option<Mode>,
    model: Option<String>,
    prompt: String,
    params: TaskParams,
    cost: i64,
    inputs: Vec<db::tasks::Input>,
}

impl Planned {
    fn task<'a>(
        &'a self,
        id: &'a str,
        user_id: &'a str,
        batch_id: Option<&'a str>,
    ) -> db::tasks::NewTask<'a> {
        db::tasks::NewTask {
            id,
            user_id,
            parent_id: None,
            engine: self.kind,
            action: self.action,
            custom_id: None,
            mode: self.mode,
            model: self.model.as_deref(),
            prompt: &self.prompt,
            params: &self.params,
            cost: self.cost,
            channel_id: None,
            inputs: &self.inputs,
            batch_id,
        }
    }
}

/// What a new task's fields allow, checked once for all the prompts of a batch: the engine, its
/// channels, the action and the images.
struct Checked {
    kind: EngineKind,
    action: TaskAction,
    channels: Vec<db::channels::ChannelRow>,
    inputs: Vec<db::tasks::Input>,
}

/// Checks a new task's fields but its prompt.
async fn check(
    engine: &Engine,
    user: &CurrentUser,
    settings: &crate::services::settings::Settings,
    job: &NewJob,
) -> Result<Checked, AppError> {
    let kind = match job.engine.as_deref().map(str::trim) {
        None | Some("") => EngineKind::Midjourney,
        Some(e) => EngineKind::parse(e)
            .ok_or_else(|| AppError::invalid("engine", super::channels::engine_choice()))?,
    };
    if !settings.engine_on(kind) {
        return Err(AppError::invalid("engine", Rule::SwitchedOff));
    }
    let channels = db::channels::list(&engine.pool)
        .await
        .map_err(super::internal)?;
    if kind != EngineKind::Midjourney && !channels.iter().any(|c| c.kind == kind && c.enabled) {
        return Err(AppError::invalid("engine", Rule::NotOffered));
    }
    let action = match job.action.as_deref().map(str::trim) {
        None | Some("" | "imagine") => TaskAction::Imagine,
        Some("edit") if kind != EngineKind::Midjourney => TaskAction::Edit,
        Some("blend") if kind == EngineKind::Midjourney => TaskAction::Blend,
        Some("describe") if kind == EngineKind::Midjourney => TaskAction::Describe,
        Some("shorten") if kind == EngineKind::Midjourney => TaskAction::Shorten,
        Some(a) if TaskAction::parse(a).is_some() => {
            return Err(AppError::invalid("action", Rule::NotOffered));
        }
        Some(_) => {
            return Err(AppError::invalid(
                "action",
                Rule::one_of(&["imagine", "blend", "describe", "edit"]),
            ));
        }
    };
    let inputs = inputs_of(
        engine,
        user,
        kind,
        action,
        job.images.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Checked {
        kind,
        action,
        channels,
        inputs,
    })
}

/// A checked task with this prompt, priced.
fn plan(
    settings: &crate::services::settings::Settings,
    checked: &Checked,
    job: &NewJob,
    prompt: &str,
) -> Result<Planned, AppError> {
    let Checked {
        kind,
        action,
        ref channels,
        ref inputs,
    } = *checked;
    // A blend or a describe needs no words: the task is named as MidJourney names it.
    let prompt = match action {
        TaskAction::Blend | TaskAction::Describe if prompt.trim().is_empty() => {
            Prompt::parse(&format!("/{}", action.as_str()))?
        }
        _ => Prompt::parse(prompt)?,
    };
    let (mode, model, params, cost) = match kind {
        EngineKind::Midjourney => {
            refuse_paid_flags(prompt.as_str())?;
            let mode = Mode::parse(job.mode.as_deref().unwrap_or("").trim()).ok_or_else(|| {
                AppError::invalid("mode", Rule::one_of(&["fast", "relax", "turbo"]))
            })?;
            let mc = settings.mode(mode);
            if !mc.enabled {
                return Err(AppError::invalid("mode", Rule::SwitchedOff));
            }
            let mut params = TaskParams::default();
            for (field, value, max, role) in
                [("sw", job.sw, 1000, "sref"), ("cw", job.cw, 100, "cref")]
            {
                let Some(v) = value else { continue };
                if !inputs.iter().any(|i| i.role == role) {
                    return Err(AppError::invalid(field, Rule::NotOffered));
                }
                let v = u32::try_from(v).ok().filter(|v| *v <= max).ok_or_else(|| {
                    AppError::invalid(
                        field,
                        Rule::Number {
                            min: 0,
                            max: i64::from(max),
                        },
                    )
                })?;
                if field == "sw" {
                    params.sw = Some(v);
                } else {
                    params.cw = Some(v);
                }
            }
            if action == TaskAction::Blend {
                let d = job.dimensions.as_deref().map(str::trim).unwrap_or("square");
                if !["portrait", "square", "landscape"].contains(&d) {
                    return Err(AppError::invalid(
                        "dimensions",
                        Rule::one_of(&["portrait", "square", "landscape"]),
                    ));
                }
                params.dimensions = Some(d.to_owned());
            }
            // A describe or a shorten draws nothing: it costs what the admin set for it.
            let cost = match action {
                TaskAction::Describe => settings.action_price("describe"),
                TaskAction::Shorten => settings.action_price("shorten"),
                _ => mc.cost,
            };
            (Some(mode), None, params, cost)
        }
        EngineKind::Openai => {
            let (model, params, cost) = openai_job(settings, job, &prompt)?;
            if action == TaskAction::Edit {
                openai::takes_edits(&model)?;
            }
            (None, Some(model), params, cost)
        }
        EngineKind::SdWebui => {
            let catalog = super::engines::sd_catalog(channels);
            let (model, params, cost) =
                sd_job(settings, &catalog, job, &prompt, action == TaskAction::Edit)?;
            (None, model, params, cost)
        }
    };
    Ok(Planned {
        kind,
        action,
        mode,
        model,
        prompt: prompt.as_str().to_owned(),
        params,
        cost,
        inputs: inputs.clone(),
    })
}

/// One of `images` as submitted.
#[derive(serde::Deserialize)]
struct Given {
    upload_id: String,
    role: String,
}

/// The images a task is given, checked: the user's own uploads, in the roles its action takes.
/// A midjourney imagine: up to five image prompts (`reference`); a blend: two to five (`blend`);
/// a describe: one (`describe`); an edit: one picture (`edit`) and an optional `mask`, a PNG of
/// the picture's size, transparent (or, without transparency, white) where it repaints.
async fn inputs_of(
    engine: &Engine,
    user: &CurrentUser,
    kind: EngineKind,
    action: TaskAction,
    images: &[serde_json::Value],
) -> Result<Vec<db::tasks::Input>, AppError> {
    let field = "images";
    // (role, fewest, most) of each role the action takes.
    let roles: &[(&str, usize, usize)] = match (kind, action) {
        (_, TaskAction::Edit) => &[("edit", 1, 1), ("mask", 0, 1)],
        (EngineKind::Midjourney, TaskAction::Imagine) => {
            &[("reference", 0, 5), ("sref", 0, 5), ("cref", 0, 5)]
        }
        (EngineKind::Midjourney, TaskAction::Blend) => &[("blend", 2, 5)],
        (EngineKind::Midjourney, TaskAction::Describe) => &[("describe", 1, 1)],
        _ => &[],
    };
    if roles.is_empty() && !images.is_empty() {
        return Err(AppError::invalid(field, Rule::NotOffered));
    }
    if images.len() > crate::limits::TASK_IMAGES_MAX {
        return Err(AppError::invalid(
            field,
            Rule::Other(format!(
                "Give at most {} images.",
                crate::limits::TASK_IMAGES_MAX
            )),
        ));
    }
    let mut given_uploads: Vec<(String, crate::db::uploads::UploadRow)> = Vec::new();
    for given in images {
        let given: Given = serde_json::from_value(given.clone()).map_err(|_| {
            AppError::invalid(
                field,
                Rule::Other("Give each image as {upload_id, role}.".into()),
            )
        })?;
        if !roles.iter().any(|(r, _, _)| *r == given.role) {
            let names: Vec<&str> = roles.iter().map(|(r, _, _)| *r).collect();
            return Err(AppError::invalid(field, Rule::one_of(&names)));
        }
        let upload = super::uploads::visible(engine, user, &given.upload_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound => AppError::invalid(field, Rule::NoSuchUpload),
                other => other,
            })?;
        given_uploads.push((given.role, upload));
    }
    for (role, fewest, most) in roles {
        let n = given_uploads.iter().filter(|(r, _)| r == role).count();
        if n < *fewest || n > *most {
            return Err(if n == 0 {
                AppError::invalid(field, Rule::Required)
            } else if fewest == most {
                AppError::invalid(field, Rule::Other(format!("Give one image as {role}.")))
            } else {
                AppError::invalid(
                    field,
                    Rule::Other(format!("Give {fewest} to {most} images as {role}.")),
                )
            });
        }
    }
    let picture = given_uploads
        .iter()
        .find(|(r, _)| r == "edit")
        .map(|(_, u)| u);
    let mask = given_uploads
        .iter()
        .find(|(r, _)| r == "mask")
        .map(|(_, u)| u);
    if let (Some(p), Some(m)) = (picture, mask)
        && (m.content_type != "image/png" || (m.width, m.height) != (p.width, p.height))
    {
        return Err(AppError::invalid(field, Rule::MaskMismatch));
    }
    // An edit's picture first, then its mask; the others in the order given.
    given_uploads.sort_by_key(|(r, _)| r == "mask");
    Ok(given_uploads
        .into_iter()
        .map(|(role, u)| db::tasks::Input {
            upload_id: u.id,
            role,
            key: u.key,
        })
        .collect())
}

/// A Stable Diffusion task, checked and priced: its checkpoint (named by its title or its short
/// name; when none is named, the first the boxes offer, or while their list is not known, the
/// one a box has loaded), parameters (as sent upstream) and cost, each picture charged.
fn sd_job(
    settings: &crate::services::settings::Settings,
    catalog: &crate::engines::sd_webui::Catalog,
    job: &NewJob,
    prompt: &Prompt,
    edit: bool,
) -> Result<(Option<String>, TaskParams, i64), AppError> {
    let asked = job
        .model
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let model = match asked {
        Some(m) => Some(
            catalog
                .models
                .iter()
                .find(|c| c.title == m || c.model_name == m)
                .map(|c| c.title.clone())
                .ok_or_else(|| {
                    let titles: Vec<&str> =
                        catalog.models.iter().map(|c| c.title.as_str()).collect();
                    AppError::invalid("model", Rule::one_of(&titles))
                })?,
        ),
        None => catalog.models.first().map(|c| c.title.clone()),
    };
    let price = settings
        .model(
            EngineKind::SdWebui,
            model
                .as_deref()
                .unwrap_or(crate::services::settings::ANY_CHECKPOINT),
        )
        .filter(|p| p.enabled)
        .ok_or_else(|| AppError::invalid("model", Rule::SwitchedOff))?;
    let ask = crate::engines::sd_webui::Ask {
        prompt: prompt.as_str(),
        negative_prompt: job.negative_prompt.as_deref(),
        size: job.size.as_deref(),
        n: job.n,
        steps: job.steps,
        cfg_scale: job.cfg_scale,
        sampler: job.sampler.as_deref(),
        seed: job.seed,
        denoising_strength: job.denoising_strength,
    };
    let g = crate::engines::sd_webui::Generation::new(model.as_deref(), &ask, &catalog.samplers)?;
    let each = price.cost.lowest();
    Ok((model, g.params(edit), each * i64::from(g.n)))
}

/// An OpenAI Images task, checked against its model and priced: its model, parameters (as sent
/// upstream) and cost, each image charged.
fn openai_job(
    settings: &crate::services::settings::Settings,
    job: &NewJob,
    prompt: &Prompt,
) -> Result<(String, TaskParams, i64), AppError> {
    let ids: Vec<&str> = openai::MODELS.iter().map(|m| m.id).collect();
    let model = job
        .model
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .ok_or_else(|| AppError::invalid("model", Rule::one_of(&ids)))?;
    let n = match job.n {
        None => 1,
        Some(n) => u8::try_from(n)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| AppError::range("n", 1, i64::from(openai::MAX_N)))?,
    };
    let g = openai::Generation::new(
        model,
        prompt.as_str(),
        n,
        job.size.as_deref().map(str::trim),
        job.quality.as_deref().map(str::trim),
    )?;
    let price = settings
        .model(EngineKind::Openai, &g.model)
        .filter(|p| p.enabled)
        .ok_or_else(|| AppError::invalid("model", Rule::SwitchedOff))?;
    let each = price
        .cost
        .of(Some(&g.quality))
        .ok_or_else(|| AppError::invalid("quality", Rule::SwitchedOff))?;
    let params = TaskParams {
        size: Some(g.size.clone()),
        quality: Some(g.quality.clone()),
        n: Some(n),
        ..TaskParams::default()
    };
    Ok((g.model, params, each * i64::from(n)))
}

/// What pressing a button did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pressed {
    /// A new child task, charged.
    Created(TaskView),
    /// That picture was already made (or is being made) by this child: nothing charged.
    Existing(TaskView),
    /// The task waited for the user's input and goes on with it: nothing charged.
    Continued(TaskView),
}

impl Pressed {
    pub fn task(self) -> TaskView {
        match self {
            Self::Created(t) | Self::Existing(t) | Self::Continued(t) => t,
        }
    }
}

/// A press of a button: which, and what a step that asks for more is answered with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Press<'a> {
    pub custom_id: &'a str,
    /// A modal step's prompt; on a variation, a reroll or a pan, the changed prompt (Remix).
    pub prompt: Option<&'a str>,
    /// Vary (Region)'s mask.
    pub mask: Option<&'a Mask>,
    /// Custom Zoom's factor (1-2), put in the prompt as `--zoom`.
    pub zoom: Option<f64>,
}

/// A mask as given: a PNG as a data URL or bare base64, or one of the user's uploads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mask {
    Base64(String),
    Upload(String),
}

impl Mask {
    /// `"data:image/png;base64,..."`, bare base64, or `{"upload_id": ...}`.
    pub fn from_json(v: &serde_json::Value) -> Result<Self, AppError> {
        match v {
            serde_json::Value::String(s) => Ok(Self::Base64(s.clone())),
            serde_json::Value::Object(o) => o
                .get("upload_id")
                .and_then(|u| u.as_str())
                .map(|u| Self::Upload(u.to_owned()))
                .ok_or_else(|| AppError::invalid("mask", Rule::NeedsMask)),
            _ => Err(AppError::invalid("mask", Rule::NeedsMask)),
        }
    }
}

/// Presses a button of a finished task (a new child task, charged that button's price), or
/// answers the modal step a task waits in (`custom_id` its own, with a prompt, a mask or a zoom).
#[tracing::instrument(skip(engine, user, press), fields(user_id = %user.id, custom_id = press.custom_id))]
pub async fn action(
    engine: &Engine,
    user: &CurrentUser,
    parent_id: &str,
    press: Press<'_>,
) -> Result<Pressed, AppError> {
    let settings = ready(engine, user).await?;
    let parent = visible_now(engine, user, parent_id).await?;
    let custom_id = press.custom_id.trim();
    if parent.status == TaskStatus::NeedsInput && parent.custom_id.as_deref() == Some(custom_id) {
        return continue_modal(engine, user, &parent, press).await;
    }
    if parent.status != TaskStatus::Succeeded {
        return Err(AppError::Conflict(Conflict::NotSucceeded));
    }
    if !parent.buttons.iter().any(|b| b.custom_id == custom_id) {
        return Err(AppError::invalid("custom_id", Rule::NotAButton));
    }
    if press.mask.is_some() || press.zoom.is_some() {
        // Those answer the step the child will wait in, once the upstream asks.
        let field = if press.mask.is_some() { "mask" } else { "zoom" };
        return Err(AppError::invalid(field, Rule::NotOffered));
    }
    let (kind, _) = button_kind(custom_id);
    // The same upscale of the same picture is the same picture: answer the one made already.
    if kind == TaskAction::Upscale
        && let Some(child) =
            db::tasks::existing_child(&engine.pool, &parent.id, custom_id, &user.id)
                .await
                .map_err(super::internal)?
    {
        return Ok(Pressed::Existing(priced(
            view(&child, user.is_admin()),
            &settings,
        )));
    }
    let (prompt, cost) = match price_key(custom_id) {
        // A describe's or a shorten's "imagine prompt 2": a new grid of that prompt, priced as one.
        None => {
            let index = custom_id
                .rsplit("::")
                .find_map(|i| i.parse().ok())
                .unwrap_or(1);
            let prompt = parent
                .text
                .as_deref()
                .and_then(|text| crate::engines::midjourney::numbered_prompt(text, index))
                .unwrap_or_else(|| parent.prompt.clone());
            (prompt, press_cost(&settings, custom_id, parent.mode))
        }
        Some(_) => {
            let remix = matches!(
                kind,
                TaskAction::Variation | TaskAction::Reroll | TaskAction::Pan
            );
            let prompt = match press.prompt.map(str::trim).filter(|p| !p.is_empty()) {
                // Remix: the child is drawn from a changed prompt (the upstream asks for it in a
                // modal step, confirmed with this prompt).
                Some(p) if remix => {
                    let p = Prompt::parse(p)?;
                    refuse_paid_flags(p.as_str())?;
                    p.as_str().to_owned()
                }
                Some(_) => return Err(AppError::invalid("prompt", Rule::NotOffered)),
                None => parent.prompt.clone(),
            };
            (prompt, press_cost(&settings, custom_id, parent.mode))
        }
    };
    let params = TaskParams::default();
    let task = db::tasks::NewTask {
        id: &db::new_id(),
        user_id: &user.id,
        parent_id: Some(&parent.id),
        engine: parent.engine,
        action: kind,
        custom_id: Some(custom_id),
        mode: parent.mode,
        model: parent.model.as_deref(),
        prompt: &prompt,
        params: &params,
        cost,
        channel_id: parent.channel_id.as_deref(),
        inputs: &[],
        batch_id: None,
    };
    create(
        engine,
        std::slice::from_ref(&task),
        settings.max_active_tasks_per_user,
        user.is_admin(),
    )
    .await
    .map(|mut t| Pressed::Created(priced(t.remove(0), &settings)))
}

/// The task with what each of its buttons costs now.
pub fn priced(mut task: TaskView, settings: &crate::services::settings::Settings) -> TaskView {
    for b in &mut task.buttons {
        b.cost = Some(press_cost(settings, &b.custom_id, task.mode));
    }
    task
}

/// What pressing the button `custom_id` of a task in `mode` costs now: the button's own price,
/// or (a describe's "imagine prompt N", a new grid) the mode's.
pub fn press_cost(
    settings: &crate::services::settings::Settings,
    custom_id: &str,
    mode: Option<Mode>,
) -> i64 {
    match price_key(custom_id) {
        Some(key) => settings.action_price(key),
        None => mode.map_or(settings.action_cost, |m| settings.mode(m).cost),
    }
}

/// Answers the modal step `task` waits in (already paid for): Custom Zoom's prompt with its
/// `--zoom`, Vary (Region)'s mask and optional prompt, or Remix's prompt.
async fn continue_modal(
    engine: &Engine,
    user: &CurrentUser,
    task: &TaskRow,
    press: Press<'_>,
) -> Result<Pressed, AppError> {
    let needs = task
        .custom_id
        .as_deref()
        .map_or(Needs::Prompt, |c| button_kind(c).1);
    let given = press.prompt.map(str::trim).filter(|p| !p.is_empty());
    let prompt = match (needs, given, press.zoom) {
        (Needs::Prompt, given, Some(zoom)) => {
            if !(1.0..=2.0).contains(&zoom) {
                return Err(AppError::invalid("zoom", Rule::ZoomFactor));
            }
            let flag = format!("--zoom {}", zoom_text(zoom));
            Prompt::parse(&crate::prompt_flags::set_flag(
                given.unwrap_or(&task.prompt),
                &["--zoom"],
                Some(&flag),
            ))?
        }
        (Needs::Prompt, Some(p), None) => {
            match crate::prompt_flags::flag_value(p, "--zoom").map(|z| z.parse::<f64>()) {
                Some(Ok(z)) if (1.0..=2.0).contains(&z) => Prompt::parse(p)?,
                _ => return Err(AppError::invalid("prompt", Rule::NeedsPrompt)),
            }
        }
        (Needs::Mask, given, None) => Prompt::parse(given.unwrap_or(&task.prompt))?,
        (_, Some(p), None) => Prompt::parse(p)?,
        (_, _, Some(_)) => return Err(AppError::invalid("zoom", Rule::NotOffered)),
        (_, None, None) => return Err(AppError::invalid("prompt", Rule::NeedsPrompt)),
    };
    refuse_paid_flags(prompt.as_str())?;
    let mask = match (needs, press.mask) {
        (Needs::Mask, Some(mask)) => Some(mask_png(engine, user, task, mask).await?),
        (Needs::Mask, None) => return Err(AppError::invalid("mask", Rule::NeedsMask)),
        (_, Some(_)) => return Err(AppError::invalid("mask", Rule::NotOffered)),
        (_, None) => None,
    };
    let channel = engine
        .channel_of(task.channel_id.as_deref())
        .await?
        .ok_or_else(|| AppError::Upstream("The channel of this task is gone.".into()))?;
    lifecycle::confirm(engine, &channel, task, prompt.as_str(), mask.as_deref()).await?;
    engine.wake_worker();
    Ok(Pressed::Continued(get(engine, user, &task.id).await?))
}

/// "1.8", "2": a zoom factor as a prompt writes it.
fn zoom_text(zoom: f64) -> String {
    let text = format!("{zoom:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Vary (Region)'s mask as the upstream takes it: a PNG of the picture's size, white where it
/// repaints (given transparent or white there), checked to fit the picture it paints on.
async fn mask_png(
    engine: &Engine,
    user: &CurrentUser,
    task: &TaskRow,
    mask: &Mask,
) -> Result<Vec<u8>, AppError> {
    let field = "mask";
    let bytes: Vec<u8> = match mask {
        Mask::Base64(text) => {
            use base64::Engine as _;
            let data = text.split_once(',').map_or(text.as_str(), |(_, d)| d);
            base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|_| AppError::invalid(field, Rule::NeedsMask))?
        }
        Mask::Upload(id) => {
            let upload = super::uploads::visible(engine, user, id)
                .await
                .map_err(|e| match e {
                    AppError::NotFound => AppError::invalid(field, Rule::NoSuchUpload),
                    other => other,
                })?;
            engine
                .images
                .bytes(&upload.key)
                .await
                .map_err(super::internal)?
                .ok_or_else(|| AppError::invalid(field, Rule::NoSuchUpload))?
                .to_vec()
        }
    };
    if bytes.len() > super::uploads::MAX_UPLOAD_BYTES {
        return Err(AppError::invalid(field, Rule::MaskMismatch));
    }
    // The picture it paints on: the upscale this Vary (Region) belongs to.
    let parent = match &task.parent_id {
        Some(p) => db::tasks::get(&engine.pool, p)
            .await
            .map_err(super::internal)?,
        None => None,
    };
    let (w, h) = parent
        .as_ref()
        .and_then(|p| p.outputs.first())
        .and_then(|o| Some((o.width?, o.height?)))
        .unwrap_or((1024, 1024));
    // Its shape, from the header: a mask that cannot fit is refused before it is decoded.
    if crate::images::mask_fits(&bytes, w, h)
        .map_err(|_| AppError::invalid(field, Rule::NeedsMask))?
        .is_none()
    {
        return Err(AppError::invalid(field, Rule::MaskMismatch));
    }
    crate::images::decoding_picture(bytes, move |b| crate::images::mask_for(b, w, h))
        .await
        .map_err(|_| AppError::invalid(field, Rule::NeedsMask))?
        .ok_or_else(|| AppError::invalid(field, Rule::MaskMismatch))
}

/// The settings, once generation is on and the user may use it.
async fn ready(
    engine: &Engine,
    user: &CurrentUser,
) -> Result<std::sync::Arc<crate::services::settings::Settings>, AppError> {
    let settings = engine.settings().await?;
    if !settings.enabled {
        return Err(AppError::Disabled);
    }
    if user.role == Role::Pending {
        return Err(AppError::Forbidden(
            "Your account is waiting for an administrator's approval.".into(),
        ));
    }
    Ok(settings)
}

/// [`create`] of one task, under the user's live-task limit.
async fn create_one(
    engine: &Engine,
    user: &CurrentUser,
    settings: &crate::services::settings::Settings,
    task: &db::tasks::NewTask<'_>,
) -> Result<TaskView, AppError> {
    let mut made = create(
        engine,
        std::slice::from_ref(task),
        settings.max_active_tasks_per_user,
        user.is_admin(),
    )
    .await?;
    made.pop().ok_or(AppError::Internal)
}

async fn create(
    engine: &Engine,
    tasks: &[db::tasks::NewTask<'_>],
    max_active: i64,
    admin: bool,
) -> Result<Vec<TaskView>, AppError> {
    let Some(first) = tasks.first() else {
        return Ok(Vec::new());
    };
    let now = db::now_ms();
    // The account is locked first (on SQLite: the database), so the count, the charge and the
    // insert see one state even with submits on several instances at once.
    let mut tx = engine.pool.begin_write().await.map_err(super::internal)?;
    db::users::lock(&mut tx, first.user_id)
        .await
        .map_err(super::internal)?;
    let mut rows = Vec::with_capacity(tasks.len());
    for (i, task) in tasks.iter().enumerate() {
        // The live-task limit holds the first back; a batch let in queues all of its tasks.
        let limit = if i == 0 { max_active } else { i64::MAX };
        let Some(row) = db::tasks::insert_below(&mut tx, task, now, limit)
            .await
            .map_err(super::internal)?
        else {
            return Err(AppError::TooManyTasks { limit: max_active });
        };
        // The task holds its inputs' files, whatever becomes of the uploads, and the uploads it
        // used are kept.
        blobs::acquire(&mut tx, &row.input_keys())
            .await
            .map_err(super::internal)?;
        let used: Vec<String> = task.inputs.iter().map(|i| i.upload_id.clone()).collect();
        db::uploads::mark_used(&mut tx, &used, now)
            .await
            .map_err(super::internal)?;
        if task.cost > 0 {
            let charge = ledger::NewEntry {
                user_id: task.user_id,
                delta: -task.cost,
                reason: ledger::Reason::Charge,
                task_id: Some(task.id),
                note: None,
            };
            match ledger::append(&mut tx, charge, now).await {
                Ok(_) => {}
                Err(ledger::AppendError::WouldGoNegative) => {
                    drop(tx);
                    let have = super::credits::balance(&engine.pool, task.user_id).await?;
                    return Err(AppError::InsufficientCredits {
                        need: tasks.iter().map(|t| t.cost).sum(),
                        have,
                    });
                }
                Err(e) => return Err(super::internal(e)),
            }
        }
        rows.push(row);
    }
    tx.commit().await.map_err(super::internal)?;
    for task in tasks {
        tracing::info!(
            task_id = task.id,
            cost = task.cost,
            batch_id = task.batch_id,
            "task queued"
        );
        engine.metrics.submitted(task.engine);
    }
    engine.wake_worker();
    Ok(rows.iter().map(|r| view(r, admin)).collect())
}

/// A prompt may not choose another mode than the one paid for, nor ask for several jobs.
fn refuse_paid_flags(prompt: &str) -> Result<(), AppError> {
    match crate::prompt_flags::paid_flag(prompt) {
        Some(flag) => Err(AppError::invalid(
            "prompt",
            Rule::PaidFlag {
                flag: flag.to_owned(),
            },
        )),
        None => Ok(()),
    }
}

/// A task the user may see (their own, or any for an admin); NotFound otherwise. Read as status
/// polls read (`db::task_reads`): to show it.
pub async fn visible(engine: &Engine, user: &CurrentUser, id: &str) -> Result<TaskRow, AppError> {
    Ok(visible_read(engine, user, id).await?.row.clone())
}

/// The same, as read (shared with other reads while nothing changes).
async fn visible_read(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
) -> Result<Arc<db::tasks::PolledTask>, AppError> {
    let read = engine
        .reads
        .get(id)
        .await
        .map_err(super::internal)?
        .ok_or(AppError::NotFound)?;
    owned(user, Some(&read.row))?;
    Ok(read)
}

/// The same, read from the database itself: for a decision (a press, a cancel, a delete), which
/// must not rest on what an instance kept while another changed the task.
async fn visible_now(engine: &Engine, user: &CurrentUser, id: &str) -> Result<TaskRow, AppError> {
    let row = db::tasks::get(&engine.pool, id)
        .await
        .map_err(super::internal)?;
    owned(user, row)
}

fn owned<R: std::borrow::Borrow<TaskRow>>(
    user: &CurrentUser,
    row: Option<R>,
) -> Result<R, AppError> {
    let row = row.ok_or(AppError::NotFound)?;
    if row.borrow().user_id != user.id && !user.is_admin() {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

pub async fn get(engine: &Engine, user: &CurrentUser, id: &str) -> Result<TaskView, AppError> {
    Ok(shown(engine, user, id).await?.view.clone())
}

/// A task as its viewer sees it, priced now: built once and kept while neither the task nor the
/// settings change (`task_views`).
pub async fn shown(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
) -> Result<Arc<super::task_views::Shown>, AppError> {
    let read = visible_read(engine, user, id).await?;
    let settings = engine.settings().await?;
    let admin = user.is_admin();
    Ok(engine.views.view(read, admin, settings, |read, settings| {
        priced(view(&read.row, admin), settings)
    }))
}

/// `GET /api/v1/tasks`'s query, as given.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListQuery<'a> {
    pub engine: Option<&'a str>,
    pub status: Option<&'a str>,
    pub q: Option<&'a str>,
    pub favorite: Option<&'a str>,
    pub batch: Option<&'a str>,
    /// One of the user's collections (another's is not found).
    pub collection: Option<&'a str>,
    /// MidJourney's `fast`, `relax` or `turbo`.
    pub mode: Option<&'a str>,
    /// Made on or after this day, and on or before that one (`YYYY-MM-DD`, UTC).
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub cursor: Option<&'a str>,
}

/// The first moment (ms, UTC) of a `YYYY-MM-DD` day, or a 422 naming `field`.
fn day_start(field: &str, day: &str) -> Result<i64, AppError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date =
        time::Date::parse(day.trim(), format).map_err(|_| AppError::invalid(field, Rule::Date))?;
    Ok((date.midnight().assume_utc().unix_timestamp_nanos() / 1_000_000) as i64)
}

/// What a search of the user's tasks is narrowed to.
pub use db::tasks::Filter as Search;

/// A page of the user's tasks, newest first, and the cursor of the next page.
pub async fn list(
    engine: &Engine,
    user: &CurrentUser,
    query: ListQuery<'_>,
    limit: i64,
) -> Result<(Vec<TaskView>, Option<String>), AppError> {
    let ListQuery {
        engine: engine_kind,
        status,
        q,
        favorite,
        batch,
        collection,
        mode,
        from,
        to,
        cursor,
    } = query;
    let mode =
        match mode.map(str::trim).filter(|m| !m.is_empty()) {
            Some(m) => Some(Mode::parse(m).ok_or_else(|| {
                AppError::invalid("mode", Rule::one_of(&["fast", "relax", "turbo"]))
            })?),
            None => None,
        };
    let from_ms = from
        .filter(|d| !d.trim().is_empty())
        .map(|d| day_start("from", d))
        .transpose()?;
    // Through the whole of the last day: before the next one starts.
    let until_ms = to
        .filter(|d| !d.trim().is_empty())
        .map(|d| day_start("to", d).map(|ms| ms + 86_400_000))
        .transpose()?;
    let favorite = match favorite.map(str::trim) {
        None | Some("" | "false" | "0") => false,
        Some("true" | "1") => true,
        Some(_) => {
            return Err(AppError::invalid(
                "favorite",
                Rule::one_of(&["true", "false"]),
            ));
        }
    };
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(TaskStatus::parse(s).ok_or_else(|| {
            let all: Vec<&str> = TaskStatus::ALL.iter().map(|s| s.as_str()).collect();
            AppError::invalid("status", Rule::one_of(&all))
        })?),
        None => None,
    };
    let kind = match engine_kind.map(str::trim).filter(|s| !s.is_empty()) {
        Some(e) => Some(
            EngineKind::parse(e)
                .ok_or_else(|| AppError::invalid("engine", super::channels::engine_choice()))?,
        ),
        None => None,
    };
    if !(1..=100).contains(&limit) {
        return Err(AppError::range("limit", 1, 100));
    }
    if let Some(c) = collection
        && db::collections::get(&engine.pool, &user.id, c)
            .await
            .map_err(super::internal)?
            .is_none()
    {
        return Err(AppError::NotFound);
    }
    let filter = Search {
        kind,
        status,
        words: q,
        before: cursor,
        favorite,
        batch,
        collection,
        mode,
        from_ms,
        until_ms,
    };
    search(engine, user, filter, limit).await
}

/// Stars or unstars one of the user's own tasks (others' are not found, an admin's too).
pub async fn set_favorite(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
    on: bool,
) -> Result<(), AppError> {
    if db::tasks::set_favorite(&engine.pool, id, &user.id, on, db::now_ms())
        .await
        .map_err(super::internal)?
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Cancels a live task: `cancelled` first (so that an upstream which answers a cancel by failing
/// the task cannot make it a failure), then the upstream is told where it supports that. A task
/// the upstream had not started drawing is refunded in full; one being drawn, as the admin's
/// cancel policy says (all, nothing, or the part not drawn yet). Its preview is no longer served.
#[tracing::instrument(skip(engine, user), fields(user_id = %user.id))]
pub async fn cancel(engine: &Engine, user: &CurrentUser, id: &str) -> Result<TaskView, AppError> {
    let row = visible_now(engine, user, id).await?;
    let finished = || AppError::Conflict(Conflict::TaskFinished);
    if row.status.is_final() {
        return Err(finished());
    }
    // A step being answered is sent already: the cancel waits for the answer's fate.
    if row.status == TaskStatus::NeedsInput
        && !db::tasks::claim_modal(&engine.pool, &row.id, row.modal_step, db::now_ms())
            .await
            .map_err(super::internal)?
    {
        return Err(AppError::Conflict(Conflict::StepBusy));
    }
    let policy = engine.settings().await?.cancel_refund;
    let ending = db::tasks::Ending {
        status: TaskStatus::Cancelled,
        reason: None,
        detail: None,
        refund: db::tasks::Refund::Cancel(policy),
    };
    if !lifecycle::end(engine, id, &ending).await? {
        return Err(finished());
    }
    engine.stop_run(id);
    if let Some(channel) = engine.channel_of(row.channel_id.as_deref()).await?
        && let Err(e) = channel.client.cancel(&row).await
    {
        tracing::warn!(task_id = id, error = %e, "upstream cancel failed; cancelled here anyway");
    }
    get(engine, user, id).await
}

/// Deletes a finished task and its images. A live task (or one with a live follow-up) stays:
/// cancel it first.
#[tracing::instrument(skip(engine, user), fields(user_id = %user.id))]
pub async fn delete(engine: &Engine, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let row = visible_now(engine, user, id).await?;
    let mut tx = engine.pool.begin_write().await.map_err(super::internal)?;
    let Some(gone) = db::tasks::delete_final(&mut tx, &row.id)
        .await
        .map_err(super::internal)?
    else {
        return Err(AppError::Conflict(if row.status.is_final() {
            Conflict::FollowUpLive
        } else {
            Conflict::TaskLive
        }));
    };
    let keys: Vec<String> = gone.keys().into_iter().chain(gone.input_keys()).collect();
    blobs::release(&mut tx, &keys, db::now_ms())
        .await
        .map_err(super::internal)?;
    tx.commit().await.map_err(super::internal)?;
    tracing::info!(task_id = id, "task deleted");
    Ok(())
}

/// Removes the files nobody has held for `grace` (see `db::blobs`); answers how many.
pub async fn sweep_files(engine: &Engine, grace: std::time::Duration) -> Result<usize, AppError> {
    let before = db::now_ms() - i64::try_from(grace.as_millis()).unwrap_or(i64::MAX);
    let keys = blobs::unused(&engine.pool, before, 500)
        .await
        .map_err(super::internal)?;
    let mut removed = 0;
    for key in keys {
        if forget_file(engine, &key).await? {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Removes a stored file if nobody holds it; answers whether it went.
pub async fn forget_file(engine: &Engine, key: &str) -> Result<bool, AppError> {
    let mut tx = engine.pool.begin_write().await.map_err(super::internal)?;
    let unused = blobs::forget_unused(&mut tx, key)
        .await
        .map_err(super::internal)?;
    if unused {
        // Removed before the commit: a task storing the same picture meanwhile waits for it
        // and then writes the file again.
        engine.images.remove(key).await.map_err(super::internal)?;
    }
    tx.commit().await.map_err(super::internal)?;
    Ok(unused)
}

pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The path of a task's stored file: `image`, `thumbnail` or `preview`, `/n` for the n-th output.
pub fn file_url(id: &str, what: &str, n: Option<usize>) -> String {
    match n {
        Some(n) => format!("/api/v1/tasks/{id}/{what}/{n}"),
        None => format!("/api/v1/tasks/{id}/{what}"),
    }
}

/// The task as the API and the pages show it; `admin` sees which channel runs it.
pub fn view(row: &TaskRow, admin: bool) -> TaskView {
    let images: Vec<ImageView> = row
        .outputs
        .iter()
        .enumerate()
        .map(|(n, o)| ImageView {
            url: file_url(&row.id, "image", Some(n)),
            thumbnail_url: o
                .thumb
                .as_ref()
                .map(|_| file_url(&row.id, "thumbnail", Some(n))),
            width: o.width,
            height: o.height,
        })
        .collect();
    let first = row.outputs.first();
    TaskView {
        id: row.id.clone(),
        parent_id: row.parent_id.clone(),
        engine: row.engine,
        action: row.action,
        custom_id: row.custom_id.clone(),
        from_picture: match row.engine {
            EngineKind::Midjourney => row
                .custom_id
                .as_deref()
                .and_then(crate::engines::midjourney::picture_of),
            _ => None,
        },
        mode: row.mode,
        model: row.model.clone(),
        prompt: row.prompt.clone(),
        params: row.params.0.clone(),
        status: row.status,
        progress: row.progress.clamp(0, 100) as u8,
        image_url: first.map(|_| file_url(&row.id, "image", None)),
        preview_url: row
            .preview_key
            .as_ref()
            .map(|_| file_url(&row.id, "preview", None)),
        thumbnail_url: first
            .and_then(|o| o.thumb.as_ref())
            .map(|_| file_url(&row.id, "thumbnail", None)),
        images,
        text: row.text.clone(),
        inputs: row
            .inputs
            .iter()
            .map(|i| crate::types::InputView {
                upload_id: i.upload_id.clone(),
                role: i.role.clone(),
            })
            .collect(),
        buttons: match row.engine {
            EngineKind::Midjourney => row
                .buttons
                .iter()
                .cloned()
                // Buttons stored before they were described (stage one) are described here.
                .map(|b| {
                    if b.action.is_some() {
                        b
                    } else {
                        crate::engines::midjourney::describe(b)
                    }
                })
                .collect(),
            _ => row.buttons.0.clone(),
        },
        cost: row.cost,
        refunded: row.refunded,
        fail_reason: row.fail_reason.clone(),
        fail_detail: if admin { row.fail_detail.clone() } else { None },
        upstream_id: row.upstream_id.clone(),
        favorite: row.favorite_at.is_some(),
        shared_url: row.share_token.as_deref().map(super::sharing::share_path),
        published: row.published_at.is_some(),
        hidden: row.hidden_at.is_some(),
        channel_id: if admin { row.channel_id.clone() } else { None },
        created_at: rfc3339(row.created_at),
        started_at: row.started_at.map(rfc3339),
        finished_at: row.finished_at.map(rfc3339),
        batch_id: row.batch_id.clone(),
        queue_position: None,
    }
}

/// Views with the queue position of queued tasks filled in (one read for all of them).
async fn with_positions(
    engine: &Engine,
    rows: &[TaskRow],
    admin: bool,
) -> Result<Vec<TaskView>, AppError> {
    let queued: Vec<String> = rows
        .iter()
        .filter(|r| r.status == TaskStatus::Queued)
        .map(|r| r.id.clone())
        .collect();
    let places: std::collections::HashMap<String, Option<i64>> = if queued.is_empty() {
        std::collections::HashMap::new()
    } else {
        engine
            .reads
            .get_many(queued)
            .await
            .map_err(super::internal)?
            .into_iter()
            .map(|p| (p.row.id.clone(), p.queue_position))
            .collect()
    };
    let views = rows
        .iter()
        .map(|row| TaskView {
            queue_position: places.get(&row.id).copied().flatten(),
            ..view(row, admin)
        })
        .collect();
    all_priced(engine, views).await
}

/// The tasks with their buttons' prices (the settings are read only when one has buttons).
async fn all_priced(engine: &Engine, tasks: Vec<TaskView>) -> Result<Vec<TaskView>, AppError> {
    if tasks.iter().all(|t| t.buttons.is_empty()) {
        return Ok(tasks);
    }
    let settings = engine.settings().await?;
    Ok(tasks.into_iter().map(|t| priced(t, &settings)).collect())
}

/// The user's live tasks and their `recent` latest others, newest first.
pub async fn opening(
    engine: &Engine,
    user: &CurrentUser,
    recent: i64,
) -> Result<Vec<TaskView>, AppError> {
    let rows = db::tasks::live_and_recent_of_user(&engine.pool, &user.id, recent)
        .await
        .map_err(super::internal)?;
    with_positions(engine, &rows, user.is_admin()).await
}

/// The current state of some of the user's tasks (others' are left out), at most 100.
pub async fn updates(
    engine: &Engine,
    user: &CurrentUser,
    ids: &[String],
) -> Result<TaskUpdates, AppError> {
    if ids.len() > 100 {
        return Err(AppError::validation(
            "ids",
            "Ask about at most 100 tasks at once.",
        ));
    }
    let mut rows = engine
        .reads
        .get_many(ids.to_vec())
        .await
        .map_err(super::internal)?;
    rows.retain(|r| r.row.user_id == user.id);
    rows.sort_unstable_by(|a, b| b.row.id.cmp(&a.row.id));
    rows.dedup_by(|a, b| a.row.id == b.row.id);
    let balance = match rows.first() {
        Some(r) => r.balance,
        None => super::credits::balance(&engine.pool, &user.id).await?,
    };
    let tasks = rows
        .iter()
        .map(|r| TaskView {
            queue_position: r.queue_position,
            ..view(&r.row, user.is_admin())
        })
        .collect();
    let tasks = all_priced(engine, tasks).await?;
    Ok(TaskUpdates { tasks, balance })
}

/// A task with its parent and children, for the task view.
pub async fn detail(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
) -> Result<(TaskView, Option<TaskView>, Vec<TaskView>), AppError> {
    let row = visible(engine, user, id).await?;
    let parent = match &row.parent_id {
        Some(p) => db::tasks::get(&engine.pool, p)
            .await
            .map_err(super::internal)?
            .map(|r| view(&r, user.is_admin())),
        None => None,
    };
    let children = db::tasks::children(&engine.pool, &row.id)
        .await
        .map_err(super::internal)?
        .iter()
        .map(|r| view(r, user.is_admin()))
        .collect();
    Ok((
        with_positions(engine, std::slice::from_ref(&row), user.is_admin())
            .await?
            .remove(0),
        parent,
        children,
    ))
}

/// The user's tasks, newest first, narrowed by `filter`; keyset-paginated.
async fn search(
    engine: &Engine,
    user: &CurrentUser,
    filter: Search<'_>,
    limit: i64,
) -> Result<(Vec<TaskView>, Option<String>), AppError> {
    let words = filter.words.map(str::trim).filter(|q| !q.is_empty());
    if words.is_some_and(|q| q.chars().count() > crate::limits::SEARCH_MAX_CHARS) {
        return Err(AppError::invalid(
            "q",
            Rule::TooLong {
                max: crate::limits::SEARCH_MAX_CHARS as u32,
            },
        ));
    }
    let filter = Search { words, ..filter };
    let rows = db::tasks::search_of_user(&engine.pool, &user.id, filter, limit + 1)
        .await
        .map_err(super::internal)?;
    let more = rows.len() as i64 > limit;
    let tasks: Vec<TaskView> = rows
        .iter()
        .take(limit as usize)
        .map(|r| view(r, user.is_admin()))
        .collect();
    let tasks = all_priced(engine, tasks).await?;
    let next = if more {
        tasks.last().map(|t| t.id.clone())
    } else {
        None
    };
    Ok((tasks, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_764_324_000_123), "2025-11-28T10:00:00.123Z");
    }
}
