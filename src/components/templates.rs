//! The Generate page's templates: pick one (the user's own, or a shared one), fill in its
//! `{placeholders}`, and use it; save the form as it is as a new one; the recent prompts a click
//! away.

use crate::{
    i18n::use_texts,
    server_fns::{
        tasks::SubmitTask,
        templates::{delete_template, save_template},
    },
    templates::fill,
    types::TemplateView,
};
use leptos::prelude::*;

/// What the picker works with.
#[derive(Clone)]
pub struct Picking {
    pub templates: Vec<TemplateView>,
    pub recent: Vec<String>,
    /// The user may share a template with everyone.
    pub is_admin: bool,
    /// A template chosen, with its prompt filled in.
    pub on_use: Callback<(TemplateView, String)>,
    /// A recent prompt chosen.
    pub on_prompt: Callback<String>,
    /// The form as it is, to keep as a template.
    pub current: Callback<(), SubmitTask>,
}

/// The picker; its code is loaded when the Templates panel first opens (see
/// `components::later`).
#[component]
pub fn TemplatePicker(picking: Picking) -> impl IntoView {
    crate::components::later::now(move || picker_view(picking.clone()))
}

#[leptos::lazy]
fn picker_view(picking: Picking) -> AnyView {
    view! { <Picker picking /> }.into_any()
}

#[component]
fn Picker(picking: Picking) -> impl IntoView {
    let Picking {
        templates,
        recent,
        is_admin,
        on_use,
        on_prompt,
        current,
    } = picking;
    let t = use_texts();
    let l = t.library;
    let list = RwSignal::new(templates);
    let chosen = RwSignal::new(String::new());
    let values = RwSignal::new(Vec::<(String, String)>::new());
    let saving = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let shared = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let selected = move || list.with(|ts| ts.iter().find(|x| x.id == chosen.get()).cloned());
    let save = Action::new(move |_: &()| async move {
        let form = current.run(());
        match save_template(name.get_untracked(), shared.get_untracked(), form).await {
            Ok(tpl) => {
                let id = tpl.id.clone();
                list.update(|ts| ts.insert(0, tpl));
                chosen.set(id);
                values.set(Vec::new());
                saving.set(false);
                name.set(String::new());
                message.set(Some(l.template_saved.to_owned()));
            }
            Err(e) => message.set(Some(t.error(&e))),
        }
    });
    let remove = Action::new(move |id: &String| {
        let id = id.clone();
        async move {
            match delete_template(id.clone()).await {
                Ok(()) => {
                    list.update(|ts| ts.retain(|x| x.id != id));
                    chosen.set(String::new());
                    message.set(None);
                }
                Err(e) => message.set(Some(t.error(&e))),
            }
        }
    });
    let options = move |want_shared: bool| {
        list.get()
            .into_iter()
            .filter(|x| x.shared == want_shared)
            .map(|x| {
                let id = x.id.clone();
                let on = move || chosen.get() == id;
                view! { <option value=x.id selected=on>{x.name}</option> }
            })
            .collect_view()
    };
    const BUTTON: &str = "rounded bg-stone-200 px-3 py-1 hover:bg-stone-300 disabled:opacity-50 dark:bg-stone-800 dark:hover:bg-stone-700";
    const FIELD: &str = "rounded border border-stone-300 bg-white px-2 py-1 dark:border-stone-700 dark:bg-stone-900";
    view! {
        <section aria-label=l.templates data-testid="templates" class="space-y-2 rounded-lg border border-stone-200 p-3 text-sm dark:border-stone-800">
            <div class="flex flex-wrap items-end gap-2">
                <label class="grid gap-1">
                    <span class="font-medium">{l.template}</span>
                    <select class=FIELD data-testid="template-select" on:change=move |ev| {
                        chosen.set(event_target_value(&ev));
                        values.set(Vec::new());
                        message.set(None);
                    }>
                        <option value="" selected=move || chosen.get().is_empty()>{l.choose_template}</option>
                        <optgroup label=l.yours>{move || options(false)}</optgroup>
                        <optgroup label=l.shared_templates>{move || options(true)}</optgroup>
                    </select>
                </label>
                <button type="button" class=BUTTON disabled=move || selected().is_none()
                    on:click=move |_| {
                        if let Some(tpl) = selected() {
                            let filled = values.with(|v| fill(&tpl.prompt, v));
                            on_use.run((tpl, filled));
                        }
                    }>{l.use_template}</button>
                {move || selected().filter(|x| x.editable).map(|x| view! {
                    <button type="button" class="rounded px-3 py-1 text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950"
                        on:click=move |_| { remove.dispatch(x.id.clone()); }>{l.delete_template}</button>
                })}
                <button type="button" class=BUTTON aria-expanded=move || saving.get().to_string()
                    on:click=move |_| saving.update(|s| *s = !*s)>{l.save_template}</button>
            </div>
            {move || selected().filter(|x| !x.placeholders.is_empty()).map(|x| view! {
                <fieldset class="space-y-1" data-testid="template-blanks">
                    <legend class="text-stone-600 dark:text-stone-400">{l.fill_in}</legend>
                    <div class="flex flex-wrap gap-2">
                        {x.placeholders.into_iter().map(|slot| {
                            let key = slot.clone();
                            let value = move || values.with(|v| v.iter().find(|(n, _)| *n == key).map(|(_, v)| v.clone()).unwrap_or_default());
                            let set = slot.clone();
                            view! {
                                <label class="grid gap-1">
                                    <span>{slot}</span>
                                    <input type="text" class=FIELD prop:value=value
                                        on:input=move |ev| {
                                            let v = event_target_value(&ev);
                                            values.update(|all| {
                                                all.retain(|(n, _)| *n != set);
                                                all.push((set.clone(), v));
                                            });
                                        } />
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            })}
            <Show when=move || saving.get()>
                <form class="flex flex-wrap items-end gap-2" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                    <label class="grid gap-1">
                        <span>{l.template_name}</span>
                        <input type="text" required class=FIELD maxlength=crate::limits::TEMPLATE_NAME_MAX_CHARS
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    </label>
                    {is_admin.then(|| view! {
                        <label class="flex items-center gap-1">
                            <input type="checkbox" prop:checked=move || shared.get() on:change=move |ev| shared.set(event_target_checked(&ev)) />
                            {l.share_everyone}
                        </label>
                    })}
                    <button type="submit" class="rounded bg-indigo-600 px-3 py-1 text-white">{l.save}</button>
                </form>
            </Show>
            {move || message.get().map(|m| view! { <p role="status" data-testid="template-message">{m}</p> })}
            <details>
                <summary class="cursor-pointer text-stone-600 dark:text-stone-400">{l.recent}</summary>
                {if recent.is_empty() {
                    view! { <p class="mt-1 text-stone-500">{l.no_recent}</p> }.into_any()
                } else {
                    view! {
                        <ul class="mt-1 space-y-1" data-testid="recent-prompts">
                            {recent.into_iter().map(|p| {
                                let text = p.clone();
                                view! {
                                    <li>
                                        <button type="button" class="w-full truncate rounded px-2 py-1 text-left hover:bg-stone-100 dark:hover:bg-stone-800"
                                            on:click=move |_| on_prompt.run(text.clone())>{p}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </details>
        </section>
    }
}
