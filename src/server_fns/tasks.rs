//! Generation, live updates, history, the task view and the ledger, for the pages.

// The Generate form posts one field per control (a plain form works without JavaScript), and
// `#[server]` makes a function of them on both sides, where an `allow` on the item does not
// reach.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::types::TaskView;
use crate::{
    error::AppError,
    types::{GenerateState, HistoryPage, LedgerPage, TaskDetail, TaskUpdates},
};
use leptos::prelude::*;
use leptos::server_fn::codec::{PostUrl, Postcard};

#[cfg(feature = "ssr")]
pub(crate) async fn engine_and_user() -> Result<
    (
        std::sync::Arc<crate::engine::Engine>,
        crate::auth::CurrentUser,
    ),
    AppError,
> {
    let state = super::ctx::state()?;
    let user = super::ctx::current_user()
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok((state.engine.clone(), user))
}

#[server(input = Postcard, output = Postcard)]
pub async fn load_generate() -> Result<GenerateState, AppError> {
    let (engine, user) = engine_and_user().await?;
    let settings = engine.settings().await?;
    let modes = crate::services::settings::view(&engine, false).await?.modes;
    Ok(GenerateState {
        enabled: settings.enabled,
        engines: crate::services::engines::offers(&engine).await?,
        modes,
        action_cost: settings.action_cost,
        action_costs: settings.action_prices(),
        batch_max: settings.batch_max,
        balance: crate::services::credits::balance(&engine.pool, &user.id).await?,
        pending: user.role == crate::types::Role::Pending,
        tasks: crate::services::generation::opening(&engine, &user, 12).await?,
        templates: crate::services::templates::list(&engine, &user).await?,
        recent_prompts: crate::services::templates::recent_prompts(&engine, &user).await?,
        is_admin: user.is_admin(),
    })
}

/// The task and the balance after the change (read after it, so a charge or refund shows).
#[cfg(feature = "ssr")]
async fn with_balance(
    engine: &crate::engine::Engine,
    user_id: &str,
    tasks: Vec<TaskView>,
) -> Result<TaskUpdates, AppError> {
    let balance = crate::services::credits::balance(&engine.pool, user_id).await?;
    Ok(TaskUpdates { tasks, balance })
}

/// A new task from the Generate form: the engine's fields (the others' are ignored; empty ones
/// take the model's defaults).
#[server(input = PostUrl, output = Postcard)]
pub async fn submit_task(
    prompt: String,
    #[server(default)] mode: String,
    #[server(default)] engine: String,
    #[server(default)] model: String,
    #[server(default)] size: String,
    #[server(default)] quality: String,
    #[server(default)] n: String,
    #[server(default)] negative_prompt: String,
    #[server(default)] steps: String,
    #[server(default)] cfg_scale: String,
    #[server(default)] sampler: String,
    #[server(default)] seed: String,
    #[server(default)] action: String,
    #[server(default)] images: String,
    #[server(default)] dimensions: String,
    #[server(default)] sw: String,
    #[server(default)] cw: String,
    #[server(default)] denoising_strength: String,
    // An edit's mask painted on the page: a PNG as a data URL, white where it repaints.
    #[server(default)] mask: String,
    // "1": a batch, one prompt per line, each expanded by its permutations.
    #[server(default)] batch: String,
) -> Result<TaskUpdates, AppError> {
    let (state, user) = engine_and_user().await?;
    let mut images = images;
    if !mask.trim().is_empty() && action == "edit" {
        use base64::Engine as _;
        let data = mask.split_once(',').map_or(mask.as_str(), |(_, d)| d);
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|_| AppError::invalid("mask", crate::error::Rule::NeedsMask))?;
        let up = crate::services::uploads::create(&state, &user, bytes::Bytes::from(png))
            .await
            .map_err(|e| match e {
                AppError::Validation { rule, .. } => AppError::Validation {
                    field: "mask".into(),
                    rule,
                },
                other => other,
            })?;
        images = format!("{images},{}:mask", up.id);
    }
    let form = SubmitTask {
        prompt,
        mode,
        engine,
        model,
        size,
        quality,
        n,
        negative_prompt,
        steps,
        cfg_scale,
        sampler,
        seed,
        action,
        images,
        dimensions,
        sw,
        cw,
        denoising_strength,
        mask: String::new(),
        batch: String::new(),
    };
    let job = job_of_form(form)?;
    if batch == "1" {
        let lines: Vec<String> = job.prompt.lines().map(str::to_owned).collect();
        let tasks =
            crate::services::generation::submit_batch(&state, &user, &job, Some(&lines)).await?;
        return with_balance(&state, &user.id, tasks).await;
    }
    let task = crate::services::generation::submit_job(&state, &user, &job).await?;
    with_balance(&state, &user.id, vec![task]).await
}

