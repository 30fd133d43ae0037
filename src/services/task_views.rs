//! A task's answer, kept while neither the task nor the prices change.
//!
//! A read of a task by id builds its view (its files' URLs, its buttons described and priced
//! with the settings) and the API encodes it; for a finished task that is most of the read's
//! cost, and finished tasks are most of what scripts and pages read. Both are kept here beside
//! the read they were made from and the settings they were priced with, and used again only
//! while the task as read now is the same (the same read, or an equal row) and the settings are
//! the same (`SettingsCache` answers the same `Arc` until they change on any instance). So what
//! is kept is never staler than a fresh build: it is a build skipped when it would come out the
//! same.

use crate::{db::tasks::PolledTask, services::settings::Settings, types::TaskView};
use axum::body::Bytes;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, OnceLock},
};

/// A task's view as one viewer sees it, and its encodings, made once each.
pub struct Shown {
    read: Arc<PolledTask>,
    settings: Arc<Settings>,
    pub view: TaskView,
    encoded: [OnceLock<Bytes>; FORMS],
}

/// The encodings of a view that are kept (one per API that answers it its own way).
#[derive(Debug, Clone, Copy)]
pub enum Form {
    /// `GET /api/v1/tasks/{id}`.
    Tasks = 0,
    /// `GET /api/v1/midjourney/task/{id}` (its own file URLs).
    Midjourney = 1,
}
const FORMS: usize = 2;

impl Shown {
    /// The view in this form, encoded by `encode` the first time it is asked for.
    pub fn encoded(&self, form: Form, encode: impl FnOnce(&TaskView) -> Bytes) -> Bytes {
        self.encoded[form as usize]
            .get_or_init(|| encode(&self.view))
            .clone()
    }

    /// Whether this was made from the task as read now, with these settings.
    fn fits(&self, read: &Arc<PolledTask>, settings: &Arc<Settings>) -> bool {
        Arc::ptr_eq(&self.settings, settings)
            && (Arc::ptr_eq(&self.read, read) || self.read.row == read.row)
    }
}

/// The views kept, by task and by whether the viewer is an admin (who sees more).
#[derive(Default)]
pub struct TaskViews {
    kept: Mutex<HashMap<(String, bool), Arc<Shown>>>,
}

impl TaskViews {
    /// Views kept at most; past it, all are forgotten and kept again as they are read.
    const MAX: usize = 1024;

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, bool), Arc<Shown>>> {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The view of the task as `read`, priced with `settings`, for an admin or not: the one kept
    /// if it still fits, else `build`'s, kept for the next read.
    pub fn view(
        &self,
        read: Arc<PolledTask>,
        admin: bool,
        settings: Arc<Settings>,
        build: impl FnOnce(&PolledTask, &Settings) -> TaskView,
    ) -> Arc<Shown> {
        let key = (read.row.id.clone(), admin);
        if let Some(shown) = self.lock().get(&key)
            && shown.fits(&read, &settings)
        {
            return shown.clone();
        }
        let shown = Arc::new(Shown {
            view: build(&read, &settings),
            read,
            settings,
            encoded: Default::default(),
        });
        let mut kept = self.lock();
        if kept.len() >= Self::MAX {
            kept.clear();
        }
        kept.insert(key, shown.clone());
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(prompt: &str) -> Arc<PolledTask> {
        use crate::types::{EngineKind, TaskAction, TaskStatus};
        use sqlx::types::Json;
        let row = crate::db::tasks::TaskRow {
            id: "t1".into(),
            user_id: "u1".into(),
            parent_id: None,
            engine: EngineKind::Midjourney,
            action: TaskAction::Imagine,
            custom_id: None,
            mode: None,
            model: None,
            prompt: prompt.into(),
            params: Json(Default::default()),
            status: TaskStatus::Succeeded,
            progress: 100,
            cost: 1,
            channel_id: None,
            attempt: None,
            modal_step: 0,
            upstream_id: None,
            fail_reason: None,
            buttons: Json(vec![]),
            outputs: Json(vec![]),
            text: None,
            preview_key: None,
            preview_url: None,
            final_url: None,
            created_at: 1,
            started_at: None,
            finished_at: None,
            touched_at: 1,
            misses: 0,
            fail_detail: None,
            refunded: 0,
            inputs: Json(vec![]),
            batch_id: None,
            favorite_at: None,
            share_token: None,
            published_at: None,
            hidden_at: None,
            like_count: 0,
        };
        Arc::new(PolledTask {
            row,
            queue_position: None,
            balance: 0,
        })
    }

    fn build(read: &PolledTask, _: &Settings) -> TaskView {
        crate::services::generation::view(&read.row, false)
    }

    #[test]
    fn a_view_is_built_again_when_the_task_or_the_settings_change() {
        let views = TaskViews::default();
        let settings = Arc::new(Settings::default());
        let first = views.view(read("a fox"), false, settings.clone(), build);
        // The same task read again (an equal row): the view kept.
        let again = views.view(read("a fox"), false, settings.clone(), build);
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(
            first.encoded(Form::Tasks, |_| Bytes::from_static(b"one")),
            again.encoded(Form::Tasks, |_| Bytes::from_static(b"two"))
        );
        // The task changed: a new view.
        let changed = views.view(read("a wolf"), false, settings.clone(), build);
        assert!(!Arc::ptr_eq(&first, &changed));
        assert_eq!(changed.view.prompt, "a wolf");
        // The settings changed (a new `Arc` from the cache): a new view.
        let repriced = views.view(read("a wolf"), false, Arc::new(Settings::default()), build);
        assert!(!Arc::ptr_eq(&changed, &repriced));
        // An admin's view is kept apart from the owner's.
        let admins = views.view(read("a wolf"), true, settings, build);
        assert!(!Arc::ptr_eq(&repriced, &admins));
    }
}
