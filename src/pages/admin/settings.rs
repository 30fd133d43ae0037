//! The settings tab: pricing, limits and accounts, validated as you type and on save, with a
//! warning before leaving with unsaved changes. Upstreams are the Channels tab's.

use super::{BUTTON, INPUT, Tabs};
use crate::codec::page_data;
use crate::components::page_title::PageTitle;
use crate::{
    i18n::{Texts, use_texts},
    server_fns::admin::{load_settings, save_settings},
    types::{
        CancelRefund, ConfigView, ConnectionReport, Mode, ModeConfig, Role, SettingsChange,
        SettingsForm, SignupMode,
    },
};
use leptos::prelude::*;

#[component]
pub fn AdminPage() -> impl IntoView {
    let t = use_texts();
    let config = page_data(|| (), |_| load_settings());
    view! {
        <PageTitle text=t.admin_title />
        <Tabs />
        <Suspense>
            {move || Suspend::new(async move {
                match config.await {
                    Ok(c) => view! { <SettingsEditor saved=c /> }.into_any(),
                    Err(e) => view! { <p role="alert">{t.error(&e)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One number field: its text as typed, and its allowed range.
#[derive(Clone, Copy)]
pub(super) struct Num {
    text: RwSignal<String>,
    min: i64,
    max: i64,
    /// Empty is a value too (a default applies).
    optional: bool,
}

impl Num {
    pub(super) fn new(v: i64, min: i64, max: i64) -> Self {
        Self {
            text: RwSignal::new(v.to_string()),
            min,
            max,
            optional: false,
        }
    }
    /// A field that may stay empty (None).
    fn optional(v: Option<i64>, min: i64, max: i64) -> Self {
        Self {
            text: RwSignal::new(v.map(|v| v.to_string()).unwrap_or_default()),
            min,
            max,
            optional: true,
        }
    }
    /// An optional field's value: Some(None) when empty, None while invalid.
    fn maybe(&self) -> Option<Option<i64>> {
        if self.optional && self.text.with(|s| s.trim().is_empty()) {
            return Some(None);
        }
        self.value().map(Some)
    }
    pub(super) fn value(&self) -> Option<i64> {
        self.text
            .with(|s| s.trim().parse::<i64>().ok())
            .filter(|v| (self.min..=self.max).contains(v))
    }
    fn error(&self, t: &'static Texts) -> Option<String> {
        self.maybe()
            .is_none()
            .then(|| (t.admin.whole_number)(self.min, self.max))
    }
}

#[derive(Clone, Copy)]
struct ModeFields {
    mode: Mode,
    cost: Num,
    enabled: RwSignal<bool>,
    concurrency: Num,
}

#[derive(Clone, Copy)]
struct Fields {
    enabled: RwSignal<bool>,
    api_url: RwSignal<String>,
    secret: RwSignal<String>,
    clear_secret: RwSignal<bool>,
    modes: [ModeFields; 3],
    action_cost: Num,
    signup_credits: Num,
    max_active: Num,
    deadline: Num,
    pending_signups: RwSignal<bool>,
    cancel_refund: RwSignal<CancelRefund>,
    signup_mode: RwSignal<SignupMode>,
    signup_per_hour: Num,
    upload_quota_mb: Num,
    upload_retention_days: Num,
    batch_max: Num,
    gallery_enabled: RwSignal<bool>,
    comments_enabled: RwSignal<bool>,
    /// Each follow-up's own price, by its key of [`crate::types::ACTION_PRICES`].
    action_costs: [Num; 15],
}

use crate::limits;

impl Fields {
    fn from(c: &ConfigView) -> Self {
        let mode = |m: Mode| {
            let v = c.modes.iter().find(|x| x.mode == m);
            ModeFields {
                mode: m,
                cost: Num::new(v.map_or(0, |v| v.cost), limits::COST.0, limits::COST.1),
                enabled: RwSignal::new(v.is_some_and(|v| v.enabled)),
                concurrency: Num::new(
                    v.and_then(|v| v.concurrency).unwrap_or(3),
                    limits::CONCURRENCY.0,
                    limits::CONCURRENCY.1,
                ),
            }
        };
        Self {
            enabled: RwSignal::new(c.enabled),
            api_url: RwSignal::new(c.api_url.clone().unwrap_or_default()),
            secret: RwSignal::new(String::new()),
            clear_secret: RwSignal::new(false),
            modes: [mode(Mode::Fast), mode(Mode::Relax), mode(Mode::Turbo)],
            action_cost: Num::new(c.action_cost, limits::COST.0, limits::COST.1),
            signup_credits: Num::new(
                c.signup_credits.unwrap_or(0),
                limits::COST.0,
                limits::COST.1,
            ),
            max_active: Num::new(
                c.max_active_tasks_per_user,
                limits::MAX_ACTIVE.0,
                limits::MAX_ACTIVE.1,
            ),
            deadline: Num::new(
                c.task_timeout_secs.unwrap_or(600),
                limits::TASK_TIMEOUT_SECS.0,
                limits::TASK_TIMEOUT_SECS.1,
            ),
            pending_signups: RwSignal::new(c.new_user_role == Some(Role::Pending)),
            cancel_refund: RwSignal::new(c.cancel_refund.unwrap_or_default()),
            signup_mode: RwSignal::new(c.signup_mode.unwrap_or_default()),
            signup_per_hour: Num::new(
                c.signup_per_hour.unwrap_or(0),
                limits::SIGNUP_PER_HOUR.0,
                limits::SIGNUP_PER_HOUR.1,
            ),
            upload_quota_mb: Num::new(
                c.upload_quota_mb.unwrap_or(0),
                limits::UPLOAD_QUOTA_MB.0,
                limits::UPLOAD_QUOTA_MB.1,
            ),
            upload_retention_days: Num::new(
                c.upload_retention_days.unwrap_or(0),
                limits::UPLOAD_RETENTION_DAYS.0,
                limits::UPLOAD_RETENTION_DAYS.1,
            ),
            batch_max: Num::new(c.batch_max, limits::BATCH_MAX.0, limits::BATCH_MAX.1),
            gallery_enabled: RwSignal::new(c.gallery_enabled),
            comments_enabled: RwSignal::new(c.comments_enabled),
            action_costs: crate::types::ACTION_PRICES.map(|key| {
                let own = c
                    .action_costs_set
                    .as_ref()
                    .and_then(|set| set.get(key).copied());
                Num::optional(own, limits::COST.0, limits::COST.1)
            }),
        }
    }

    /// The form's values, or None while a field is invalid.
    fn form(&self) -> Option<SettingsForm> {
        let secret = if self.clear_secret.get() {
            Some(String::new())
        } else {
            Some(self.secret.get()).filter(|s| !s.trim().is_empty())
        };
        let url = self.api_url.get().trim().to_owned();
        if !url_ok(&url) {
            return None;
        }
        let mut modes = Vec::new();
        for m in &self.modes {
            modes.push(ModeConfig {
                mode: m.mode,
                cost: m.cost.value()?,
                enabled: m.enabled.get(),
                concurrency: m.concurrency.value()?,
            });
        }
        let mut action_costs = std::collections::BTreeMap::new();
        for (key, num) in crate::types::ACTION_PRICES.iter().zip(&self.action_costs) {
            action_costs.insert((*key).to_owned(), num.maybe()?);
        }
        Some(SettingsForm {
            action_costs,
            enabled: self.enabled.get(),
            api_url: url,
            api_secret: secret,
            modes,
            action_cost: self.action_cost.value()?,
            signup_credits: self.signup_credits.value()?,
            max_active_tasks_per_user: self.max_active.value()?,
            task_timeout_secs: self.deadline.value()?,
            cancel_refund: self.cancel_refund.get(),
            signup_mode: self.signup_mode.get(),
            signup_per_hour: self.signup_per_hour.value()?,
            upload_quota_mb: self.upload_quota_mb.value()?,
            upload_retention_days: self.upload_retention_days.value()?,
            batch_max: self.batch_max.value()?,
            gallery_enabled: self.gallery_enabled.get(),
            comments_enabled: self.comments_enabled.get(),
            new_user_role: if self.pending_signups.get() {
                Role::Pending
            } else {
                Role::User
            },
        })
    }
}

fn url_ok(url: &str) -> bool {
    url == "builtin"
        || ["http://", "https://"].iter().any(|p| {
            url.strip_prefix(p).is_some_and(|rest| {
                !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace)
            })
        })
}

#[component]
fn SettingsEditor(saved: ConfigView) -> impl IntoView {
    let t = use_texts();
    let fields = Fields::from(&saved);
    let saved_form = RwSignal::new(fields.form());
    let hint = RwSignal::new(
        saved
            .api_secret_hint
            .clone()
            .filter(|_| saved.api_secret_set == Some(true)),
    );
    let save = Action::new(|change: &SettingsChange| save_settings(change.clone()));
    let dirty = Signal::derive(move || {
        fields.form() != saved_form.get() || fields.secret.with(|s| !s.is_empty())
    });
    Effect::new(move || {
        if let Some(Ok(view)) = save.value().get() {
            hint.set(
                view.api_secret_hint
                    .clone()
                    .filter(|_| view.api_secret_set == Some(true)),
            );
            fields.secret.set(String::new());
            fields.clear_secret.set(false);
            saved_form.set(fields.form());
        }
    });
    warn_before_leaving(dirty);

    let mode_rows = fields.modes.map(|m| view! {
        <tr>
            <th scope="row" class="py-1 pr-3 text-left font-normal">{t.mode(Some(m.mode))}</th>
            <td class="py-1 pr-3">
                <input type="checkbox" aria-label=format!("{} {}", t.mode(Some(m.mode)), t.admin.mode_on)
                    prop:checked=move || m.enabled.get() on:change=move |ev| m.enabled.set(event_target_checked(&ev)) />
            </td>
            <td class="py-1 pr-3"><NumInput num=m.cost label=format!("{} {}", t.mode(Some(m.mode)), t.admin.cost) /></td>
            <td class="py-1"><NumInput num=m.concurrency label=format!("{} {}", t.mode(Some(m.mode)), t.admin.concurrency) /></td>
        </tr>
    });
    view! {
        <form class="mt-6 max-w-2xl space-y-8" on:submit=move |ev| {
            ev.prevent_default();
            if let (Some(now), Some(before)) = (fields.form(), saved_form.get_untracked()) {
                save.dispatch(SettingsChange::between(&before, &now));
            }
        }>
            // Upstream accounts are the Channels tab's, one place for them all.
            <p class="rounded-lg border border-stone-200 bg-stone-50 p-3 text-sm dark:border-stone-800 dark:bg-stone-900" data-testid="upstream-moved">
                {t.admin.upstream_moved}" "
                <a href="/admin/channels" class="font-medium text-indigo-700 underline dark:text-indigo-300">{t.admin.tab_channels}</a>
            </p>
            <fieldset class="space-y-3">
                <legend class="text-lg font-semibold">{t.admin.pricing}" · "{t.admin.limits}</legend>
                <table class="text-sm">
                    <thead><tr class="text-left text-stone-500">
                        <th class="pr-3 font-normal">{t.mode_label}</th><th class="pr-3 font-normal">{t.admin.mode_on}</th>
                        <th class="pr-3 font-normal">{t.admin.cost}</th><th class="font-normal">{t.admin.concurrency}</th>
                    </tr></thead>
                    <tbody>{mode_rows.into_iter().collect_view()}</tbody>
                </table>
                <details class="rounded border border-stone-200 p-3 dark:border-stone-800" data-testid="action-prices">
                    <summary class="cursor-pointer text-sm font-medium">{t.admin.action_prices}</summary>
                    <p class="mt-2 text-xs text-stone-500">{t.admin.action_prices_help}</p>
                    <div class="mt-2 grid gap-2 sm:grid-cols-3">
                        {fields.action_costs.iter().zip(t.admin.action_price_names).map(|(num, name)| {
                            let default = Signal::derive(move || fields.action_cost.value().map(|v| v.to_string()).unwrap_or_default());
                            view! {
                                <label class="block text-sm">{name}
                                    <NumInput num=*num label=name.to_owned() placeholder=default />
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </details>
                <div class="grid gap-3 sm:grid-cols-2">
                    <label class="block text-sm">{t.admin.action_cost}<NumInput num=fields.action_cost label=t.admin.action_cost.to_owned() /></label>
                    <label class="block text-sm">{t.admin.signup_credits}<NumInput num=fields.signup_credits label=t.admin.signup_credits.to_owned() /></label>
                    <label class="block text-sm">{t.admin.max_active}<NumInput num=fields.max_active label=t.admin.max_active.to_owned() /></label>
                    <label class="block text-sm">{t.admin.deadline}<NumInput num=fields.deadline label=t.admin.deadline.to_owned() /></label>
                    <label class="block text-sm">{t.admin.batch_max}<NumInput num=fields.batch_max label=t.admin.batch_max.to_owned() /></label>
                    <div class="text-sm">
                        <label class="block">{t.admin.cancel_refund}
                            <Choice name="cancel_refund" options=&CancelRefund::ALL value=fields.cancel_refund
                                key=CancelRefund::as_str words=move |p| cancel_refund_words(t, p) help="cancel-refund-help" />
                        </label>
                        <p id="cancel-refund-help" class="mt-1 text-xs text-stone-500">{t.admin.cancel_refund_help}</p>
                    </div>
                </div>
            </fieldset>
            <fieldset class="space-y-2">
                <legend class="text-lg font-semibold">{t.admin.accounts}</legend>
                <label class="flex items-center gap-2 text-sm">
                    <input type="radio" name="new_role" prop:checked=move || !fields.pending_signups.get() on:change=move |_| fields.pending_signups.set(false) />
                    {t.admin.new_role}" "{t.role_user}
                </label>
                <label class="flex items-center gap-2 text-sm">
                    <input type="radio" name="new_role" prop:checked=move || fields.pending_signups.get() on:change=move |_| fields.pending_signups.set(true) />
                    {t.admin.new_role}" "{t.role_pending}
                </label>
                <div class="grid gap-3 sm:grid-cols-2">
                    <div class="text-sm">
                        <label class="block">{t.admin.signup_mode}
                            <Choice name="signup_mode" options=&SignupMode::ALL value=fields.signup_mode
                                key=SignupMode::as_str words=move |m| signup_mode_words(t, m) help="signup-mode-help" />
                        </label>
                        <p id="signup-mode-help" class="mt-1 text-xs text-stone-500">
                            {t.admin.signup_mode_help}" "
                            <a href="/admin/invites" class="text-indigo-700 underline dark:text-indigo-300">{t.admin.tab_invites}</a>
                        </p>
                    </div>
                    <div class="text-sm">
                        <label class="block">{t.admin.signup_per_hour}<NumInput num=fields.signup_per_hour label=t.admin.signup_per_hour.to_owned() /></label>
                        <p class="mt-1 text-xs text-stone-500">{t.admin.signup_per_hour_help}</p>
                    </div>
                </div>
            </fieldset>
            <fieldset class="space-y-2">
                <legend class="text-lg font-semibold">{t.admin.uploads}</legend>
                <div class="grid gap-3 sm:grid-cols-2">
                    <div class="text-sm">
                        <label class="block">{t.admin.upload_quota_mb}<NumInput num=fields.upload_quota_mb label=t.admin.upload_quota_mb.to_owned() /></label>
                        <p class="mt-1 text-xs text-stone-500">{t.admin.zero_no_limit}</p>
                    </div>
                    <div class="text-sm">
                        <label class="block">{t.admin.upload_retention_days}<NumInput num=fields.upload_retention_days label=t.admin.upload_retention_days.to_owned() /></label>
                        <p class="mt-1 text-xs text-stone-500">{t.admin.upload_retention_help}</p>
                    </div>
                </div>
            </fieldset>
            <fieldset class="space-y-2">
                <legend class="text-lg font-semibold">{t.gallery.title}</legend>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" prop:checked=move || fields.gallery_enabled.get() on:change=move |ev| fields.gallery_enabled.set(event_target_checked(&ev)) />
                    {t.gallery.admin_gallery_enabled}
                </label>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" prop:checked=move || fields.comments_enabled.get() on:change=move |ev| fields.comments_enabled.set(event_target_checked(&ev)) />
                    {t.gallery.admin_comments_enabled}
                </label>
            </fieldset>
            <div class="flex flex-wrap items-center gap-3">
                <button type="submit" class=BUTTON disabled=move || fields.form().is_none() || save.pending().get()>{t.admin.save}</button>
                <span role="status" data-testid="save-status" class="text-sm">
                    {move || match save.value().get() {
                        Some(Err(e)) => Some(view! { <span class="text-red-700">{t.error(&e)}</span> }.into_any()),
                        _ if dirty.get() => Some(view! { <span class="text-amber-700">{t.admin.unsaved}</span> }.into_any()),
                        Some(Ok(_)) => Some(view! { <span class="text-green-700">{t.admin.saved}</span> }.into_any()),
                        None => None,
                    }}
                </span>
            </div>
        </form>
    }
}

#[component]
pub(super) fn NumInput(
    num: Num,
    label: String,
    /// Shown while an optional field is empty: the value that applies then.
    #[prop(optional, into)]
    placeholder: MaybeProp<String>,
) -> impl IntoView {
    let t = use_texts();
    view! {
        <input type="number" min=num.min max=num.max aria-label=label class=INPUT
            prop:value=move || num.text.get()
            aria-invalid=move || num.maybe().is_none().to_string()
            placeholder=move || placeholder.get()
            on:input=move |ev| num.text.set(event_target_value(&ev)) />
        {move || num.error(t).map(|e| view! { <span class="text-xs text-red-700">{e}</span> })}
    }
}

/// A `<select>` of one setting's choices.
#[component]
fn Choice<T>(
    name: &'static str,
    options: &'static [T],
    value: RwSignal<T>,
    key: fn(T) -> &'static str,
    words: impl Fn(T) -> &'static str + Copy + Send + 'static,
    /// The id of the text that explains the choice.
    help: &'static str,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    view! {
        <select name=name class=INPUT aria-describedby=help
            on:change=move |ev| {
                let v = event_target_value(&ev);
                if let Some(p) = options.iter().copied().find(|p| key(*p) == v) {
                    value.set(p);
                }
            }>
            {options.iter().copied().map(|p| view! {
                <option value=key(p) prop:selected=move || value.get() == p>{words(p)}</option>
            }).collect_view()}
        </select>
    }
}

fn signup_mode_words(t: &'static Texts, m: SignupMode) -> &'static str {
    match m {
        SignupMode::Open => t.admin.signup_open,
        SignupMode::Invite => t.admin.signup_invite,
        SignupMode::Closed => t.admin.signup_closed,
    }
}

fn cancel_refund_words(t: &'static Texts, p: CancelRefund) -> &'static str {
    match p {
        CancelRefund::Full => t.admin.cancel_refund_full,
        CancelRefund::None => t.admin.cancel_refund_none,
        CancelRefund::Progress => t.admin.cancel_refund_progress,
    }
}

pub(super) fn connection_words(t: &'static Texts, r: &ConnectionReport) -> String {
    match r.kind.as_str() {
        "ok" => (t.admin.conn_ok)(r.latency_ms),
        "unauthorized" => t.admin.conn_unauthorized.into(),
        "not_a_proxy" => t.admin.conn_not_proxy.into(),
        _ => t.admin.conn_unreachable.into(),
    }
}

/// Asks the browser to confirm leaving the page while `dirty`.
fn warn_before_leaving(dirty: Signal<bool>) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if dirty.get_untracked() {
                ev.prevent_default();
                ev.set_return_value("unsaved");
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = dirty;
}