/// The submit the Generate form's fields stand for: the engine's fields (the others' are
/// ignored; empty ones take the model's defaults), numbers checked with their ranges.
#[cfg(feature = "ssr")]
pub(crate) fn job_of_form(
    form: SubmitTask,
) -> Result<crate::services::generation::NewJob, AppError> {
    let SubmitTask {
        prompt,
        mode,
        engine,
        model,
        size,
        quality,
        n,
        negative_prompt,
        steps,
        cfg_scale,
        sampler,
        seed,
        action,
        images,
        dimensions,
        sw,
        cw,
        denoising_strength,
        ..
    } = form;
    let given = |v: String| (!v.trim().is_empty()).then(|| v.trim().to_owned());
    // A number a form field holds, if any: else the field's range in the error.
    fn number<T: std::str::FromStr>(
        v: Option<String>,
        field: &str,
        rule: crate::error::Rule,
    ) -> Result<Option<T>, AppError> {
        v.map(|v| v.parse::<T>().map_err(|_| AppError::invalid(field, rule)))
            .transpose()
    }
    use crate::error::Rule;
    let sd_limit = |max| Rule::Range { min: 1, max };
    let (openai, sd) = (engine == "openai", engine == "sd_webui");
    let other = openai || sd;
    let n = number(given(n).filter(|_| other), "n", sd_limit(4))?;
    let steps = number(
        given(steps).filter(|_| sd),
        "steps",
        sd_limit(crate::engines::sd_webui::MAX_STEPS),
    )?;
    let cfg_scale = number(
        given(cfg_scale).filter(|_| sd),
        "cfg_scale",
        Rule::Number {
            min: 1,
            max: crate::engines::sd_webui::MAX_CFG,
        },
    )?;
    let seed = number(
        given(seed).filter(|_| sd),
        "seed",
        Rule::Range {
            min: -1,
            max: i64::from(u32::MAX),
        },
    )?;
    let denoising_strength = number(
        given(denoising_strength).filter(|_| sd),
        "denoising_strength",
        Rule::Number { min: 0, max: 1 },
    )?;
    Ok(crate::services::generation::NewJob {
        denoising_strength,
        engine: given(engine.clone()),
        prompt,
        mode: (!other).then_some(mode),
        model: given(model).filter(|_| other),
        size: given(size).filter(|_| other),
        quality: given(quality).filter(|_| openai),
        n,
        negative_prompt: given(negative_prompt).filter(|_| sd),
        steps,
        cfg_scale,
        sampler: given(sampler).filter(|_| sd),
        seed,
        action: given(action),
        // "upload_id:role,upload_id:role"
        images: given(images).map(|list| {
            list.split(',')
                .filter_map(|item| item.split_once(':'))
                .map(|(id, role)| serde_json::json!({"upload_id": id.trim(), "role": role.trim()}))
                .collect()
        }),
        dimensions: given(dimensions).filter(|_| !other),
        sw: number(
            given(sw).filter(|_| !other),
            "sw",
            Rule::Number { min: 0, max: 1000 },
        )?,
        cw: number(
            given(cw).filter(|_| !other),
            "cw",
            Rule::Number { min: 0, max: 100 },
        )?,
    })
}

