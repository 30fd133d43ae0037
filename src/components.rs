//! Reusable views.

pub mod api_keys;
pub mod header;
pub mod progress_bar;
pub mod require;
pub mod task_card;
