//! Pictures given to a task from the Generate page: picked, dropped or pasted (Ctrl+V), each
//! uploaded at once (a server function) and shown as a thumbnail with its role and a remove
//! button.

use crate::components::icon::{Glyph, Icon};
use crate::{error::AppError, i18n::use_texts, types::UploadedImage};
use leptos::prelude::*;

/// At most this many pictures go with one task.
pub const MAX_IMAGES: usize = crate::limits::TASK_IMAGES_MAX;

/// A picture given, with what it is for (`reference`, `sref`, `cref`, `blend`, `describe`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub upload: UploadedImage,
    pub role: String,
}

/// The roles an image can take, as the API names them, in the order of `StudioTexts::roles`.
pub const ROLES: [&str; 5] = ["reference", "sref", "cref", "blend", "describe"];

/// `upload_id:role,...` as the Generate form sends them.
pub fn form_value(images: &[Given], role_for_all: Option<&str>) -> String {
    images
        .iter()
        .map(|g| format!("{}:{}", g.upload.id, role_for_all.unwrap_or(&g.role)))
        .collect::<Vec<_>>()
        .join(",")
}

#[component]
pub fn ImageInputs(
    images: RwSignal<Vec<Given>>,
    /// The roles the chosen action lets a picture take; one: no choice shown.
    roles: Signal<Vec<&'static str>>,
    error: RwSignal<Option<AppError>>,
    /// The pictures are on screen: their code loads the first time (a paste works before).
    shown: Signal<bool>,
) -> impl IntoView {
    let uploading = RwSignal::new(0usize);
    let add = move |files: Vec<FileBytes>| {
        for file in files {
            if images.with_untracked(Vec::len) + uploading.get_untracked() >= MAX_IMAGES {
                break;
            }
            uploading.update(|n| *n += 1);
            leptos::task::spawn_local(async move {
                let bytes = file.read().await;
                let answer = crate::server_fns::uploads::upload_image(bytes).await;
                uploading.update(|n| *n = n.saturating_sub(1));
                match answer {
                    Ok(upload) => {
                        error.set(None);
                        give(images, roles, upload);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let add = Callback::new(add);
    paste_listener(move |files| add.run(files));
    // Another action or engine: a picture keeps its role where the new one offers it.
    Effect::new(move || {
        let offered = roles.get();
        let Some(first) = offered.first().copied() else {
            return;
        };
        if images.with_untracked(|v| v.iter().any(|g| !offered.contains(&g.role.as_str()))) {
            images.update(|v| {
                for g in v.iter_mut().filter(|g| !offered.contains(&g.role.as_str())) {
                    g.role = first.to_owned();
                }
            });
        }
    });
    crate::components::later::later(
        shown,
        crate::components::later::loader(move || given_list(images, roles, uploading, add)),
    )
}

#[leptos::lazy]
fn given_list(
    images: RwSignal<Vec<Given>>,
    roles: Signal<Vec<&'static str>>,
    uploading: RwSignal<usize>,
    add: Callback<Vec<FileBytes>>,
) -> AnyView {
    view! { <GivenList images roles uploading add /> }.into_any()
}

/// The drop zone, the picker and the pictures given, each with its role and a remove button.
#[component]
fn GivenList(
    images: RwSignal<Vec<Given>>,
    roles: Signal<Vec<&'static str>>,
    uploading: RwSignal<usize>,
    add: Callback<Vec<FileBytes>>,
) -> impl IntoView {
    let t = use_texts();
    let add = move |files: Vec<FileBytes>| add.run(files);
    view! {
        <fieldset class="space-y-2" data-testid="image-inputs">
            <legend class="text-sm font-medium">{t.studio.images_label}</legend>
            <div
                class="rounded border border-dashed border-stone-300 p-3 text-sm dark:border-stone-700"
                on:dragover=move |ev| ev.prevent_default()
                on:drop=move |ev| {
                    ev.prevent_default();
                    add(dropped(&ev));
                }
            >
                <p class="text-xs text-stone-500">{t.studio.images_help}</p>
                <label class="mt-2 inline-block cursor-pointer rounded border border-stone-300 px-3 py-1 hover:bg-stone-100 focus-within:ring-2 focus-within:ring-indigo-500 dark:border-stone-700 dark:hover:bg-stone-800">
                    {t.studio.add_images}
                    <input
                        type="file"
                        class="sr-only"
                        data-testid="image-picker"
                        accept="image/png,image/jpeg,image/webp"
                        multiple
                        on:change=move |ev| add(picked(&ev))
                    />
                </label>
                <Show when=move || { uploading.get() > 0 }>
                    <span class="ml-2 text-xs" role="status">{t.studio.uploading}</span>
                </Show>
                <ul class="mt-2 flex flex-wrap gap-2">
                    <For
                        each=move || { enumerated(images.get()) }
                        key=|(i, g)| (*i, g.upload.id.clone(), g.role.clone())
                        let:item
                    >
                        {
                            let (i, given) = item;
                            let n = i + 1;
                            let id = given.upload.id.clone();
                            let remove_id = id.clone();
                            view! {
                                <li class="w-24 space-y-1" data-testid="given-image">
                                    <img src=given.upload.url.clone() alt="" class="h-24 w-24 rounded object-cover" />
                                    <Show when=move || { roles.with(|r| r.len() > 1) }>
                                        {
                                            let id = id.clone();
                                            let current = given.role.clone();
                                            view! {
                                                <select
                                                    aria-label=(t.studio.role_label)(n)
                                                    class="w-full rounded border border-stone-300 text-xs dark:border-stone-700 dark:bg-stone-900"
                                                    on:change=move |ev| {
                                                        let role = event_target_value(&ev);
                                                        images.update(|v| {
                                                            if let Some(g) = v.iter_mut().find(|g| g.upload.id == id) {
                                                                g.role = role;
                                                            }
                                                        });
                                                    }
                                                >
                                                    {move || roles.get().into_iter().map(|r| {
                                                        let label = ROLES.iter().position(|x| *x == r).map_or(r, |k| t.studio.roles[k]);
                                                        view! { <option value=r selected=current == r>{label}</option> }
                                                    }).collect_view()}
                                                </select>
                                            }
                                        }
                                    </Show>
                                    <button
                                        type="button"
                                        class="w-full rounded border border-stone-300 text-xs hover:bg-stone-100 dark:border-stone-700 dark:hover:bg-stone-800"
                                        aria-label=(t.studio.remove_image)(n)
                                        on:click=move |_| images.update(|v| v.retain(|g| g.upload.id != remove_id))
                                    >
                                        <Glyph icon=Icon::Close class="mx-auto h-4 w-4" />
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </div>
        </fieldset>
    }
}

/// Adds an uploaded picture in the first role the action offers (once, and while there is room).
pub fn give(images: RwSignal<Vec<Given>>, roles: Signal<Vec<&'static str>>, upload: UploadedImage) {
    let role = roles
        .get_untracked()
        .first()
        .copied()
        .unwrap_or("reference");
    images.update(|v| {
        if v.len() < MAX_IMAGES && !v.iter().any(|g| g.upload.id == upload.id) {
            v.push(Given {
                upload,
                role: role.to_owned(),
            });
        }
    });
}

fn enumerated(images: Vec<Given>) -> Vec<(usize, Given)> {
    images.into_iter().enumerate().collect()
}

/// A file of the browser, read when it is uploaded.
#[derive(Clone)]
pub struct FileBytes {
    #[cfg(feature = "hydrate")]
    file: web_sys::File,
}

impl FileBytes {
    async fn read(self) -> Vec<u8> {
        #[cfg(feature = "hydrate")]
        {
            match wasm_bindgen_futures::JsFuture::from(self.file.array_buffer()).await {
                Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
                Err(_) => Vec::new(),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        Vec::new()
    }
}

#[cfg(feature = "hydrate")]
fn files_of(list: Option<web_sys::FileList>) -> Vec<FileBytes> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .filter(|f| f.type_().starts_with("image/"))
        .map(|file| FileBytes { file })
        .collect()
}

fn picked(ev: &leptos::ev::Event) -> Vec<FileBytes> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return Vec::new();
        };
        let files = files_of(input.files());
        // The same file may be picked again after it was removed.
        input.set_value("");
        files
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        Vec::new()
    }
}

fn dropped(ev: &leptos::ev::DragEvent) -> Vec<FileBytes> {
    #[cfg(feature = "hydrate")]
    {
        files_of(ev.data_transfer().and_then(|d| d.files()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        Vec::new()
    }
}

/// Ctrl+V anywhere on the page with pictures on the clipboard adds them (text pastes as usual).
fn paste_listener(add: impl Fn(Vec<FileBytes>) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::paste, move |ev| {
            let files = files_of(ev.clipboard_data().and_then(|d| d.files()));
            if !files.is_empty() {
                ev.prevent_default();
                add(files);
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = add;
}