/// Presses a button of a task, or answers the step a task waits in (its own button, with a
/// prompt; Vary (Region): a mask, a PNG as a data URL; Custom Zoom: the factor).
#[server(input = Postcard, output = Postcard)]
pub async fn press_button(
    task_id: String,
    custom_id: String,
    prompt: Option<String>,
    mask: Option<String>,
    zoom: Option<f64>,
) -> Result<TaskUpdates, AppError> {
    let (engine, user) = engine_and_user().await?;
    let mask = mask.map(crate::services::generation::Mask::Base64);
    let press = crate::services::generation::Press {
        custom_id: &custom_id,
        prompt: prompt.as_deref(),
        mask: mask.as_ref(),
        zoom,
    };
    let task = crate::services::generation::action(&engine, &user, &task_id, press)
        .await?
        .task();
    with_balance(&engine, &user.id, vec![task]).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn cancel_task(task_id: String) -> Result<TaskUpdates, AppError> {
    let (engine, user) = engine_and_user().await?;
    let task = crate::services::generation::cancel(&engine, &user, &task_id).await?;
    with_balance(&engine, &user.id, vec![task]).await
}

/// A failed or cancelled task made again (a new task, charged as a new one).
#[server(input = Postcard, output = Postcard)]
pub async fn retry_task(task_id: String) -> Result<TaskUpdates, AppError> {
    let (engine, user) = engine_and_user().await?;
    let task = crate::services::generation::retry(&engine, &user, &task_id).await?;
    with_balance(&engine, &user.id, vec![task]).await
}

/// A variation of picture `n` of a finished OpenAI or Stable Diffusion task (a new task, charged
/// as the edit it is).
#[server(input = Postcard, output = Postcard)]
pub async fn vary_task(task_id: String, n: u32) -> Result<TaskUpdates, AppError> {
    let (engine, user) = engine_and_user().await?;
    let task = crate::services::generation::vary(&engine, &user, &task_id, n as usize).await?;
    with_balance(&engine, &user.id, vec![task]).await
}

/// The page's poll: reads the database only, never the upstream.
///
/// Served by [`poll_route`], not by Leptos's server-function handler: the page calls it through
/// this function's client, and the answer is byte for byte what the server function would give.
#[server(input = Postcard, output = Postcard)]
pub async fn poll_tasks(ids: Vec<String>) -> Result<TaskUpdates, AppError> {
    let (engine, user) = engine_and_user().await?;
    crate::services::generation::updates(&engine, &user, &ids).await
}

/// Where the page's poll is served (its server function's path).
pub const POLL_PATH: &str = <PollTasks as leptos::server_fn::ServerFn>::PATH;

/// The page's poll as a plain axum handler: most of the traffic a signed-in page makes, so it
/// skips what the server-function handler does for every call (a reactive owner with its
/// contexts, the function's lookup, the response options), which cost about a fifth of a poll.
/// Same arguments (postcard), same answer (postcard), same errors with their statuses.
#[cfg(feature = "ssr")]
pub async fn poll_route(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let (parts, body) = req.into_parts();
    let answer = async {
        let user = crate::auth::authenticate(&state.pool, &state.sessions, &parts)
            .await?
            .ok_or(AppError::Unauthorized)?;
        // A poll names at most a page of tasks: a few kilobytes.
        let bytes = axum::body::to_bytes(body, 256 * 1024)
            .await
            .map_err(|_| AppError::Outdated)?;
        let args: PollTasks = postcard::from_bytes(&bytes).map_err(|_| AppError::Outdated)?;
        crate::services::generation::updates(&state.engine, &user, &args.ids).await
    };
    match answer.await {
        Ok(updates) => match postcard::to_allocvec(&updates) {
            Ok(body) => (
                [(
                    axum::http::header::CONTENT_TYPE,
                    <Postcard as leptos::server_fn::ContentType>::CONTENT_TYPE,
                )],
                body,
            )
                .into_response(),
            Err(e) => crate::startup::server_fn_error(
                POLL_PATH,
                &crate::services::internal(e.to_string()),
            ),
        },
        Err(e) => crate::startup::server_fn_error(POLL_PATH, &e),
    }
}

/// A page of history: the same query, checked the same way, as `GET /api/v1/tasks`.
#[server(input = Postcard, output = Postcard)]
pub async fn load_history(query: crate::types::HistoryQuery) -> Result<HistoryPage, AppError> {
    let (engine, user) = engine_and_user().await?;
    let arg = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let (status, kind, q, before, batch, collection) = (
        arg(&query.status),
        arg(&query.engine),
        arg(&query.q),
        arg(&query.before),
        arg(&query.batch),
        arg(&query.collection),
    );
    let (mode, from, to) = (arg(&query.mode), arg(&query.from), arg(&query.to));
    let list = crate::services::generation::ListQuery {
        engine: kind.as_deref(),
        status: status.as_deref(),
        q: q.as_deref(),
        favorite: query.favorite.then_some("true"),
        batch: batch.as_deref(),
        collection: collection.as_deref(),
        mode: mode.as_deref(),
        from: from.as_deref(),
        to: to.as_deref(),
        cursor: before.as_deref(),
    };
    let (tasks, next_cursor) = crate::services::generation::list(&engine, &user, list, 24).await?;
    let collection = match collection {
        Some(id) => Some(crate::services::library::collection(&engine, &user, &id).await?),
        None => None,
    };
    Ok(HistoryPage {
        tasks,
        next_cursor,
        collection,
    })
}

/// Stars or unstars one of the user's tasks.
#[server(input = Postcard, output = Postcard)]
pub async fn set_favorite(task_id: String, on: bool) -> Result<(), AppError> {
    let (engine, user) = engine_and_user().await?;
    crate::services::generation::set_favorite(&engine, &user, &task_id, on).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn load_task(id: String) -> Result<TaskDetail, AppError> {
    let (engine, user) = engine_and_user().await?;
    let (task, parent, children) = crate::services::generation::detail(&engine, &user, &id).await?;
    let action_cost = engine.settings().await?.action_cost;
    let mine = engine
        .reads
        .get(&id)
        .await
        .map_err(crate::services::internal)?
        .is_some_and(|r| r.row.user_id == user.id);
    Ok(TaskDetail {
        task,
        parent,
        children,
        action_cost,
        mine,
    })
}

#[server(input = Postcard, output = Postcard)]
pub async fn load_ledger(before: Option<String>) -> Result<LedgerPage, AppError> {
    let (engine, user) = engine_and_user().await?;
    let (balance, entries, next_cursor) = crate::services::credits::entries(
        &engine.pool,
        &user.id,
        50,
        before.as_deref().filter(|b| !b.is_empty()),
    )
    .await?;
    Ok(LedgerPage {
        balance,
        entries,
        next_cursor,
    })
}
