//! Reusable views.

pub mod api_keys;
pub mod collect;
pub mod header;
pub mod icon;
pub mod image_inputs;
pub mod local_time;
pub mod mask_editor;
pub mod page_title;
pub mod post_form;
pub mod progress_bar;
pub mod require;
pub mod share;
pub mod star;
pub mod task_card;
pub mod templates;
pub mod viewer;
